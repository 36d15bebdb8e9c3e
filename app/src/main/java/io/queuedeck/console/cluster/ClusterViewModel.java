package io.queuedeck.console.cluster;

import io.queuedeck.console.gateway.ClusterLink;
import io.queuedeck.console.gateway.ClusterState;
import io.queuedeck.engine.cluster.SharedQueue;
import io.queuedeck.engine.tier.TierMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The cluster section of the GPUs screen (distributed mode): every node with its instances and
 * heartbeat age, each tier's levels across the cluster with its mode, the best waiting tasks and
 * the dead letters, all read from Redis; its commands change the shared queue for every node.
 * FX thread; it holds no Nodes.
 */
public final class ClusterViewModel {
    /** A tier's row: its levels across every node and its mode. */
    public record TierRow(int tier, String name, long waiting, long leased, String mode) {}

    /** A task of the shared queue as the section lists it. */
    public record TaskRow(String id, String tier, int priority, String state, int attempts, String node) {}

    private final ClusterLink link;
    private final BiConsumer<String, Throwable> failures;
    private final ObservableList<ClusterState.NodeRow> nodes = FXCollections.observableArrayList();
    private final ObservableList<TierRow> tiers = FXCollections.observableArrayList();
    private final ObservableList<TaskRow> waiting = FXCollections.observableArrayList();
    private final ObservableList<TaskRow> dead = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("Reading the shared queue …");
    private final ReadOnlyStringWrapper alert = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper inspected = new ReadOnlyStringWrapper("Select a task: its record in the shared queue shows here");
    private ClusterState shown;

    /**
     * @param failures told about an action the shared queue refused (the action's name, the reason)
     */
    public ClusterViewModel(ClusterLink link, BiConsumer<String, Throwable> failures) {
        this.link = link;
        this.failures = failures;
    }

    /** Shows the shared queue as last read; a read already shown changes nothing. */
    public void apply(ClusterState state) {
        if (state == shown) {
            return;
        }
        shown = state;
        nodes.setAll(state.nodes());
        List<TierRow> tierRows = new ArrayList<>();
        List<TaskRow> waitingRows = new ArrayList<>();
        long waitingTotal = 0, leasedTotal = 0;
        for (int i = 0; i < state.tiers().size(); i++) {
            SharedQueue.TierLevel t = state.tiers().get(i);
            tierRows.add(new TierRow(t.tier(), t.name(), t.waiting(), t.leased(),
                    t.paused() ? "paused" : t.draining() ? "draining" : "active"));
            waitingTotal += t.waiting();
            leasedTotal += t.leased();
            if (i < state.waiting().size()) {
                for (SharedQueue.Listed task : state.waiting().get(i)) {
                    waitingRows.add(row(task, t.name()));
                }
            }
        }
        if (!tierRows.equals(tiers)) {
            tiers.setAll(tierRows);
        }
        if (!waitingRows.equals(waiting)) {
            waiting.setAll(waitingRows);
        }
        List<TaskRow> deadRows = state.deadTasks().stream().map(t -> row(t, "")).toList();
        if (!deadRows.equals(dead)) {
            dead.setAll(deadRows);
        }
        alert.set(state.dataLoss() == null ? "" : state.dataLoss());
        summary.set(String.format(Locale.ROOT, "Node %s of queue '%s' on %s · %d node%s · %,d waiting, %,d leased, %,d dead"
                        + " across the cluster%s", state.node(), state.queue(), state.redisUri(), state.nodes().size(),
                state.nodes().size() == 1 ? "" : "s", waitingTotal, leasedTotal, state.dead(),
                state.error() == null ? "" : " · " + state.error()));
    }

    private static TaskRow row(SharedQueue.Listed task, String tier) {
        return new TaskRow(task.id(), tier, task.priority(), task.state(), task.attempts(), task.node());
    }

    public ObservableList<ClusterState.NodeRow> nodes() {
        return nodes;
    }

    public ObservableList<TierRow> tiers() {
        return tiers;
    }

    /** The first waiting tasks of each tier, most urgent tier first, best first within it. */
    public ObservableList<TaskRow> waiting() {
        return waiting;
    }

    public ObservableList<TaskRow> dead() {
        return dead;
    }

    /** The Lanes inspector's line on the task last selected, as the shared queue records it now. */
    public ReadOnlyStringProperty inspectedProperty() {
        return inspected.getReadOnlyProperty();
    }

    /**
     * Reads {@code task}'s record in the shared queue (state, holding node, attempts, deliveries, lease)
     * on the cluster thread and shows it in {@link #inspectedProperty()} on the FX thread.
     */
    public void inspect(TaskRow task) {
        inspected.set(task.id() + ": reading the shared queue …");
        link.describe(task.id()).whenComplete((line, error) -> javafx.application.Platform.runLater(() -> inspected.set(
                error != null ? task.id() + ": the shared queue did not answer (" + error.getMessage() + ")"
                        : task.id() + ": " + line.orElse("no longer in the shared queue"))));
    }

    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    /** What this node found of Redis losing the shared queue's data (decision 0130); empty while nothing. */
    public ReadOnlyStringProperty alertProperty() {
        return alert.getReadOnlyProperty();
    }

    // ---------------------------------------------------------------- commands, on every node

    public void pause(int tier) {
        watch("Pause tier " + tier + " on every node", link.tierMode(tier, TierMode.PAUSED));
    }

    public void drain(int tier) {
        watch("Drain tier " + tier + " on every node", link.tierMode(tier, TierMode.DRAINING));
    }

    public void resume(int tier) {
        watch("Resume tier " + tier + " on every node", link.tierMode(tier, TierMode.ACTIVE));
    }

    /** A dead node's leases back in the shared queue at once (decision 0130); refused while the node is alive. */
    public void reclaim(ClusterState.NodeRow node) {
        watch("Reclaim the leases of node " + node.name(), link.reclaim(node.name()));
    }

    /** One priority more urgent (lower number); P0 stays. */
    public void raise(TaskRow task) {
        if (task.priority() > 0) {
            watch("Reprioritize " + task.id(), link.reprioritize(task.id(), task.priority() - 1));
        }
    }

    /** One priority less urgent; P9 stays. */
    public void lower(TaskRow task) {
        if (task.priority() < 9) {
            watch("Reprioritize " + task.id(), link.reprioritize(task.id(), task.priority() + 1));
        }
    }

    /** Drag-to-reprioritize: {@code task} goes just before {@code before} (both waiting in one tier). */
    public void place(TaskRow task, TaskRow before) {
        if (!task.id().equals(before.id())) {
            watch("Move " + task.id(), link.place(task.id(), before.id()));
        }
    }

    public void cancel(TaskRow task) {
        watch("Cancel " + task.id(), link.cancel(task.id()));
    }

    public void retry(TaskRow task) {
        watch("Retry " + task.id(), link.retry(task.id()));
    }

    private void watch(String action, CompletableFuture<String> done) {
        done.whenComplete((answer, error) -> {
            if (error != null) {
                failures.accept(action, error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error);
            }
        });
    }
}
