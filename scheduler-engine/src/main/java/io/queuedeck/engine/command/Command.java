package io.queuedeck.engine.command;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.ScoreBreakdown;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.Placement;
import io.queuedeck.engine.task.SearchPage;
import io.queuedeck.engine.task.SubmitResult;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskMark;
import io.queuedeck.engine.task.UndoMark;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskSearch;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the engine can be asked to do, as data. {@code Engine.send} runs a command on the
 * scheduler loop and answers with a future of {@code R}; the loop handles every command in one
 * place (an exhaustive switch), so a new command is a record here, its case there, and its callers.
 *
 * <p>{@link Change}s alter the engine's state and have a stable JSON form ({@link CommandJson});
 * {@link Query}s only read.
 *
 * @param <R> the answer's type
 */
public sealed interface Command<R> {

    /** What the command does, in an operator's words: for notifications and logs. */
    String describe();

    /** A command that changes what the engine holds or does. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Submit.class, name = "submit"),
            @JsonSubTypes.Type(value = Cancel.class, name = "cancel"),
            @JsonSubTypes.Type(value = Withdraw.class, name = "withdraw"),
            @JsonSubTypes.Type(value = RetryDeadLetter.class, name = "retry_dead_letter"),
            @JsonSubTypes.Type(value = Reprioritize.class, name = "reprioritize"),
            @JsonSubTypes.Type(value = Place.class, name = "place"),
            @JsonSubTypes.Type(value = PauseDispatch.class, name = "pause_dispatch"),
            @JsonSubTypes.Type(value = Drain.class, name = "drain"),
            @JsonSubTypes.Type(value = SetTierMode.class, name = "set_tier_mode"),
            @JsonSubTypes.Type(value = SetLaneMode.class, name = "set_lane_mode"),
            @JsonSubTypes.Type(value = SwitchPolicy.class, name = "switch_policy"),
            @JsonSubTypes.Type(value = ApplyConfig.class, name = "apply_config"),
            @JsonSubTypes.Type(value = CrashInstance.class, name = "crash_instance"),
            @JsonSubTypes.Type(value = SlowInstance.class, name = "slow_instance"),
            @JsonSubTypes.Type(value = SetInstanceOnline.class, name = "set_instance_online"),
            @JsonSubTypes.Type(value = HangInstance.class, name = "hang_instance"),
            @JsonSubTypes.Type(value = LimitKvCache.class, name = "limit_kv_cache"),
            @JsonSubTypes.Type(value = FailPromptsAbove.class, name = "fail_prompts_above"),
            @JsonSubTypes.Type(value = MarkFault.class, name = "mark_fault"),
            @JsonSubTypes.Type(value = DrainInstance.class, name = "drain_instance"),
            @JsonSubTypes.Type(value = BulkApply.class, name = "bulk_apply"),
            @JsonSubTypes.Type(value = RestoreMarks.class, name = "restore_marks")})
    sealed interface Change<R> extends Command<R> {}

    /** A command that only reads. */
    sealed interface Query<R> extends Command<R> {}

    // ---------------------------------------------------------------- changes

    /**
     * Queues a task. {@code Engine.send} validates the spec (and gives it an id) before it
     * reaches the loop; the loop refuses what cannot run here.
     *
     * @param outputTokens tokens the task generates on a simulated GPU (a trace replay), or -1
     *                     to take {@code max_tokens}
     * @param acceptBy     engine-clock nanos after which the loop refuses the submission unqueued
     *                     ({@link io.queuedeck.engine.task.SubmitExpiredException}), so a sender that
     *                     stops waiting can say "not queued" truthfully; {@link #NO_EXPIRY} for none.
     *                     Not part of the JSON form: it concerns one wait, and a replayed
     *                     submission was accepted already
     * @param mostUrgentAllowed the most urgent priority the sender may use (0 for any): a priority
     *                     rule's choice is capped at it (decision 0031); not in the JSON form either
     */
    record Submit(TaskSpec spec, int outputTokens, @JsonIgnore long acceptBy, @JsonIgnore int mostUrgentAllowed)
            implements Change<SubmitResult> {
        /** An {@code acceptBy} that never passes. */
        public static final long NO_EXPIRY = Long.MAX_VALUE;

        public Submit(TaskSpec spec, int outputTokens, long acceptBy) {
            this(spec, outputTokens, acceptBy, 0);
        }

        public Submit(TaskSpec spec) {
            this(spec, -1, NO_EXPIRY);
        }

        @JsonCreator
        public Submit(@JsonProperty("spec") TaskSpec spec, @JsonProperty("output_tokens") int outputTokens) {
            this(spec, outputTokens, NO_EXPIRY);
        }

        @Override
        public String describe() {
            return "Submit task" + (spec == null || spec.taskId() == null ? "" : " " + spec.taskId());
        }
    }

    /**
     * Cancels a task that has not finished.
     *
     * @param reason why, kept as the task's error (the front door's client went away), or null for an operator's cancel
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record Cancel(String taskId, String reason) implements Change<TaskView> {
        public Cancel {
            Objects.requireNonNull(taskId, "taskId");
        }

        /** An operator's or a client's cancel, which needs no reason. */
        public Cancel(String taskId) {
            this(taskId, null);
        }

        @Override
        public String describe() {
            return "Cancel task " + taskId;
        }
    }

    /**
     * Hands waiting tasks back to where they came from (a cluster node none of whose instances takes
     * work): each one still waiting leaves the engine as if it had never been submitted, with no
     * outcome, no callback and its record deleted. Answers the ids withdrawn; the others are running,
     * finished or unknown, and stay as they are.
     */
    record Withdraw(java.util.List<String> taskIds) implements Change<java.util.List<String>> {
        public Withdraw {
            taskIds = java.util.List.copyOf(taskIds);
        }

        @Override
        public String describe() {
            return "Withdraw " + taskIds.size() + " waiting tasks";
        }
    }

    /** Queues a dead letter again, fresh attempts; {@code withinBudget}: held to the byte budget (a tenant's replay). */
    record RetryDeadLetter(String taskId, boolean withinBudget) implements Change<TaskView> {
        public RetryDeadLetter {
            Objects.requireNonNull(taskId, "taskId");
        }

        public RetryDeadLetter(String taskId) {
            this(taskId, false);
        }

        @Override
        public String describe() {
            return "Retry task " + taskId;
        }
    }

    /** Gives a task another priority; a waiting task takes its new place at once. */
    record Reprioritize(String taskId, int priority) implements Change<TaskView> {
        public Reprioritize {
            Objects.requireNonNull(taskId, "taskId");
        }

        @Override
        public String describe() {
            return "Move task " + taskId + " to priority " + priority;
        }
    }

    /**
     * Moves a waiting task to a place in a lane, in one step. Refused under policies that order
     * a lane by a score of their own.
     *
     * @param priority the lane; null for the lane the placement names (the anchor's for before
     *                 and after, read on the loop; the task's own for front and back)
     */
    record Place(String taskId, Integer priority, Placement placement) implements Change<TaskView> {
        public Place {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(placement, "placement");
        }

        @Override
        public String describe() {
            return "Move task " + taskId + " within lane " + (priority == null ? "" : "P" + priority);
        }
    }

    /** Pauses (true) or resumes (false) all dispatch; running tasks go on. */
    record PauseDispatch(boolean paused) implements Change<Void> {
        @Override
        public String describe() {
            return paused ? "Pause dispatch" : "Resume dispatch";
        }
    }

    /**
     * Starts no waiting task any more, for the rest of this engine's life: a stopping server lets
     * its running tasks finish. Unlike {@link PauseDispatch} it is not stored, so the next start on
     * the same store dispatches what is queued; it cannot be undone.
     */
    record Drain() implements Change<Void> {
        @Override
        public String describe() {
            return "Drain (start nothing more before the stop)";
        }
    }

    /** Pauses, drains or reactivates one tier (core, normal or batch). */
    record SetTierMode(Tier tier, TierMode mode) implements Change<Void> {
        public SetTierMode {
            Objects.requireNonNull(tier, "tier");
            Objects.requireNonNull(mode, "mode");
        }

        @Override
        public String describe() {
            return "Set the " + tier.name() + " tier to " + lower(mode);
        }
    }

    /** Pauses, drains or reactivates one priority lane; it runs only when its tier runs too. */
    record SetLaneMode(int priority, TierMode mode) implements Change<Void> {
        public SetLaneMode {
            Objects.requireNonNull(mode, "mode");
        }

        @Override
        public String describe() {
            return "Set lane P" + priority + " to " + lower(mode);
        }
    }

    /**
     * Replaces the live policy; waiting tasks move to it, running ones are not touched.
     *
     * @param parameters the policy's parameters as text (see {@link PolicyConfig})
     */
    record SwitchPolicy(String policy, Map<String, String> parameters) implements Change<Void> {
        public SwitchPolicy {
            Objects.requireNonNull(policy, "policy");
            parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        }

        public SwitchPolicy(String policy, PolicyConfig config) {
            this(policy, config.values());
        }

        public SwitchPolicy(String policy) {
            this(policy, Map.<String, String>of());
        }

        @Override
        public String describe() {
            return "Switch policy to " + policy + (parameters.isEmpty() ? "" : " " + new java.util.TreeMap<>(parameters));
        }
    }

    /**
     * Applies a new version of the running config on the loop: switches the policy when it
     * changed (the waiting queue is re-ranked on the loop, nothing is lost or reordered beyond
     * what the new policy orders differently), then marks the change with an
     * {@link io.queuedeck.engine.snapshot.EngineEvent.ConfigApplied} event for the console's charts.
     *
     * @param version    the config version now running
     * @param label      what changed, in a few words (the marker's label)
     * @param policy     the policy to switch to, or null when the policy did not change
     * @param parameters its parameters as text (empty with a null policy)
     * @param flow       new tier limits and tenant weights, or null when they did not change (decision 0050)
     * @param canary     a canary's own policy, {@link CanaryPolicy#END} to end it, or null when it did not
     *                   change (decision 0051)
     */
    record ApplyConfig(int version, String label, String policy, Map<String, String> parameters,
                       io.queuedeck.engine.tier.FlowSettings flow, CanaryPolicy canary) implements Change<Void> {
        @JsonCreator
        public ApplyConfig {
            Objects.requireNonNull(label, "label");
            parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        }

        /** A version that leaves tier limits, tenant weights and a canary's policy as they are. */
        public ApplyConfig(int version, String label, String policy, Map<String, String> parameters) {
            this(version, label, policy, parameters, null, null);
        }

        @Override
        public String describe() {
            return "Apply config version " + version + ": " + label;
        }
    }

    /** Fault injection: crashes an instance; its tasks fail back and are retried. */
    record CrashInstance(int instance) implements Change<Void> {
        @Override
        public String describe() {
            return "Crash GPU " + instance;
        }
    }

    /** Fault injection: slows an instance down by {@code factor}; 1 restores it. */
    record SlowInstance(int instance, double factor) implements Change<Void> {
        @Override
        public String describe() {
            return factor == 1.0 ? "Restore speed of GPU " + instance : "Slow GPU " + instance + " ×" + factor;
        }
    }

    /** Fault injection: takes an instance offline (its tasks go back to the queue) or brings it back. */
    record SetInstanceOnline(int instance, boolean online) implements Change<Void> {
        @Override
        public String describe() {
            return (online ? "Bring online GPU " : "Take offline GPU ") + instance;
        }
    }

    /** Fault injection: the instance hangs (no progress, no failure) or recovers; a restart also ends it. */
    record HangInstance(int instance, boolean hung) implements Change<Void> {
        @Override
        public String describe() {
            return (hung ? "Hang GPU " : "Recover hung GPU ") + instance;
        }
    }

    /** Fault injection: cuts the instance's KV cache to {@code fraction} of its size; 1 restores it. */
    record LimitKvCache(int instance, double fraction) implements Change<Void> {
        @Override
        public String describe() {
            return fraction == 1.0 ? "Restore the KV cache of GPU " + instance
                    : "Cut the KV cache of GPU " + instance + " to " + Math.round(fraction * 100) + "%";
        }
    }

    /** Fault injection: prompts above {@code promptTokens} tokens fail with out-of-memory on the instance; 0 ends it. */
    record FailPromptsAbove(int instance, int promptTokens) implements Change<Void> {
        @Override
        public String describe() {
            return promptTokens == 0 ? "End out-of-memory failures on GPU " + instance
                    : "Fail prompts above " + promptTokens + " tokens on GPU " + instance;
        }
    }

    /**
     * Records that a fault began ({@code active}) or ended, as an engine event
     * ({@link EngineSnapshot}'s readers draw it as a labelled marker); it changes nothing else.
     */
    record MarkFault(String faultId, String label, boolean active) implements Change<Void> {
        public MarkFault {
            Objects.requireNonNull(faultId, "faultId");
            Objects.requireNonNull(label, "label");
        }

        @Override
        public String describe() {
            return (active ? "Fault " : "Fault cleared ") + faultId + ": " + label;
        }
    }

    /**
     * Drains an instance (it takes no new work; what runs there finishes, unlike taking it
     * offline) or ends the drain. Executors that cannot drain refuse it.
     */
    record DrainInstance(int instance, boolean draining) implements Change<Void> {
        @Override
        public String describe() {
            return (draining ? "Drain GPU " : "End the drain of GPU ") + instance;
        }
    }

    /**
     * One slice of a bulk action (decision 0040): applies {@code action} to each listed task that
     * still passes {@code filter}, skipping the others (gone, changed, or in a state the action
     * does not apply to). Answers where each changed task stood before and where it left it, for an undo.
     *
     * @param priority the new priority of a reprioritize or the lane of a move
     * @param position for a move: {@code front} or {@code back} of the lane, or null to keep the
     *                 tasks' places by arrival
     */
    record BulkApply(List<String> taskIds, TaskFilter filter, BulkAction action, Integer priority, String position,
                     boolean withinBudget) implements Change<List<UndoMark>> {
        /** An operator's: a retry passes the byte budget. */
        public BulkApply(List<String> taskIds, TaskFilter filter, BulkAction action, Integer priority, String position) {
            this(taskIds, filter, action, priority, position, false);
        }

        public BulkApply {
            taskIds = List.copyOf(taskIds);
            Objects.requireNonNull(filter, "filter");
            Objects.requireNonNull(action, "action");
            if ((action == BulkAction.REPRIORITIZE || action == BulkAction.MOVE) && priority == null) {
                throw new io.queuedeck.engine.task.InvalidTaskException("priority", action.key() + " needs a priority (0..9)");
            }
            if (position != null && !position.equals("front") && !position.equals("back")) {
                throw new io.queuedeck.engine.task.InvalidTaskException("position",
                        "position must be front or back, got '" + position + "'");
            }
        }

        @Override
        public String describe() {
            return "Bulk " + action.key() + " of " + taskIds.size() + " tasks";
        }
    }

    /**
     * Puts tasks back where {@code marks} say they stood (the undo of a bulk action), each only if
     * it still stands where the action left it: a task changed since (by hand, by another
     * operation) keeps that change and is counted in {@link Restored#changedSince}.
     */
    record RestoreMarks(List<UndoMark> marks) implements Change<Restored> {
        public RestoreMarks {
            marks = List.copyOf(marks);
        }

        @Override
        public String describe() {
            return "Restore the places of " + marks.size() + " tasks";
        }
    }

    // ---------------------------------------------------------------- queries

    /**
     * A page of every known task that passes a filter, in the order asked for. Read from the
     * index in slices between other commands (decision 0040), so a search over a million tasks
     * never holds the loop for long.
     */
    record SearchTasks(TaskSearch search) implements Query<SearchPage> {
        public SearchTasks {
            Objects.requireNonNull(search, "search");
        }

        @Override
        public String describe() {
            return "Search tasks";
        }
    }

    /** Where every task that passes the filter stands, in submission order, at most {@code max}; in slices. */
    record SelectTasks(TaskFilter filter, int max) implements Query<List<TaskMark>> {
        public SelectTasks {
            Objects.requireNonNull(filter, "filter");
            if (max < 0) {
                throw new IllegalArgumentException("max must not be negative, got " + max);
            }
        }

        @Override
        public String describe() {
            return "Select tasks";
        }
    }

    /**
     * A bulk action's dry run: how many tasks pass the filter, and how many of them the action
     * would change now (a finished task is not cancelled again); in slices.
     */
    record CountBulk(TaskFilter filter, BulkAction action, Integer priority, String position) implements Query<BulkCount> {
        public CountBulk {
            Objects.requireNonNull(filter, "filter");
            Objects.requireNonNull(action, "action");
            if ((action == BulkAction.REPRIORITIZE || action == BulkAction.MOVE) && priority == null) {
                throw new IllegalArgumentException(action.key() + " needs a priority");
            }
        }

        @Override
        public String describe() {
            return "Count a bulk action's tasks";
        }
    }

    /** Whether a bulk action can run under the policy now, before it is accepted: fails as its dry run would. */
    record CheckBulk(BulkAction action, String position) implements Query<Void> {
        public CheckBulk {
            Objects.requireNonNull(action, "action");
        }

        @Override
        public String describe() {
            return "Check a bulk action";
        }
    }

    /**
     * Tasks a tier parked ({@code degrade: park}) and not yet replayed, oldest first: dead-lettered
     * tasks that match {@code filter}, after sequence {@code after} (-1: from the first), at most
     * {@code limit}. Walks the tier's parked tasks only, and at most a bounded number of them per
     * command: the page's next sequence says where to go on (-1 when all were walked).
     */
    record ListParked(Tier tier, TaskFilter filter, int limit, long after) implements Query<TaskPage> {
        /** The most parked tasks one command looks at (a filter test each: about a millisecond of the loop). */
        public static final int MOST_WALKED = 10_000;

        /** From the first parked task. */
        public ListParked(Tier tier, TaskFilter filter, int limit) {
            this(tier, filter, limit, -1);
        }

        public ListParked {
            Objects.requireNonNull(tier, "tier");
            Objects.requireNonNull(filter, "filter");
            if (tier == Tier.DEAD_LETTER) {
                throw new IllegalArgumentException("the dead-letter tier parks nothing; name core, normal or batch");
            }
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be at least 1, got " + limit);
            }
        }

        @Override
        public String describe() {
            return "List tasks parked by tier " + tier.name();
        }
    }

    /** The task with this id, if it is active or finished recently. */
    record FindTask(String taskId) implements Query<Optional<TaskView>> {
        public FindTask {
            Objects.requireNonNull(taskId, "taskId");
        }

        @Override
        public String describe() {
            return "Look up task " + taskId;
        }
    }

    /** A page of known tasks in submission order. */
    record ListTasks(TaskQuery query) implements Query<TaskPage> {
        public ListTasks {
            Objects.requireNonNull(query, "query");
        }

        @Override
        public String describe() {
            return "List " + (query.state() == null ? "" : lower(query.state()) + " ") + "tasks";
        }
    }

    /**
     * Waiting tasks, at most {@code limitPerPriority} of each priority, grouped by priority 0..9:
     * each lane in dispatch order under policies that keep lane order, in rank order elsewhere.
     */
    record WaitingTasks(int limitPerPriority) implements Query<List<TaskView>> {
        public WaitingTasks {
            if (limitPerPriority < 0) {
                throw new IllegalArgumentException("limit must not be negative, got " + limitPerPriority);
            }
        }

        @Override
        public String describe() {
            return "List waiting tasks";
        }
    }

    /** Why a waiting task sits where it does, factor by factor, under a scoring policy; empty otherwise. */
    record Explain(String taskId) implements Query<Optional<ScoreBreakdown>> {
        public Explain {
            Objects.requireNonNull(taskId, "taskId");
        }

        @Override
        public String describe() {
            return "Explain the score of task " + taskId;
        }
    }

    /** A snapshot taken now (a pure read: the published snapshots' intervals are not cut short). */
    record TakeSnapshot() implements Query<EngineSnapshot> {
        @Override
        public String describe() {
            return "Take a snapshot";
        }
    }

    /** How many tasks are waiting, running or waiting to retry. */
    record CountActive() implements Query<Integer> {
        @Override
        public String describe() {
            return "Count active tasks";
        }
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
