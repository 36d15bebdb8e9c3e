package io.queuedeck.engine.command;

/**
 * What one {@link Command.RestoreMarks} did.
 *
 * @param restored     waiting tasks put back in their place
 * @param changedSince tasks left alone because their priority or place had changed since the action
 */
public record Restored(int restored, int changedSince) {}
