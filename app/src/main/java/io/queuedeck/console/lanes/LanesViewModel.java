package io.queuedeck.console.lanes;

import io.queuedeck.console.gateway.EngineCommands;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tier;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
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
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The queue itself: one lane per priority with its waiting tasks, plus the dead letters. The
 * engine is asked for the waiting tasks about once a second (and right after a move), at most
 * {@value #LIMIT_PER_LANE} per lane, each lane in the order it dispatches; lane totals come from
 * every snapshot. A move shows at once (the row jumps lanes or places) and the next listing
 * confirms it.
 */
public final class LanesViewModel {
    public static final int LANES = 10;
    public static final int LIMIT_PER_LANE = 1_000;
    static final Duration REFRESH = Duration.ofSeconds(1);

    /** One waiting task as a lane shows it. */
    public record TaskRow(String id, String model, String tenant, int priority, int level, String state, double waitedMs,
                          int promptTokens, int outputTokens, int attempts) {
        static TaskRow of(TaskView v) {
            String tenant = v.spec().tenant() == null ? "" : v.spec().tenant();
            Integer prompt = v.spec().promptTokens();
            return new TaskRow(v.id(), v.spec().model(), tenant, v.priority(), v.level(), v.state().name().toLowerCase(Locale.ROOT),
                    v.waitedNanos() / 1e6, prompt == null ? 0 : prompt, v.outputTokens(), v.attempts());
        }

        boolean matches(String filter) {
            return filter.isEmpty() || id.toLowerCase(Locale.ROOT).contains(filter)
                    || model.toLowerCase(Locale.ROOT).contains(filter) || tenant.toLowerCase(Locale.ROOT).contains(filter)
                    || state.contains(filter);
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
        private final javafx.beans.property.ReadOnlyStringWrapper title = new javafx.beans.property.ReadOnlyStringWrapper(this, "title");
        private final javafx.beans.property.ReadOnlyObjectWrapper<io.queuedeck.engine.tier.TierMode> mode =
                new javafx.beans.property.ReadOnlyObjectWrapper<>(this, "mode", io.queuedeck.engine.tier.TierMode.ACTIVE);

        Lane(int priority) {
            this.priority = priority;
            title.set(priorityTitle(priority));
        }

        static String priorityTitle(int priority) {
            return "P" + priority + " · " + Tier.of(priority).name().toLowerCase(Locale.ROOT);
        }

        public int priority() { return priority; }
        /** The tasks shown (filtered, at most the limit), longest-waiting first. */
        public ObservableList<TaskRow> tasks() { return readOnly; }
        /** All waiting tasks of this priority, from the latest snapshot. */
        public ReadOnlyIntegerProperty totalProperty() { return total.getReadOnlyProperty(); }
        /**
         * Whether this lane is active, paused or draining: its own mode, or its tier's when the
         * lane itself is active (always active in the level view).
         */
        public javafx.beans.property.ReadOnlyObjectProperty<io.queuedeck.engine.tier.TierMode> modeProperty() {
            return mode.getReadOnlyProperty();
        }

        /** "P3 · normal", or "L2 · MLFQ level" while the lanes show policy levels. */
        public javafx.beans.property.ReadOnlyStringProperty titleProperty() { return title.getReadOnlyProperty(); }
    }

    private final EngineCommands commands;
    private final javafx.beans.property.ReadOnlyBooleanWrapper byLevel = new javafx.beans.property.ReadOnlyBooleanWrapper(this, "byLevel");
    private final javafx.beans.property.ReadOnlyIntegerWrapper levels = new javafx.beans.property.ReadOnlyIntegerWrapper(this, "levels", 1);
    private List<Integer> levelTotals = List.of();
    private List<Integer> priorityTotals = List.of();
    private final javafx.beans.property.ReadOnlyObjectWrapper<java.util.Map<Tier, io.queuedeck.engine.tier.TierMode>> tierModes =
            new javafx.beans.property.ReadOnlyObjectWrapper<>(this, "tierModes", java.util.Map.of());
    private final List<Lane> lanes = new ArrayList<>();
    private List<io.queuedeck.engine.tier.TierMode> laneModes = List.of();
    private final javafx.beans.property.ReadOnlyBooleanWrapper laneOrderKept =
            new javafx.beans.property.ReadOnlyBooleanWrapper(this, "laneOrderKept", true);
    private final ObservableList<TaskRow> deadLetters = FXCollections.observableArrayList();
    private long deadLetteredSeen = -1;
    private final ReadOnlyIntegerWrapper deadLetterTotal = new ReadOnlyIntegerWrapper(this, "deadLetterTotal");
    private String policy = "priority";
    private final javafx.beans.property.ReadOnlyObjectWrapper<TaskDetails> inspected =
            new javafx.beans.property.ReadOnlyObjectWrapper<>(this, "inspected");
    private final javafx.beans.property.ReadOnlyStringWrapper notice =
            new javafx.beans.property.ReadOnlyStringWrapper(this, "notice", "");
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
        priorityTotals = snapshot.queuedByPriority();
        if (!snapshot.tierModes().equals(tierModes.get()) || !snapshot.laneModes().equals(laneModes)) {
            tierModes.set(snapshot.tierModes());
            laneModes = snapshot.laneModes();
            updateModes();
        }
        if (!snapshot.policy().equals(policy)) {
            policy = snapshot.policy();
            laneOrderKept.set(io.queuedeck.engine.policy.PolicyRegistry.keepsLaneOrder(policy));
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
            lane.title.set(!levelView ? Lane.priorityTitle(i) : i < levels.get() ? "L" + i + " · policy level" : "–");
        }
        updateTotals();
        updateModes();
        distribute();
    }

    public javafx.beans.property.ReadOnlyBooleanProperty byLevelProperty() {
        return byLevel.getReadOnlyProperty();
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
            boolean sameLane = ids.stream().allMatch(id -> laneOf(id) == lane);
            if (beforeId != null && sameLane) {
                notice.set("The " + policy + " policy orders each lane itself: places within a lane hold under fifo, priority or mlfq");
                return;
            }
            move(ids, lane);
            return;
        }
        place(ids, lane, beforeId);
    }

    /**
     * Moves the selected tasks of one lane up or down by one, or to its front or back (fifo, priority and mlfq keep such places; other policies refuse, and the operator is told why).
     */
    public CompletableFuture<Void> shift(Collection<String> taskIds, Shift shift) {
        List<String> ids = List.copyOf(taskIds);
        if (ids.isEmpty() || byLevel.get()) {
            return CompletableFuture.completedFuture(null);
        }
        int lane = laneOf(ids.getFirst());
        if (lane < 0 || ids.stream().anyMatch(id -> laneOf(id) != lane)) {
            notice.set("Select tasks of one lane to move them within it");
            return CompletableFuture.completedFuture(null);
        }
        if (!laneOrderKept.get()) {
            notice.set("The " + policy + " policy orders each lane itself: places within a lane hold under fifo, priority or mlfq");
            return CompletableFuture.completedFuture(null);
        }
        List<TaskRow> rows = lanes.get(lane).tasks;
        List<String> order = rows.stream().map(TaskRow::id).toList();
        java.util.Set<String> chosen = java.util.Set.copyOf(ids);
        List<String> selected = order.stream().filter(chosen::contains).toList(); // in lane order
        List<CompletableFuture<?>> sent = new ArrayList<>();
        switch (shift) {
            case FRONT -> {
                for (String id : selected.reversed()) { // each goes to the front: the last first keeps their order
                    sent.add(commands.send(new Command.Place(id, lane, io.queuedeck.engine.task.Placement.front())));
                }
                reorderLocally(lane, selected, io.queuedeck.engine.task.Placement.front());
            }
            case BACK -> {
                for (String id : selected) {
                    sent.add(commands.send(new Command.Place(id, lane, io.queuedeck.engine.task.Placement.back())));
                }
                reorderLocally(lane, selected, io.queuedeck.engine.task.Placement.back());
            }
            case UP -> {
                int first = order.indexOf(selected.getFirst());
                if (first == 0) {
                    return CompletableFuture.completedFuture(null);
                }
                String above = order.get(first - 1);
                for (String id : selected) {
                    sent.add(commands.send(new Command.Place(id, lane, io.queuedeck.engine.task.Placement.before(above))));
                }
                reorderLocally(lane, selected, io.queuedeck.engine.task.Placement.before(above));
            }
            case DOWN -> {
                int last = order.indexOf(selected.getLast());
                if (last == order.size() - 1) {
                    return CompletableFuture.completedFuture(null);
                }
                String below = order.get(last + 1);
                for (String id : selected.reversed()) { // each goes just after it: the last first keeps their order
                    sent.add(commands.send(new Command.Place(id, lane, io.queuedeck.engine.task.Placement.after(below))));
                }
                reorderLocally(lane, selected, io.queuedeck.engine.task.Placement.after(below));
            }
        }
        return settle(sent);
    }

    /** Whether the live policy keeps the places operators give tasks within a lane (fifo, priority, mlfq). */
    public javafx.beans.property.ReadOnlyBooleanProperty laneOrderKeptProperty() {
        return laneOrderKept.getReadOnlyProperty();
    }

    private CompletableFuture<Void> place(List<String> ids, int lane, String beforeId) {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (String id : ids) { // each goes just ahead of the anchor: in order, they end up in order
            sent.add(commands.send(new Command.Place(id, lane, io.queuedeck.engine.task.Placement.before(beforeId))));
        }
        for (String id : ids) {
            int from = laneOf(id);
            if (from >= 0 && from != lane) {
                moveLocally(id, lane);
            }
        }
        reorderLocally(lane, ids, io.queuedeck.engine.task.Placement.before(beforeId));
        return settle(sent);
    }

    /** Puts the rows of the tasks in {@code order} (already in this lane) together at {@code placement}, as the engine will. */
    private void reorderLocally(int lane, List<String> order, io.queuedeck.engine.task.Placement placement) {
        java.util.Set<String> ids = new java.util.LinkedHashSet<>(order);
        ObservableList<TaskRow> rows = lanes.get(lane).tasks;
        java.util.Map<String, TaskRow> byId = new java.util.HashMap<>();
        List<TaskRow> rest = new ArrayList<>(rows.size());
        for (TaskRow row : rows) { // one pass: a lane holds up to 1,000 rows, a selection as many
            if (ids.contains(row.id())) {
                byId.put(row.id(), row);
            } else {
                rest.add(row);
            }
        }
        List<TaskRow> moved = ids.stream().map(byId::get).filter(Objects::nonNull).toList();
        int at = switch (placement) {
            case io.queuedeck.engine.task.Placement.Front front -> 0;
            case io.queuedeck.engine.task.Placement.Back back -> rest.size();
            case io.queuedeck.engine.task.Placement.Before before -> indexOf(rest, before.taskId(), rest.size());
            case io.queuedeck.engine.task.Placement.After after -> indexOf(rest, after.taskId(), rest.size() - 1) + 1;
        };
        rest.addAll(at, moved);
        rows.setAll(rest);
    }

    private static int indexOf(List<TaskRow> rows, String id, int otherwise) {
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).id().equals(id)) {
                return i;
            }
        }
        return otherwise;
    }

    private int laneOf(String id) {
        for (Lane lane : lanes) {
            for (TaskRow row : lane.tasks) {
                if (row.id().equals(id)) {
                    return lane.priority;
                }
            }
        }
        return -1;
    }

    /** Pauses one priority lane (its tasks stay queued), drains it, or makes it active again. */
    public void setLaneMode(int priority, io.queuedeck.engine.tier.TierMode mode) {
        commands.send(new Command.SetLaneMode(priority, mode));
    }

    /** The lane's own mode, from the latest snapshot (its tier may still hold it). */
    public io.queuedeck.engine.tier.TierMode laneMode(int priority) {
        return priority < laneModes.size() ? laneModes.get(priority) : io.queuedeck.engine.tier.TierMode.ACTIVE;
    }

    /** Dead letters the engine keeps, from the latest snapshot (the list holds the oldest {@value #LIMIT_PER_LANE}). */
    public ReadOnlyIntegerProperty deadLetterTotalProperty() {
        return deadLetterTotal.getReadOnlyProperty();
    }

    /** Dead-lettered tasks the engine keeps, oldest first, refreshed when their count changes. */
    public ObservableList<TaskRow> deadLetters() {
        return FXCollections.unmodifiableObservableList(deadLetters);
    }

    /** Queues dead-lettered tasks again, each with a fresh set of attempts; they leave the dead letters at once. */
    public CompletableFuture<Void> retry(Collection<String> taskIds) {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (String id : List.copyOf(taskIds)) {
            deadLetters.removeIf(row -> row.id().equals(id));
            sent.add(commands.send(new Command.RetryDeadLetter(id)));
        }
        return settle(sent);
    }

    /** Each tier's mode, from the latest snapshot. */
    public javafx.beans.property.ReadOnlyObjectProperty<java.util.Map<Tier, io.queuedeck.engine.tier.TierMode>> tierModesProperty() {
        return tierModes.getReadOnlyProperty();
    }

    /**
     * Pauses a tier's lanes (their tasks stay queued, none is dispatched), drains them (no new
     * submissions, what they hold is dispatched), or makes them active again.
     */
    public void setTierMode(Tier tier, io.queuedeck.engine.tier.TierMode mode) {
        commands.send(new Command.SetTierMode(tier, mode));
    }

    private void updateModes() {
        for (Lane lane : lanes) {
            io.queuedeck.engine.tier.TierMode own = laneMode(lane.priority);
            lane.mode.set(byLevel.get() ? io.queuedeck.engine.tier.TierMode.ACTIVE
                    : own != io.queuedeck.engine.tier.TierMode.ACTIVE ? own
                    : tierModes.get().getOrDefault(Tier.of(lane.priority), io.queuedeck.engine.tier.TierMode.ACTIVE));
        }
    }

    private void updateTotals() {
        List<Integer> totals = byLevel.get() ? levelTotals : priorityTotals;
        for (int i = 0; i < LANES; i++) {
            lanes.get(i).total.set(i < totals.size() ? totals.get(i) : 0);
        }
    }

    /** The task in the inspector, or null. */
    public javafx.beans.property.ReadOnlyObjectProperty<TaskDetails> inspectedProperty() {
        return inspected.getReadOnlyProperty();
    }

    /** A message for the operator about the last lookup, or empty. */
    public javafx.beans.property.ReadOnlyStringProperty noticeProperty() {
        return notice.getReadOnlyProperty();
    }

    /** Opens a task in the inspector (and refreshes it there when asked again). */
    public void inspect(String taskId) {
        commands.send(new Command.FindTask(taskId)).thenAccept(found -> {
            TaskDetails details = found.map(TaskDetails::of).orElse(null);
            inspected.set(details);
            notice.set(details == null ? "No task with id '" + taskId + "' (finished tasks are kept for a while, then forgotten)" : "");
            if (details != null && (details.state().equals("queued") || details.state().equals("preempted"))) {
                // why it sits where it does: only scoring policies (weighted) answer with factors
                commands.send(new Command.Explain(taskId)).thenAccept(score -> score.ifPresent(s -> {
                    TaskDetails shown = inspected.get();
                    if (shown != null && shown.id().equals(taskId)) {
                        inspected.set(shown.withScore(s));
                    }
                }));
            }
        });
    }

    /** Asks the engine for the waiting tasks now. */
    public void refresh() {
        listing = true;
        dirty = false;
        commands.send(new Command.WaitingTasks(LIMIT_PER_LANE)).whenComplete((tasks, error) -> {
            listing = false;
            if (error == null) {
                lastListing = tasks;
                distribute();
            }
        });
        commands.send(new Command.ListTasks(new TaskQuery(TaskState.DEAD_LETTERED, null, -1, LIMIT_PER_LANE)))
                .thenApply(TaskPage::tasks).whenComplete((tasks, error) -> {
            if (error == null) {
                List<TaskRow> rows = tasks.stream().map(TaskRow::of).toList();
                if (!rows.equals(deadLetters)) {
                    // in place, not setAll: the operator's selection in the list survives a new dead letter
                    java.util.Set<TaskRow> listed = new java.util.HashSet<>(rows); // up to 1,000 rows a second: no quadratic scan
                    deadLetters.removeIf(row -> !listed.contains(row));
                    for (int i = 0; i < rows.size(); i++) {
                        if (i >= deadLetters.size() || !deadLetters.get(i).equals(rows.get(i))) {
                            deadLetters.add(i, rows.get(i));
                        }
                    }
                }
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
            sent.add(commands.send(new Command.Reprioritize(id, priority)));
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
            sent.add(commands.send(new Command.Cancel(id)));
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
                    TaskRow moved = new TaskRow(row.id(), row.model(), row.tenant(), priority, row.level(), row.state(), row.waitedMs(),
                            row.promptTokens(), row.outputTokens(), row.attempts());
                    insertByWait(lanes.get(priority).tasks, moved);
                    return;
                }
            }
        }
    }

    /** Until the next listing shows its place, a moved task goes by its wait: arrival order, roughly. */
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
            int lane = byLevel.get() ? row.level() : row.priority();
            if (lane >= 0 && lane < LANES && row.matches(f)) {
                byLane.get(lane).add(row);
            }
        }
        for (int p = 0; p < LANES; p++) {
            List<TaskRow> rows = byLane.get(p); // the engine lists each lane in dispatch order
            if (!rows.equals(lanes.get(p).tasks)) {
                lanes.get(p).tasks.setAll(rows);
            }
        }
    }
}
