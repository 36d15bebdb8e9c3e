package io.queuedeck.engine.task;

/**
 * The answer to a submission.
 *
 * @param task    the task as it stands right after admission
 * @param created false when an identical submission with the same id was already known
 *                (an idempotent retry by the client): nothing new was queued
 */
public record SubmitResult(TaskView task, boolean created) {}
