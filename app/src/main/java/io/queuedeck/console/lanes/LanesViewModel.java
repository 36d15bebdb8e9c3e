package io.queuedeck.console.lanes;

import io.queuedeck.console.gateway.EngineCommands;
import io.queuedeck.engine.EngineSnapshot;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.StringProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The queue itself: one lane per priority with its waiting tasks. The engine is asked for the
 * waiting tasks about once a second (and right after a move), at most {@value #LIMIT_PER_LANE}
 * per lane, the longest-waiting first; lane totals come from every snapshot. A move shows at
 * once (the row jumps lanes) and the next listing confirms it.
 */
public final class LanesViewModel {
    public static final int LANES = 10;
    public static final int LIMIT_PER_LANE = 1_000;
    static final Duration REFRESH = Duration.ofSeconds(1);

    /** One waiting task as a lane shows it. */
    public record TaskRow(String id, String model, String tenant, int priority, String state, double waitedMs,
                          int promptTokens, int outputTokens, int attempts) {
        static TaskRow of(TaskView v) {
            String tenant = v.spec().tenant() == null ? "" : v.spec().tenant();
            Integer prompt = v.spec().promptTokens();
            return new TaskRow(v.id(), v.spec().model(), tenant, v.priority(), v.state().name().toLowerCase(Locale.ROOT),
                    v.waitedNanos() / 1e6, prompt == null ? 0 : prompt, v.outputTokens(), v.attempts());
        }

        boolean matches(String filter) {
            return filter.isEmpty() || id.toLowerCase(Locale.ROOT).contains(filter)
                    || model.toLowerCase(Locale.ROOT).contains(filter) || tenant.toLowerCase(Locale.ROOT).contains(filter)
                    || state.contains(filter);
        }
    }

    /** One priority's lane. */
    public static final class Lane {
        private final int priority;
        private final ObservableList<TaskRow> tasks = FXCollections.observableArrayList();
        private final ObservableList<TaskRow> readOnly = FXCollections.unmodifiableObservableList(tasks);
        private final ReadOnlyIntegerWrapper total = new ReadOnlyIntegerWrapper(this, "total");

        Lane(int priority) {
            this.priority = priority;
        }

        public int priority() { return priority; }
        /** The tasks shown (filtered, at most the limit), longest-waiting first. */
        public ObservableList<TaskRow> tasks() { return readOnly; }
        /** All waiting tasks of this priority, from the latest snapshot. */
        public ReadOnlyIntegerProperty totalProperty() { return total.getReadOnlyProperty(); }
        public String title() {
            return "P" + priority + " · " + Tier.of(priority).name().toLowerCase(Locale.ROOT);
        }
    }

    private final EngineCommands commands;
    private final List<Lane> lanes = new ArrayList<>();
    private final javafx.beans.property.ReadOnlyObjectWrapper<TaskDetails> inspected =
            new javafx.beans.property.ReadOnlyObjectWrapper<>(this, "inspected");
    private final StringProperty filter = new SimpleStringProperty(this, "filter", "");
    private List<TaskView> lastListing = List.of();
    private boolean listing;
    private boolean dirty = true;
    private boolean active = true;
    private Instant lastListed;

    public LanesViewModel(EngineCommands commands) {
        this.commands = Objects.requireNonNull(commands, "commands");
        for (int p = 0; p < LANES; p++) {
            lanes.add(new Lane(p));
        }
        filter.addListener((o, a, v) -> distribute());
    }

    public List<Lane> lanes() {
        return lanes;
    }

    /** Search text: tasks whose id, model, tenant or state contains it (case-insensitive). */
    public StringProperty filterProperty() {
        return filter;
    }

    /**
     * Whether the lanes are on screen. Listing 10,000 tasks a second costs the engine's loop and
     * the FX thread real time, so a hidden lanes screen keeps its totals only.
     */
    public void setActive(boolean value) {
        if (value && !active) {
            dirty = true;
        }
        active = value;
    }

    /** Updates lane totals; asks for a fresh listing when one is due and the lanes are shown. */
    public void apply(EngineSnapshot snapshot) {
        for (int p = 0; p < LANES && p < snapshot.queuedByPriority().size(); p++) {
            lanes.get(p).total.set(snapshot.queuedByPriority().get(p));
        }
        Instant now = snapshot.takenAt();
        if (active && !listing && (dirty || lastListed == null || Duration.between(lastListed, now).compareTo(REFRESH) >= 0)) {
            lastListed = now;
            refresh();
        }
    }

    /** The task in the inspector, or null. */
    public javafx.beans.property.ReadOnlyObjectProperty<TaskDetails> inspectedProperty() {
        return inspected.getReadOnlyProperty();
    }

    /** Opens a task in the inspector (and refreshes it there when asked again). */
    public void inspect(String taskId) {
        commands.task(taskId).thenAccept(found -> inspected.set(found.map(TaskDetails::of).orElse(null)));
    }

    /** Asks the engine for the waiting tasks now. */
    public void refresh() {
        listing = true;
        dirty = false;
        commands.waitingTasks(LIMIT_PER_LANE).whenComplete((tasks, error) -> {
            listing = false;
            if (error == null) {
                lastListing = tasks;
                distribute();
            }
        });
        TaskDetails open = inspected.get();
        if (open != null) {
            inspect(open.id());
        }
    }

    /**
     * Moves tasks to {@code priority}: each row jumps to its new lane at once; the engine
     * applies each move atomically, and refused ones (a task that started meanwhile is still
     * moved; one that finished is refused) come back with the next listing.
     */
    public CompletableFuture<Void> move(Collection<String> taskIds, int priority) {
        if (priority < 0 || priority >= LANES) {
            throw new IllegalArgumentException("priority must be between 0 and " + (LANES - 1) + ", got " + priority);
        }
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (String id : List.copyOf(taskIds)) {
            moveLocally(id, priority);
            sent.add(commands.reprioritize(id, priority));
        }
        return settle(sent);
    }

    /** Cancels tasks; they leave their lane at once. */
    public CompletableFuture<Void> cancel(Collection<String> taskIds) {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (String id : List.copyOf(taskIds)) {
            for (Lane lane : lanes) {
                lane.tasks.removeIf(row -> row.id().equals(id));
            }
            sent.add(commands.cancel(id));
        }
        return settle(sent);
    }

    private CompletableFuture<Void> settle(List<CompletableFuture<?>> sent) {
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                .handle((ok, error) -> null)
                .thenRun(() -> dirty = true)
                .thenApply(v -> null);
    }

    private void moveLocally(String id, int priority) {
        for (Lane lane : lanes) {
            for (int i = 0; i < lane.tasks.size(); i++) {
                TaskRow row = lane.tasks.get(i);
                if (row.id().equals(id)) {
                    lane.tasks.remove(i);
                    TaskRow moved = new TaskRow(row.id(), row.model(), row.tenant(), priority, row.state(), row.waitedMs(),
                            row.promptTokens(), row.outputTokens(), row.attempts());
                    insertByWait(lanes.get(priority).tasks, moved);
                    return;
                }
            }
        }
    }

    /** Lanes list the longest-waiting first; a moved task keeps its accumulated wait in the engine. */
    private static void insertByWait(ObservableList<TaskRow> tasks, TaskRow row) {
        int at = 0;
        while (at < tasks.size() && tasks.get(at).waitedMs() >= row.waitedMs()) {
            at++;
        }
        tasks.add(at, row);
    }

    private void distribute() {
        String f = filter.get() == null ? "" : filter.get().trim().toLowerCase(Locale.ROOT);
        List<List<TaskRow>> byLane = new ArrayList<>();
        for (int p = 0; p < LANES; p++) {
            byLane.add(new ArrayList<>());
        }
        for (TaskView view : lastListing) {
            TaskRow row = TaskRow.of(view);
            if (row.priority() >= 0 && row.priority() < LANES && row.matches(f)) {
                byLane.get(row.priority()).add(row);
            }
        }
        for (int p = 0; p < LANES; p++) {
            List<TaskRow> rows = byLane.get(p);
            rows.sort((a, b) -> Double.compare(b.waitedMs(), a.waitedMs()));
            if (!rows.equals(lanes.get(p).tasks)) {
                lanes.get(p).tasks.setAll(rows);
            }
        }
    }
}
