package io.queuedeck.engine.task;

/**
 * Where a task stood: its priority and its rank (its place among the waiting tasks). A bulk action
 * keeps one per changed task, so an undo can put each back exactly.
 */
public record TaskMark(String taskId, int priority, long rank) {}
