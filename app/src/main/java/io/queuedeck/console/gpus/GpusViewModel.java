package io.queuedeck.console.gpus;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.EngineCommands;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskState;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The GPUs and the per-instance fault commands. A row changes only when its instance did, so
 * a view bound to the list redraws what moved, not every card each frame.
 */
public final class GpusViewModel {
    /** Slow-down factors offered to the operator. */
    public static final List<Double> SLOW_FACTORS = List.of(2.0, 3.0, 5.0, 10.0);

    /** One GPU at one moment, ready to show. */
    public record GpuRow(int id, String model, InstanceState state, int running, int batchCapacity, long kvUsed,
                         long kvCapacity, double slowdown) {
        public double batchFraction() {
            return batchCapacity == 0 ? 0 : (double) running / batchCapacity;
        }

        public double kvFraction() {
            return kvCapacity == 0 ? 0 : (double) kvUsed / kvCapacity;
        }

        /** "up", "slow ×3", "offline", "down", "loading". */
        public String stateText() {
            return state == InstanceState.SLOW || slowdown != 1.0
                    ? String.format(Locale.ROOT, "%s ×%.0f", state.name().toLowerCase(Locale.ROOT), slowdown)
                    : state.name().toLowerCase(Locale.ROOT);
        }

        static GpuRow of(InstanceStatus s) {
            return new GpuRow(s.id(), s.model(), s.state(), s.running(), s.batchCapacity(), s.kvUsedTokens(),
                    s.kvCapacityTokens(), s.slowdown());
        }
    }

    /** Running tasks listed per refresh, at most (the engine's page limit). */
    static final int RUNNING_LIMIT = 1_000;

    private final EngineCommands commands;
    private final ChangeLog log;
    private final javafx.beans.property.ReadOnlyObjectWrapper<java.util.Map<Integer, List<String>>> runningByGpu =
            new javafx.beans.property.ReadOnlyObjectWrapper<>(this, "runningByGpu", java.util.Map.of());
    private boolean active;
    private boolean listing;
    private java.time.Instant lastListed;
    private final ObservableList<GpuRow> rows = FXCollections.observableArrayList();
    private final ObservableList<GpuRow> readOnlyRows = FXCollections.unmodifiableObservableList(rows);

    public GpusViewModel(EngineCommands commands, ChangeLog log) {
        this.commands = Objects.requireNonNull(commands, "commands");
        this.log = Objects.requireNonNull(log, "log");
    }

    public void apply(EngineSnapshot snapshot) {
        java.time.Instant now = snapshot.takenAt();
        if (active && !listing && (lastListed == null || java.time.Duration.between(lastListed, now).toMillis() >= 1000)) {
            lastListed = now;
            listing = true;
            commands.send(new Command.ListTasks(new TaskQuery(TaskState.RUNNING, null, -1, RUNNING_LIMIT)))
                    .thenApply(TaskPage::tasks).whenComplete((tasks, error) -> {
                listing = false;
                if (error == null) {
                    java.util.Map<Integer, List<String>> byGpu = new java.util.TreeMap<>();
                    for (var t : tasks) {
                        byGpu.computeIfAbsent(t.instance(), k -> new java.util.ArrayList<>()).add(t.id());
                    }
                    runningByGpu.set(java.util.Map.copyOf(byGpu));
                }
            });
        }
        List<InstanceStatus> instances = snapshot.instances();
        if (rows.size() != instances.size()) {
            rows.setAll(instances.stream().map(GpuRow::of).toList());
            return;
        }
        for (int i = 0; i < instances.size(); i++) {
            GpuRow next = GpuRow.of(instances.get(i));
            if (!next.equals(rows.get(i))) {
                rows.set(i, next);
            }
        }
    }

    /** Whether the GPUs screen is shown: running tasks are listed (once a second) only then. */
    public void setActive(boolean value) {
        active = value;
        if (value) {
            lastListed = null;
        }
    }

    /** Ids of the tasks each GPU runs, from the last listing (about once a second while shown). */
    public javafx.beans.property.ReadOnlyObjectProperty<java.util.Map<Integer, List<String>>> runningByGpuProperty() {
        return runningByGpu.getReadOnlyProperty();
    }

    public ObservableList<GpuRow> rows() {
        return readOnlyRows;
    }

    public void crash(int instance) {
        commands.send(new Command.CrashInstance(instance)).thenRun(() -> log.record(ChangeLog.Kind.OPERATOR, "crash injected on GPU " + instance));
    }

    public void slow(int instance, double factor) {
        commands.send(new Command.SlowInstance(instance, factor)).thenRun(() -> log.record(ChangeLog.Kind.OPERATOR,
                factor == 1.0 ? "speed restored on GPU " + instance
                        : String.format(Locale.ROOT, "GPU %d slowed ×%.0f", instance, factor)));
    }

    public void setOnline(int instance, boolean online) {
        commands.send(new Command.SetInstanceOnline(instance, online)).thenRun(() -> log.record(ChangeLog.Kind.OPERATOR,
                "GPU " + instance + (online ? " brought online" : " taken offline")));
    }
}
