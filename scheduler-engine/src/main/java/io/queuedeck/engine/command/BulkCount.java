package io.queuedeck.engine.command;

/** What a bulk action's dry run found: tasks that pass its filter, and those it would change now. */
public record BulkCount(int matched, int wouldChange) {}
