package io.queuedeck.engine.task;

/**
 * Where a bulk action found a task ({@code priority}, {@code rank}) and where it left it
 * ({@code leftPriority}, {@code leftRank}). A bulk action answers one per changed task; an undo
 * puts a task back only while it still stands where the action left it, so that it never
 * overwrites a change made since (decision 0132).
 */
public record UndoMark(String taskId, int priority, long rank, int leftPriority, long leftRank) {}
