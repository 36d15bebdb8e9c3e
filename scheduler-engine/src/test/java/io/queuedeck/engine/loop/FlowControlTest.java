package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.snapshot.FlowStats;
import io.queuedeck.engine.task.ShedException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierLimits;
import io.queuedeck.engine.tier.TierLimits.Degrade;
import io.queuedeck.engine.tier.TierLimits.Fairness;
import io.queuedeck.engine.tier.TierLimits.TimeoutAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Tier limits on the virtual clock, one rule per test: caps, shares, queue limits, degrade
 * actions, queue TTL actions, per-tier retries and eviction. Tasks are given exact output
 * lengths, so a "long" task holds its slot for seconds and what waits behind it is known.
 */
class FlowControlTest {
    private final VirtualClock clock = new VirtualClock();
    private Engine engine;
    private CompletionOutbox outbox;

    private void start(String policy, int instances, int batch, Map<Tier, TierLimits> tiers, Map<String, Double> weights) {
        engine = Engine.builder().clock(clock).policy(policy).flow(new FlowSettings(tiers, weights))
                .executor(new SimulatedGpuExecutor(instances, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(batch))).build();
        outbox = engine.completions();
        engine.start();
    }

    private void start(int batch, Map<Tier, TierLimits> tiers) {
        start("priority", 1, batch, tiers, Map.of());
    }

    static TierLimits limits() {
        return TierLimits.NONE;
    }

    static TierLimits with(TierLimits l, int cap, double share, int maxTasks, long maxBytes) {
        return new TierLimits(cap, share, maxTasks, maxBytes, l.queueTtl(), l.timeoutAction(), l.maxAttempts(),
                l.retryBaseDelay(), l.retryMaxDelay(), l.degrade(), l.fairness(), l.evictLower());
    }

    static TierLimits ttl(TierLimits l, Duration ttl, TimeoutAction action) {
        return new TierLimits(l.maxConcurrency(), l.share(), l.maxQueueTasks(), l.maxQueueBytes(), ttl, action, l.maxAttempts(),
                l.retryBaseDelay(), l.retryMaxDelay(), l.degrade(), l.fairness(), l.evictLower());
    }

    static TierLimits degrade(TierLimits l, Degrade degrade) {
        return new TierLimits(l.maxConcurrency(), l.share(), l.maxQueueTasks(), l.maxQueueBytes(), l.queueTtl(),
                l.timeoutAction(), l.maxAttempts(), l.retryBaseDelay(), l.retryMaxDelay(), degrade, l.fairness(), l.evictLower());
    }

    static TierLimits fairness(TierLimits l, Fairness fairness) {
        return new TierLimits(l.maxConcurrency(), l.share(), l.maxQueueTasks(), l.maxQueueBytes(), l.queueTtl(),
                l.timeoutAction(), l.maxAttempts(), l.retryBaseDelay(), l.retryMaxDelay(), l.degrade(), fairness, l.evictLower());
    }

    static TierLimits evicting(TierLimits l) {
        return new TierLimits(l.maxConcurrency(), l.share(), l.maxQueueTasks(), l.maxQueueBytes(), l.queueTtl(),
                l.timeoutAction(), l.maxAttempts(), l.retryBaseDelay(), l.retryMaxDelay(), l.degrade(), l.fairness(), true);
    }

    static TierLimits attempts(TierLimits l, int maxAttempts) {
        return new TierLimits(l.maxConcurrency(), l.share(), l.maxQueueTasks(), l.maxQueueBytes(), l.queueTtl(),
                l.timeoutAction(), maxAttempts, l.retryBaseDelay(), l.retryMaxDelay(), l.degrade(), l.fairness(), l.evictLower());
    }

    private static Map<Tier, TierLimits> tiers(Object... tierThenLimits) {
        Map<Tier, TierLimits> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < tierThenLimits.length; i += 2) {
            map.put((Tier) tierThenLimits[i], (TierLimits) tierThenLimits[i + 1]);
        }
        return map;
    }

    static TaskSpec spec(String id, int priority, String tenant) {
        return new TaskSpec(id, "m", "in " + id, priority, null, tenant, null, null, null, 16, null);
    }

    /** Submits a task that generates {@code tokens} tokens (a 5.6 ms decode step each). */
    private TaskView submit(String id, int priority, int tokens) {
        return submit(spec(id, priority, null), tokens);
    }

    private TaskView submit(TaskSpec spec, int tokens) {
        try {
            return engine.send(new Command.Submit(spec, tokens)).join().task();
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    private TaskView task(String id) {
        return engine.send(new Command.FindTask(id)).join().orElseThrow();
    }

    private EngineSnapshot snapshot() {
        return engine.send(new Command.TakeSnapshot()).join();
    }

    private FlowStats.TierFlow flow(Tier tier) {
        return snapshot().flow().tiers().get(tier.index());
    }

    private List<TaskView> drained() {
        List<TaskView> views = new ArrayList<>();
        outbox.drain(Integer.MAX_VALUE, views::add);
        return views;
    }

    private void pause(boolean paused) {
        engine.send(new Command.PauseDispatch(paused)).join();
    }

    // ---------------------------------------------------------------- concurrency and shares

    @Test
    void maxConcurrency_holdsTheTierAtItsCap_whileOtherTiersTakeTheFreeSlots() {
        start(4, tiers(Tier.BATCH, with(limits(), 1, 0, 0, 0)));
        submit("b1", 8, 1_000);
        submit("b2", 8, 1_000);
        submit("b3", 8, 1_000);
        submit("n1", 5, 1_000);

        assertThat(task("b1").state()).isEqualTo(TaskState.RUNNING);
        assertThat(task("b2").state()).isEqualTo(TaskState.QUEUED); // a slot is free, but batch is at its cap
        assertThat(task("n1").state()).isEqualTo(TaskState.RUNNING);
        assertThat(flow(Tier.BATCH).running()).isEqualTo(1);
        assertThat(flow(Tier.BATCH).waiting()).isEqualTo(2);

        clock.runUntilIdle();
        assertThat(task("b3").state()).isEqualTo(TaskState.SUCCEEDED); // held, never lost
    }

    @Test
    void shares_underContention_giveEachTierItsShare_thoughTheFirstIsFlooded() {
        // 4 slots, core and batch weighted 1:1: each is guaranteed 2. Strict priority alone
        // would give all 4 to the flooded core tier.
        start(4, tiers(Tier.CORE, with(limits(), 0, 1, 0, 0), Tier.BATCH, with(limits(), 0, 1, 0, 0)));
        pause(true);
        for (int i = 0; i < 10; i++) {
            submit("c" + i, 0, 1_000);
            submit("b" + i, 9, 1_000);
        }
        pause(false);

        assertThat(flow(Tier.CORE).running()).isEqualTo(2);
        assertThat(flow(Tier.BATCH).running()).isEqualTo(2);
    }

    @Test
    void shares_withoutContention_leaveEverySlotToTheTierThatHasWork() {
        start(4, tiers(Tier.CORE, with(limits(), 0, 1, 0, 0), Tier.BATCH, with(limits(), 0, 1, 0, 0)));
        for (int i = 0; i < 6; i++) {
            submit("b" + i, 9, 1_000);
        }
        assertThat(flow(Tier.BATCH).running()).isEqualTo(4); // its share is a floor, not a ceiling
    }

    // ---------------------------------------------------------------- queue limits and degrade

    @Test
    void maxQueueTasks_full_refusesQueueFull_namingTheTiersLimit() {
        start(1, tiers(Tier.BATCH, with(limits(), 0, 0, 2, 0)));
        submit("running", 8, 1_000);
        submit("w1", 8, 10);
        submit("w2", 8, 10);

        assertThatThrownBy(() -> submit("w3", 8, 10)).isInstanceOfSatisfying(ShedException.class, e -> {
            assertThat(e.reason()).isEqualTo(ShedException.Reason.QUOTA);
            assertThat(e.limit()).isEqualTo("tiers.batch.max_queue.tasks");
            assertThat(e.getMessage()).contains("tiers.batch.max_queue.tasks is 2");
            assertThat(e.retryAfterSeconds()).isEqualTo(1);
        });
        submit("n1", 5, 10); // another tier is not limited by batch's queue
        assertThat(flow(Tier.BATCH).shed()).isEqualTo(1);
        assertThat(snapshot().counters().rejected()).isEqualTo(1);
    }

    @Test
    void maxQueueBytes_full_refusesQueueFull_namingTheByteLimit() {
        long oneTask = TaskTable.bodyBytes(spec("w1", 8, null));
        start(1, tiers(Tier.BATCH, with(limits(), 0, 0, 0, oneTask + oneTask / 2)));
        submit("running", 8, 1_000);
        submit("w1", 8, 10);

        assertThatThrownBy(() -> submit("w2", 8, 10)).isInstanceOfSatisfying(ShedException.class,
                e -> assertThat(e.limit()).isEqualTo("tiers.batch.max_queue.bytes"));
    }

    @Test
    void rejectLowest_whileSaturated_shedsOnlyTheTiersLeastUrgentPriority_with503() {
        start(1, tiers(Tier.BATCH, degrade(ttl(limits(), Duration.ofSeconds(5), TimeoutAction.REJECT), Degrade.REJECT_LOWEST)));
        submit("running", 5, 1_000); // the only slot: saturated

        assertThatThrownBy(() -> submit("lowest", 9, 10)).isInstanceOfSatisfying(ShedException.class, e -> {
            assertThat(e.reason()).isEqualTo(ShedException.Reason.SATURATED);
            assertThat(e.limit()).isEqualTo("tiers.batch.degrade");
            assertThat(e.retryAfterSeconds()).isEqualTo(5);
        });
        assertThat(submit("held", 8, 10).state()).isEqualTo(TaskState.QUEUED); // more urgent work is held, not shed
        assertThat(snapshot().flow().saturated()).isTrue();

        clock.runUntilIdle();
        assertThat(snapshot().flow().saturated()).isFalse();
        assertThat(submit("lowest", 9, 10).state()).isIn(TaskState.RUNNING); // room again: taken
    }

    @Test
    void spill_fullTier_sendsTheNewTaskToTheNextTier() {
        start(1, tiers(Tier.CORE, degrade(with(limits(), 0, 0, 1, 0), Degrade.SPILL)));
        submit("running", 5, 1_000);
        submit("c1", 1, 10);

        TaskView spilled = submit("c2", 1, 10);

        assertThat(spilled.state()).isEqualTo(TaskState.QUEUED);
        assertThat(spilled.priority()).isEqualTo(3); // normal's most urgent priority
        assertThat(flow(Tier.CORE).spilled()).isEqualTo(1);
        assertThat(flow(Tier.NORMAL).waiting()).isEqualTo(1);
    }

    @Test
    void park_fullTier_holdsTheNewTaskInTheDeadLetters_untilReplayed() {
        start(1, tiers(Tier.BATCH, degrade(with(limits(), 0, 0, 1, 0), Degrade.PARK)));
        submit("running", 5, 1_000);
        submit("b1", 8, 10);

        TaskView parked = submit("b2", 8, 10);

        assertThat(parked.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(parked.error()).contains("parked").contains("tiers.batch.max_queue.tasks");
        assertThat(drained()).extracting(TaskView::id).containsExactly("b2"); // its callback hears it
        assertThat(flow(Tier.BATCH).parked()).isEqualTo(1);

        clock.runUntilIdle();
        assertThat(engine.send(new Command.RetryDeadLetter("b2")).join().state()).isEqualTo(TaskState.RUNNING);
        clock.runUntilIdle();
        assertThat(task("b2").state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void spillIntoAFullTierThatParks_namesTheTierWhereItWasParked() {
        start(1, tiers(Tier.CORE, degrade(with(limits(), 0, 0, 1, 0), Degrade.SPILL),
                Tier.NORMAL, degrade(with(limits(), 0, 0, 0, 1), Degrade.PARK)));
        submit("running", 8, 1_000);
        submit("c1", 1, 10);

        TaskView parked = submit("c2", 1, 10);

        assertThat(parked.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(parked.error()).contains("tier normal was full").contains("tiers.normal.max_queue.bytes");
        assertThat(flow(Tier.CORE).spilled()).isEqualTo(1);
        assertThat(flow(Tier.NORMAL).parked()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- queue TTL

    @Test
    void queueTtlReject_taskStillWaiting_leavesTimedOut_withItsCompletion() {
        start(1, tiers(Tier.NORMAL, ttl(limits(), Duration.ofSeconds(1), TimeoutAction.REJECT)));
        submit("long", 5, 2_000);
        long admitted = clock.nanos();
        submit("late", 5, 10);

        clock.runUntil(admitted + Duration.ofSeconds(1).toNanos() - 1);
        assertThat(task("late").state()).isEqualTo(TaskState.QUEUED);
        clock.runUntil(admitted + Duration.ofSeconds(1).toNanos());

        TaskView late = task("late");
        assertThat(late.state()).isEqualTo(TaskState.TIMED_OUT);
        assertThat(late.error()).contains("tiers.normal.queue_ttl");
        assertThat(drained()).extracting(TaskView::id).containsExactly("late");
        assertThat(flow(Tier.NORMAL).timedOut()).isEqualTo(1);
        assertThat(snapshot().counters().timedOut()).isEqualTo(1);
        clock.runUntilIdle();
        assertThat(task("long").state()).isEqualTo(TaskState.SUCCEEDED); // a running task is never timed out
    }

    @Test
    void queueTtlDemote_taskStillWaiting_movesToTheNextTier_andWaitsOn() {
        start(1, tiers(Tier.NORMAL, ttl(limits(), Duration.ofSeconds(1), TimeoutAction.DEMOTE)));
        submit("long", 5, 2_000);
        submit("slow", 4, 10);

        clock.runUntil(clock.nanos() + Duration.ofSeconds(1).toNanos());

        TaskView demoted = task("slow");
        assertThat(demoted.state()).isEqualTo(TaskState.QUEUED);
        assertThat(demoted.priority()).isEqualTo(7);
        assertThat(flow(Tier.NORMAL).demoted()).isEqualTo(1);
        clock.runUntilIdle();
        assertThat(task("slow").state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void queueTtl_taskThatStartsInTime_isNeverTouched() {
        start(1, tiers(Tier.NORMAL, ttl(limits(), Duration.ofMillis(100), TimeoutAction.REJECT)));
        submit("quick", 5, 2_000); // runs at once, for far longer than the TTL

        clock.runUntilIdle();

        assertThat(task("quick").state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(flow(Tier.NORMAL).timedOut()).isZero();
    }

    // ---------------------------------------------------------------- retries and eviction

    @Test
    void tierRetries_replaceTheEngineRule_forTheTiersTasks() {
        start(1, tiers(Tier.CORE, attempts(limits(), 1)));
        submit("core", 1, 2_000);
        engine.send(new Command.CrashInstance(0)).join();

        assertThat(task("core").state()).isEqualTo(TaskState.DEAD_LETTERED); // one attempt in all: not retried
        assertThat(snapshot().counters().retried()).isZero();
    }

    @Test
    void evictLower_underSaturation_aCoreTaskTakesTheSlotOfTheNewestBatchTask() {
        start(2, tiers(Tier.CORE, evicting(limits())));
        submit("b1", 8, 2_000);
        submit("b2", 8, 2_000);

        submit("core", 1, 10);

        assertThat(task("core").state()).isEqualTo(TaskState.RUNNING);
        assertThat(task("b2").state()).isEqualTo(TaskState.PREEMPTED); // the newest: the least work lost
        assertThat(task("b1").state()).isEqualTo(TaskState.RUNNING);
        assertThat(flow(Tier.BATCH).evicted()).isEqualTo(1);
        assertThat(snapshot().counters().preemptions()).isEqualTo(1);
        clock.runUntilIdle();
        assertThat(task("b2").state()).isEqualTo(TaskState.SUCCEEDED); // recomputed, not lost
    }

    @Test
    void evictLower_sparesALowerTierAtItsGuaranteedShare() {
        // 2 slots, core and batch weighted 1:1: batch is guaranteed one slot and keeps it
        start(2, tiers(Tier.CORE, evicting(with(limits(), 0, 1, 0, 0)), Tier.BATCH, with(limits(), 0, 1, 0, 0)));
        submit("b1", 8, 2_000);
        submit("b2", 8, 2_000);

        submit("c1", 1, 2_000);
        assertThat(task("c1").state()).isEqualTo(TaskState.RUNNING); // batch ran 2, over its share of 1
        assertThat(submit("c2", 1, 10).state()).isEqualTo(TaskState.QUEUED); // batch is down to its share
        assertThat(flow(Tier.BATCH).evicted()).isEqualTo(1);
    }

    @Test
    void withoutEvictLower_aCoreTaskWaits() {
        start(2, tiers(Tier.CORE, limits()));
        submit("b1", 8, 2_000);
        submit("b2", 8, 2_000);

        assertThat(submit("core", 1, 10).state()).isEqualTo(TaskState.QUEUED);
        assertThat(snapshot().counters().preemptions()).isZero();
    }

    @Test
    void policySwitch_withTieredQueues_handsOverEveryWaitingTask_evenThoseACapHolds() {
        start(1, tiers(Tier.BATCH, with(limits(), 1, 0, 0, 0)));
        submit("running", 8, 2_000);
        for (int i = 0; i < 5; i++) {
            submit("b" + i, 8, 10);
        }

        engine.send(new Command.SwitchPolicy("fifo", Map.of())).join();

        assertThat(snapshot().queued()).isEqualTo(5);
        assertThat(flow(Tier.BATCH).waiting()).isEqualTo(5);
        clock.runUntilIdle();
        assertThat(snapshot().counters().succeeded()).isEqualTo(6);
    }

    @Test
    void noTierSettings_keepTodaysBehaviour_noLimitNoShed() {
        start(1, Map.of());
        for (int i = 0; i < 50; i++) {
            submit("t" + i, 9, 10);
        }
        assertThat(snapshot().flow().tiers()).allSatisfy(t -> assertThat(t.shed()).isZero());
        clock.runUntilIdle();
        assertThat(snapshot().counters().succeeded()).isEqualTo(50);
    }
}
