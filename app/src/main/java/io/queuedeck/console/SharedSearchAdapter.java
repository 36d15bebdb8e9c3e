package io.queuedeck.console;

import io.queuedeck.console.gateway.ClusterLink;
import io.queuedeck.console.search.SharedQueueSearch;
import io.queuedeck.engine.cluster.SharedSearch;
import io.queuedeck.engine.command.BulkAction;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskView;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import javafx.application.Platform;

/** The Search screen's whole-cluster scope on the console's {@link ClusterLink}: answers on the FX thread. */
final class SharedSearchAdapter implements SharedQueueSearch {
    private final ClusterLink cluster;

    SharedSearchAdapter(ClusterLink cluster) {
        this.cluster = cluster;
    }

    @Override
    public CompletionStage<Page> search(TaskFilter filter, int offset, int limit) {
        return cluster.search(filter, offset, limit).thenApplyAsync(result -> new Page(
                result.tasks().stream().map(SharedSearchAdapter::view).toList(), result.matched(), result.read(),
                result.complete()), Platform::runLater);
    }

    @Override
    public CompletionStage<String> apply(TaskFilter filter, BulkAction action, Integer priority) {
        return cluster.bulk(filter, action, priority).thenApplyAsync(SharedSearchAdapter::words, Platform::runLater);
    }

    @Override
    public CompletionStage<Optional<String>> describe(String id) {
        return cluster.describe(id).thenApplyAsync(found -> found, Platform::runLater);
    }

    /** "3 tasks changed on every node; 1 refused (leased)". */
    static String words(SharedSearch.Applied applied) {
        String refused = applied.answers().entrySet().stream()
                .filter(e -> !List.of("changed", "cancelled", "cancel_requested", "retried").contains(e.getKey()))
                .map(e -> e.getValue() + " " + e.getKey()).sorted().collect(Collectors.joining(", "));
        Integer asked = applied.answers().get("cancel_requested");
        return String.format(Locale.ROOT, "%,d tasks changed on every node%s%s%s", applied.changed(),
                asked == null ? "" : " (" + asked + " running: their nodes stop them at the next heartbeat)",
                refused.isEmpty() ? "" : "; refused by their state: " + refused,
                applied.complete() ? "" : String.format(Locale.ROOT, " (of the matches in the first %,d read)",
                        SharedSearch.READ_BUDGET));
    }

    /** A shared queue's task as a row: what Redis records (no timings: those stay with the node that runs it). */
    static TaskView view(SharedSearch.Match m) {
        SharedSearch.Match match = m;
        return new TaskView(match.task().id(), match.spec(), match.state(), match.task().priority(), 0, -1, 0, 0, 0, 0, 0,
                -1, 0, 0, match.task().attempts(), 0, match.task().detail(), null, List.of());
    }
}
