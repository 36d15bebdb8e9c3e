package io.queuedeck.engine.task;

import java.util.List;

/**
 * One page of tasks, in submission order.
 *
 * @param tasks        the tasks
 * @param nextSequence the cursor for the next page (the last task's sequence), or -1 when this is the last page
 */
public record TaskPage(List<TaskView> tasks, long nextSequence) {}
