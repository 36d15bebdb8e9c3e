package io.queuedeck.console.lanes;

import io.queuedeck.console.gateway.EngineCommands;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.concurrent.CompletableFuture;

/**
 * The queue itself: one lane per priority with its waiting tasks, plus the dead letters. The
 * engine is asked for the waiting tasks about once a second (and right after a move), at most
 * {@value #LIMIT_PER_LANE} per lane, each lane in the order it dispatches; lane totals come from
 * every snapshot. Rows keep their identity across listings ({@link LaneRows}): the operator's
 * selection survives them. A move shows at once and the next listing confirms it.
 */
public final class LanesViewModel {
    public static final int LANES = 10;
    public static final int LIMIT_PER_LANE = 1_000;
    static final Duration REFRESH = Duration.ofSeconds(1);
    static final String NOTHING_SELECTED = "Nothing selected: click a task first (Shift/Ctrl+click for more)";

    /**
     * One waiting task as a lane shows it.
     *
     * @param waitOriginNanos engine-clock time from which its wait counts: the wait shown is the
     *                        clock minus this, so the row stays the same object while it waits
     */
    public record TaskRow(String id, String model, String tenant, int priority, int level, String state, long waitOriginNanos,
                          int promptTokens, int outputTokens, int attempts) {
        static TaskRow of(TaskView v, long clockNanos) {
            String tenant = v.spec().tenant() == null ? "" : v.spec().tenant();
            Integer prompt = v.spec().promptTokens();
            return new TaskRow(v.id(), v.spec().model(), tenant, v.priority(), v.level(), v.state().name().toLowerCase(Locale.ROOT),
                    clockNanos - v.waitedNanos(), prompt == null ? 0 : prompt, v.outputTokens(), v.attempts());
        }

        /** Time waited at engine time {@code clockNanos}. */
        public double waitedMs(long clockNanos) {
            return Math.max(0, clockNanos - waitOriginNanos) / 1e6;
        }

        TaskRow withPriority(int value) {
            return new TaskRow(id, model, tenant, value, level, state, waitOriginNanos, promptTokens, outputTokens, attempts);
        }

        TaskRow withWaitOrigin(long value) {
            return new TaskRow(id, model, tenant, priority, level, state, value, promptTokens, outputTokens, attempts);
        }

        boolean matches(String filter) {
            return filter.isEmpty() || id.toLowerCase(Locale.ROOT).contains(filter)
                    || model.toLowerCase(Locale.ROOT).contains(filter) || tenant.toLowerCase(Locale.ROOT).contains(filter)
                    || state.contains(filter);
        }

        /** "850ms", "12s", "4m05s", "2h13m": short enough for a lane's wait column. */
        public static String compactWait(double ms) {
            long s = (long) (ms / 1000);
            if (s < 1) {
                return String.format(Locale.ROOT, "%.0fms", ms);
            }
            if (s < 60) {
                return s + "s";
            }
            if (s < 3600) {
                return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
            }
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        }
    }

    /** Where {@link #shift} moves the selected tasks within their lane. */
    public enum Shift { UP, DOWN, FRONT, BACK }

    /** One priority's lane. */
    public static final class Lane {
        private final int priority;
        private final ObservableList<TaskRow> tasks = FXCollections.observableArrayList();
        private final ObservableList<TaskRow> readOnly = FXCollections.unmodifiableObservableList(tasks);
        private final ReadOnlyIntegerWrapper total = new ReadOnlyIntegerWrapper(this, "total");
        private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper(this, "title");
        private final ReadOnlyObjectWrapper<TierMode> mode = new ReadOnlyObjectWrapper<>(this, "mode", TierMode.ACTIVE);
        private final ReadOnlyObjectWrapper<TierMode> ownMode = new ReadOnlyObjectWrapper<>(this, "ownMode", TierMode.ACTIVE);

        Lane(int priority) {
            this.priority = priority;
            title.set(priorityTitle(priority, Map.of()));
        }

        /** "P4 · normal": the tier by the snapshot's table (decision 0070), the default one before the first snapshot. */
        static String priorityTitle(int priority, Map<Tier, TierMode> tierModes) {
            return "P" + priority + " · " + WhyHere.tierOf(tierModes, priority).name();
        }

        public int priority() { return priority; }
        /** The tasks shown (filtered, at most the limit), in dispatch order. */
        public ObservableList<TaskRow> tasks() { return readOnly; }
        /** All waiting tasks of this priority, from the latest snapshot. */
        public ReadOnlyIntegerProperty totalProperty() { return total.getReadOnlyProperty(); }
        /**
         * Whether this lane is active, paused or draining: its own mode, or its tier's when the
         * lane itself is active (always active in the level view).
         */
        public ReadOnlyObjectProperty<TierMode> modeProperty() { return mode.getReadOnlyProperty(); }
        /** The lane's own mode, whatever its tier's: what its ⋮ menu changes. */
        public ReadOnlyObjectProperty<TierMode> ownModeProperty() { return ownMode.getReadOnlyProperty(); }
        /** "P3 · normal", or "L2 · level" while the lanes show policy levels. */
        public ReadOnlyStringProperty titleProperty() { return title.getReadOnlyProperty(); }
    }

    private final EngineCommands commands;
    private final ReadOnlyBooleanWrapper byLevel = new ReadOnlyBooleanWrapper(this, "byLevel");
    /** Whether a listing of the waiting tasks has come back since the screen was built. */
    private final ReadOnlyBooleanWrapper listed = new ReadOnlyBooleanWrapper(this, "listed");
    private final ReadOnlyIntegerWrapper levels = new ReadOnlyIntegerWrapper(this, "levels", 1);
    private final ReadOnlyLongWrapper clockNanos = new ReadOnlyLongWrapper(this, "clockNanos");
    /** The latest snapshot's wall time and per tier × tenant flow figures, for "why is this task here?". */
    private java.time.Instant takenAt = java.time.Instant.EPOCH;
    private List<io.queuedeck.engine.snapshot.FlowStats.TenantFlow> tenantFlow = List.of();
    private List<io.queuedeck.engine.exec.InstanceStatus> instances = List.of();
    private List<Integer> levelTotals = List.of();
    private List<Integer> priorityTotals = List.of();
    private final ReadOnlyObjectWrapper<Map<Tier, TierMode>> tierModes = new ReadOnlyObjectWrapper<>(this, "tierModes", Map.of());
    private final List<Lane> lanes = new ArrayList<>();
    private List<TierMode> laneModes = List.of();
    private final ReadOnlyBooleanWrapper laneOrderKept = new ReadOnlyBooleanWrapper(this, "laneOrderKept", true);
    private final ObservableList<TaskRow> deadLetters = FXCollections.observableArrayList();
    private final ObservableList<TaskRow> readOnlyDeadLetters = FXCollections.unmodifiableObservableList(deadLetters);
    private long deadLetteredSeen = -1;
    private final ReadOnlyIntegerWrapper deadLetterTotal = new ReadOnlyIntegerWrapper(this, "deadLetterTotal");
    private String policy = "priority";
    private boolean dispatchPaused;
    private final ReadOnlyStringWrapper notice = new ReadOnlyStringWrapper(this, "notice", "");
    /** How long a notice stays: "Retried: queued again" stood for six minutes after the task had failed again. */
    static final java.time.Duration NOTICE_LASTS = java.time.Duration.ofSeconds(20);
    /** The first snapshot's time after the notice last changed; null until that snapshot. */
    private java.time.Instant noticeSince;
    private final StringProperty filter = new SimpleStringProperty(this, "filter", "");
    private final LaneMoves moves;
    private final InspectorViewModel inspector;
    private List<TaskRow> lastListing = List.of();
    private List<List<TaskRow>> listedByPriority = List.of();
    private boolean listing;
    private boolean dirty = true;
    private boolean active = true;
    private Instant lastListed;

    /**
     * Where a move the screen itself refuses is told (the console: a notification, as for an engine
     * refusal; the toolbar's hint alone was cut at 1280 px and the move seemed ignored). FX thread.
     */
    public void onRefused(Consumer<io.queuedeck.console.gateway.CommandFailure> sink) {
        refusals = Objects.requireNonNull(sink, "sink");
    }

    private Consumer<io.queuedeck.console.gateway.CommandFailure> refusals = failure -> { };
    private String refusedNotice;

    /** Whether {@code notice} is a refusal, which the console has already shown as one. */
    public boolean isRefusal(String notice) {
        return notice.equals(refusedNotice);
    }

    private void refuse(String reason) {
        refusedNotice = reason;
        notice.set(reason);
        refusals.accept(new io.queuedeck.console.gateway.CommandFailure("Move within a lane", reason));
    }

    public LanesViewModel(EngineCommands commands) {
        this.commands = Objects.requireNonNull(commands, "commands");
        for (int p = 0; p < LANES; p++) {
            lanes.add(new Lane(p));
        }
        notice.addListener((o, was, now) -> noticeSince = null);
        moves = new LaneMoves(commands, lanes.stream().map(l -> l.tasks).toList(), notice::set, () -> dirty = true,
                this::refuse);
        inspector = new InspectorViewModel(commands, this::whyHere, notice::set, new InspectorViewModel.Actions() {
            @Override
            public CompletableFuture<Void> move(List<String> ids, int priority) { return LanesViewModel.this.move(ids, priority); }

            @Override
            public CompletableFuture<Void> cancel(List<String> ids) { return LanesViewModel.this.cancel(ids); }

            @Override
            public CompletableFuture<Void> retry(List<String> ids) { return LanesViewModel.this.retry(ids); }
        });
        filter.addListener((o, a, v) -> distribute());
    }

    public List<Lane> lanes() {
        return lanes;
    }

    /** Search text: tasks whose id, model, tenant or state contains it (case-insensitive). */
    public StringProperty filterProperty() {
        return filter;
    }

    /** The engine clock of the latest snapshot: rows show their wait against it. */
    public ReadOnlyLongProperty clockNanosProperty() {
        return clockNanos.getReadOnlyProperty();
    }

    /** The task inspector. */
    public InspectorViewModel inspector() {
        return inspector;
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
        clockNanos.set(snapshot.clockNanos());
        takenAt = snapshot.takenAt();
        if (noticeSince == null) {
            noticeSince = takenAt;
        } else if (!notice.get().isEmpty() && java.time.Duration.between(noticeSince, takenAt).compareTo(NOTICE_LASTS) >= 0) {
            notice.set(""); // what it said may have stopped being true: the lanes themselves say what holds now
        }
        tenantFlow = snapshot.flow().tenants();
        instances = snapshot.instances();
        dispatchPaused = snapshot.dispatchPaused();
        priorityTotals = snapshot.queuedByPriority();
        if (!snapshot.tierModes().equals(tierModes.get()) || !snapshot.laneModes().equals(laneModes)) {
            tierModes.set(snapshot.tierModes());
            laneModes = snapshot.laneModes();
            updateModes();
        }
        if (!snapshot.policy().equals(policy)) {
            policy = snapshot.policy();
            laneOrderKept.set(PolicyRegistry.keepsLaneOrder(policy));
        }
        deadLetterTotal.set(snapshot.queuedByTier().getOrDefault(Tier.DEAD_LETTER, 0));
        if (snapshot.counters().deadLettered() != deadLetteredSeen) {
            deadLetteredSeen = snapshot.counters().deadLettered();
            dirty = true;
        }
        levelTotals = snapshot.queuedByLevel();
        levels.set(Math.min(LANES, levelTotals.size()));
        if (byLevel.get() && levels.get() < 2) {
            setByLevel(false); // the policy was switched to a flat one
        }
        updateTotals();
        Instant now = snapshot.takenAt();
        if (active && !listing && (dirty || lastListed == null || Duration.between(lastListed, now).compareTo(REFRESH) >= 0)) {
            lastListed = now;
            refresh();
        }
    }

    /**
     * Shows one lane per policy level (MLFQ's levels) instead of per priority. Tasks cannot be
     * dropped onto a level (the policy moves them between levels); "Move selected" still sets
     * priorities.
     */
    public void setByLevel(boolean value) {
        boolean levelView = value && levels.get() > 1;
        byLevel.set(levelView);
        for (Lane lane : lanes) {
            int i = lane.priority;
            lane.title.set(!levelView ? Lane.priorityTitle(i, tierModes.get()) : i < levels.get() ? "L" + i + " · level" : "–");
        }
        updateTotals();
        updateModes();
        distribute();
    }

    public ReadOnlyBooleanProperty byLevelProperty() {
        return byLevel.getReadOnlyProperty();
    }

    /**
     * Whether a listing has come back: a level lane with a total and no rows after it holds only
     * tasks behind the first {@value #LIMIT_PER_LANE} of each priority (the listing is by priority).
     */
    public ReadOnlyBooleanProperty listedProperty() {
        return listed.getReadOnlyProperty();
    }

    /** Levels of the live policy (1 for flat policies). */
    public ReadOnlyIntegerProperty levelsProperty() {
        return levels.getReadOnlyProperty();
    }

    /** A drop of {@code taskIds} on lane {@code lane}'s free space: a move to that priority, or nothing in the level view. */
    public void drop(Collection<String> taskIds, int lane) {
        drop(taskIds, lane, null);
    }

    /**
     * A drop of {@code taskIds} onto the row of task {@code beforeId} in lane {@code lane}: the
     * tasks go just ahead of it, in their order, when the live policy keeps lane order; under a
     * policy that orders lanes itself they only change priority. Null {@code beforeId}: the
     * lane's free space. Nothing happens in the level view (the policy moves tasks between levels).
     */
    public void drop(Collection<String> taskIds, int lane, String beforeId) {
        if (byLevel.get()) {
            return;
        }
        List<String> ids = List.copyOf(taskIds).stream().filter(id -> !id.equals(beforeId)).toList();
        if (beforeId == null || !laneOrderKept.get()) {
            boolean sameLane = ids.stream().allMatch(id -> moves.laneOf(id) == lane);
            if (beforeId != null && sameLane) {
                refuse("The " + policy + LaneMoves.ORDERS_ITSELF);
                return;
            }
            move(ids, lane);
            return;
        }
        moves.place(ids, lane, beforeId);
    }

    /**
     * Moves the selected tasks of one lane up or down by one, or to its front or back (fifo,
     * priority and mlfq keep such places; other policies refuse, and the operator is told why).
     */
    public CompletableFuture<Void> shift(Collection<String> taskIds, Shift shift) {
        if (taskIds.isEmpty()) {
            notice.set(NOTHING_SELECTED);
            return CompletableFuture.completedFuture(null);
        }
        if (byLevel.get()) {
            notice.set("Places within a level are the policy's: switch off \"By policy level\" to move tasks");
            return CompletableFuture.completedFuture(null);
        }
        return moves.shift(List.copyOf(taskIds), shift, policy, laneOrderKept.get());
    }

    /** Whether the live policy keeps the places operators give tasks within a lane (fifo, priority, mlfq). */
    public ReadOnlyBooleanProperty laneOrderKeptProperty() {
        return laneOrderKept.getReadOnlyProperty();
    }

    /** Pauses one priority lane (its tasks stay queued), drains it, or makes it active again. */
    public void setLaneMode(int priority, TierMode mode) {
        commands.send(new Command.SetLaneMode(priority, mode));
    }

    /** The lane's own mode, from the latest snapshot (its tier may still hold it). */
    public TierMode laneMode(int priority) {
        return priority < laneModes.size() ? laneModes.get(priority) : TierMode.ACTIVE;
    }

    /** Dead letters the engine keeps, from the latest snapshot (the list holds the oldest {@value #LIMIT_PER_LANE}). */
    public ReadOnlyIntegerProperty deadLetterTotalProperty() {
        return deadLetterTotal.getReadOnlyProperty();
    }

    /** Dead-lettered tasks the engine keeps, oldest first, refreshed when their count changes. */
    public ObservableList<TaskRow> deadLetters() {
        return readOnlyDeadLetters; // one wrapper: a listener added to a new one each call was collected with it
    }

    /** Queues dead-lettered tasks again, each with a fresh set of attempts; they leave the dead letters at once. */
    public CompletableFuture<Void> retry(Collection<String> taskIds) {
        if (taskIds.isEmpty()) {
            notice.set(NOTHING_SELECTED);
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<?>> sent = new ArrayList<>();
        java.util.Set<String> ids = java.util.Set.copyOf(taskIds);
        deadLetters.removeIf(row -> ids.contains(row.id()));
        for (String id : List.copyOf(taskIds)) {
            sent.add(commands.send(new Command.RetryDeadLetter(id)));
        }
        // said, because a task that fails again is back in the same row within a second, as if nothing happened
        // short: the toolbar's hint has what the buttons leave, at 1024 px a few words
        String done = ids.size() == 1 ? "Retried: queued again" : "Retried " + ids.size() + ": queued again";
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).thenRun(() -> notice.set(done)); // a refusal says its own
        return moves.settle(sent);
    }

    /** Each tier's mode, from the latest snapshot. */
    public ReadOnlyObjectProperty<Map<Tier, TierMode>> tierModesProperty() {
        return tierModes.getReadOnlyProperty();
    }

    /**
     * Pauses a tier's lanes (their tasks stay queued, none is dispatched), drains them (no new
     * submissions, what they hold is dispatched), or makes them active again.
     */
    public void setTierMode(Tier tier, TierMode mode) {
        commands.send(new Command.SetTierMode(tier, mode));
    }

    /** The mode of the tier holding {@code priority}, by the snapshot's tiers (their keys carry the bands). */
    private static TierMode modeOf(Map<Tier, TierMode> modes, int priority) {
        for (Map.Entry<Tier, TierMode> e : modes.entrySet()) {
            if (e.getKey().holds(priority)) {
                return e.getValue();
            }
        }
        return TierMode.ACTIVE;
    }

    private void updateModes() {
        for (Lane lane : lanes) {
            if (!byLevel.get()) {
                lane.title.set(Lane.priorityTitle(lane.priority, tierModes.get()));
            }
            TierMode own = laneMode(lane.priority);
            lane.ownMode.set(own);
            lane.mode.set(byLevel.get() ? TierMode.ACTIVE
                    : own != TierMode.ACTIVE ? own : modeOf(tierModes.get(), lane.priority));
        }
    }

    private void updateTotals() {
        List<Integer> totals = byLevel.get() ? levelTotals : priorityTotals;
        for (int i = 0; i < LANES; i++) {
            lanes.get(i).total.set(i < totals.size() ? totals.get(i) : 0);
        }
    }

    /** The task in the inspector, or null. */
    public ReadOnlyObjectProperty<TaskDetails> inspectedProperty() {
        return inspector.inspectedProperty();
    }

    /** A message for the operator about the last action or lookup, or empty. */
    public ReadOnlyStringProperty noticeProperty() {
        return notice.getReadOnlyProperty();
    }

    /** Tells the operator something about an action they tried (an empty selection, say). */
    public void tell(String message) {
        notice.set(message);
    }

    /** Opens a task in the inspector (and refreshes it there when asked again). */
    public void inspect(String taskId) {
        inspector.inspect(taskId);
    }

    private WhyHere whyHere() {
        return new WhyHere(policy, laneOrderKept.get(), dispatchPaused, priorityTotals, levelTotals, laneModes, tierModes.get(),
                listedByPriority, clockNanos.get(), takenAt, tenantFlow, instances);
    }

    /** Asks the engine for the waiting tasks now. */
    public void refresh() {
        listing = true;
        dirty = false;
        long asked = clockNanos.get(); // the listing is a little later: a wait may read a little long
        commands.send(new Command.WaitingTasks(LIMIT_PER_LANE)).whenComplete((tasks, error) -> {
            listing = false;
            if (error == null) {
                lastListing = tasks.stream().map(v -> TaskRow.of(v, asked)).toList();
                List<List<TaskRow>> byPriority = new ArrayList<>();
                for (int p = 0; p < LANES; p++) {
                    byPriority.add(new ArrayList<>());
                }
                for (TaskRow row : lastListing) {
                    if (row.priority() >= 0 && row.priority() < LANES) {
                        byPriority.get(row.priority()).add(row);
                    }
                }
                listedByPriority = byPriority;
                distribute();
                listed.set(true);
            }
        });
        commands.send(new Command.ListTasks(new TaskQuery(TaskState.DEAD_LETTERED, null, -1, LIMIT_PER_LANE)))
                .thenApply(TaskPage::tasks).whenComplete((tasks, error) -> {
            if (error == null) {
                LaneRows.update(deadLetters, tasks.stream().map(v -> TaskRow.of(v, asked)).toList());
            }
        });
        inspector.refresh();
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
        if (taskIds.isEmpty()) {
            notice.set(NOTHING_SELECTED);
            return CompletableFuture.completedFuture(null);
        }
        return moves.move(taskIds, priority);
    }

    /** Cancels tasks; they leave their lane at once. */
    public CompletableFuture<Void> cancel(Collection<String> taskIds) {
        if (taskIds.isEmpty()) {
            notice.set(NOTHING_SELECTED);
            return CompletableFuture.completedFuture(null);
        }
        return moves.cancel(taskIds);
    }

    private void distribute() {
        String f = filter.get() == null ? "" : filter.get().trim().toLowerCase(Locale.ROOT);
        List<List<TaskRow>> byLane = new ArrayList<>();
        for (int p = 0; p < LANES; p++) {
            byLane.add(new ArrayList<>());
        }
        for (TaskRow row : lastListing) {
            int lane = byLevel.get() ? row.level() : row.priority();
            if (lane >= 0 && lane < LANES && row.matches(f)) {
                byLane.get(lane).add(row);
            }
        }
        for (int p = 0; p < LANES; p++) {
            LaneRows.update(lanes.get(p).tasks, byLane.get(p)); // the engine lists each lane in dispatch order
        }
    }
}
