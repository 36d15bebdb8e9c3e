package io.queuedeck.console.gpus;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.EngineCommands;
import io.queuedeck.console.gateway.GpuCommands;
import io.queuedeck.console.gateway.GpuRow;
import io.queuedeck.console.gateway.GpuRows;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskState;
import javafx.collections.ObservableList;
import java.util.List;
import java.util.Objects;

/**
 * The GPUs (simulated, or real inference servers as instances), the tasks each one runs, and the
 * per-instance commands. Rows come from {@link GpuRows}: a row changes only when its instance did.
 */
public final class GpusViewModel {
    /** Running tasks listed per refresh, at most (the engine's page limit). */
    static final int RUNNING_LIMIT = 1_000;

    private final EngineCommands commands;
    private final GpuCommands gpuCommands;
    private final GpuRows gpuRows = new GpuRows();
    private final javafx.beans.property.ReadOnlyObjectWrapper<java.util.Map<Integer, List<String>>> runningByGpu =
            new javafx.beans.property.ReadOnlyObjectWrapper<>(this, "runningByGpu", java.util.Map.of());
    /** A GPU that runs tasks and has not moved (its KV cache, its batch) for this long makes no progress. */
    static final java.time.Duration STALL = java.time.Duration.ofSeconds(5);

    private final java.util.Map<Integer, GpuRow> lastRows = new java.util.HashMap<>();
    private final java.util.Map<Integer, java.time.Instant> unchangedSince = new java.util.HashMap<>();
    private final javafx.beans.property.ReadOnlyObjectWrapper<java.util.Map<Integer, Long>> stalled =
            new javafx.beans.property.ReadOnlyObjectWrapper<>(this, "stalled", java.util.Map.of());
    private boolean active;
    private boolean listing;
    private java.time.Instant lastListed;

    public GpusViewModel(EngineCommands commands, ChangeLog log) {
        this.commands = Objects.requireNonNull(commands, "commands");
        this.gpuCommands = new GpuCommands(commands, log);
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
        gpuRows.apply(snapshot);
        findStalls(now);
    }

    /**
     * A simulated GPU whose running tasks generate nothing looks "up" to the engine (a hang is
     * silent, as on real hardware) but not to someone watching it: a decode step moves its KV
     * cache every few milliseconds. A backend reports its own speed instead.
     */
    private void findStalls(java.time.Instant now) {
        java.util.Map<Integer, Long> found = new java.util.TreeMap<>();
        for (GpuRow row : gpuRows.rows()) {
            if (!row.equals(lastRows.put(row.id(), row))) {
                unchangedSince.put(row.id(), now);
            }
            long seconds = java.time.Duration.between(unchangedSince.get(row.id()), now).toSeconds();
            if (!row.isBackend() && row.state().acceptsWork() && row.running() > 0 && seconds >= STALL.toSeconds()) {
                found.put(row.id(), seconds);
            }
        }
        if (!found.equals(stalled.get())) {
            stalled.set(java.util.Map.copyOf(found));
        }
    }

    /** GPUs that run tasks but have made no progress, with for how many seconds. */
    public javafx.beans.property.ReadOnlyObjectProperty<java.util.Map<Integer, Long>> stalledProperty() {
        return stalled.getReadOnlyProperty();
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
        return gpuRows.rows();
    }

    /** The fault commands, for the per-GPU buttons. */
    public GpuCommands gpuCommands() {
        return gpuCommands;
    }

    public void crash(int instance) {
        gpuCommands.crash(instance);
    }

    public void slow(int instance, double factor) {
        gpuCommands.slow(instance, factor);
    }

    public void setOnline(int instance, boolean online) {
        gpuCommands.setOnline(instance, online);
    }

    public void drain(int instance, boolean draining) {
        gpuCommands.drain(instance, draining);
    }

    /**
     * Drains (or ends the drain of) the whole inference server that {@code instance} runs on: every
     * instance with its URL, one per model it serves. Nothing for a simulated GPU.
     */
    public void drainServer(int instance, boolean draining) {
        GpuRow row = rows().stream().filter(r -> r.id() == instance).findFirst().orElse(null);
        if (row == null || !row.isBackend()) {
            return;
        }
        String url = row.backend().url();
        gpuCommands.drainServer(url, rows().stream().filter(r -> r.isBackend() && r.backend().url().equals(url))
                .map(GpuRow::id).toList(), draining);
    }
}
