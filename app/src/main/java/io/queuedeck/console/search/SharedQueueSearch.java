package io.queuedeck.console.search;

import io.queuedeck.engine.command.BulkAction;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskView;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Search and bulk actions over the whole shared queue (distributed mode, decision 0083a), off the
 * FX thread; every answer completes on the FX thread.
 */
public interface SharedQueueSearch {

    /** Matches {@code offset} to {@code offset + limit} of the shared queue, in claim order. */
    CompletionStage<Page> search(TaskFilter filter, int offset, int limit);

    /** Applies {@code action} to every task of the shared queue the filter matches; answers what it did, in words. */
    CompletionStage<String> apply(TaskFilter filter, BulkAction action, Integer priority);

    /** A line on one task of the shared queue (state, holding node, attempts, lease), empty when unknown. */
    CompletionStage<java.util.Optional<String>> describe(String id);

    /**
     * One page of matches.
     *
     * @param matched  matches among the entries read
     * @param read     entries read
     * @param complete whether every entry was read (else the read budget ended it)
     */
    record Page(List<TaskView> tasks, int matched, int read, boolean complete) {}
}
