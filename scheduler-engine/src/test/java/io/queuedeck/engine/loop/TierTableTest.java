package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierLimits;
import io.queuedeck.engine.tier.TierLimits.TimeoutAction;
import io.queuedeck.engine.tier.TierMode;
import io.queuedeck.engine.tier.Tiers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A tier table of one's own on the loop (decision 0061), and a reloaded {@code queue_ttl}
 * reaching tasks already queued. Virtual clock; one simulated GPU running one task at a time, so
 * a long first task keeps everything else waiting.
 */
class TierTableTest {
    static final Tier REALTIME = new Tier("realtime", 0, 0, 1);
    static final Tier INTERACTIVE = new Tier("interactive", 1, 2, 4);
    static final Tier STANDARD = new Tier("standard", 2, 5, 7);
    static final Tier BULK = new Tier("bulk", 3, 8, 9);
    static final Tiers FOUR = new Tiers(List.of(REALTIME, INTERACTIVE, STANDARD, BULK));

    private final VirtualClock clock = new VirtualClock();
    private Engine engine;

    private io.queuedeck.engine.store.TaskStore store;
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;

    private void start(FlowSettings flow) {
        var builder = Engine.builder();
        if (store != null) {
            builder.store(store);
        }
        engine = builder.clock(clock).policy("priority").flow(flow)
                .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(1))).build();
        engine.start();
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    private void submit(String id, int priority, int tokens) {
        engine.send(new Command.Submit(new TaskSpec(id, "m", "in " + id, priority, null, null, null, null, null, 16, null),
                tokens)).join();
    }

    private TaskView task(String id) {
        return engine.send(new Command.FindTask(id)).join().orElseThrow();
    }

    private EngineSnapshot snapshot() {
        return engine.send(new Command.TakeSnapshot()).join();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void mlfq_keepsALevelSetPerTierOfTheTable(boolean four) {
        engine = Engine.builder().clock(clock).policy("mlfq").flow(four ? new FlowSettings(Map.of(), Map.of(), FOUR) : FlowSettings.NONE)
                .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(1))).build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        // p2 enters level 1 (its priority floor); p1's long prompt skip-joins level 3
        engine.send(new Command.Submit(new TaskSpec("p2-short", "m", "x", 2, null, null, null, null, 4, 16, null), 4)).join();
        engine.send(new Command.Submit(new TaskSpec("p1-long", "m", "x", 1, null, null, null, null, 4, 2_000, null), 4)).join();
        engine.send(new Command.PauseDispatch(false)).join();
        clock.runUntil(10_000_000_000L);

        // default table: both core, the lower level first; four tiers: p1 is realtime, a tier above p2's
        String first = task("p1-long").firstDispatchAt() < task("p2-short").firstDispatchAt() ? "p1-long" : "p2-short";
        assertThat(first).isEqualTo(four ? "p1-long" : "p2-short");
    }

    private static TierLimits ttl(Duration ttl, TimeoutAction action) {
        return new TierLimits(0, 0, 0, 0, ttl, action, 0, null, null, TierLimits.Degrade.REJECT, TierLimits.Fairness.NONE, false);
    }

    @Test
    void fourTiers_countWaitingTasksByTheirBands_andPauseByName() {
        start(new FlowSettings(Map.of(), Map.of(), FOUR));
        submit("long", 0, 2_000);
        submit("p1", 1, 10);
        submit("p2", 2, 10);
        submit("p4", 4, 10);
        submit("p8", 8, 10);

        EngineSnapshot s = snapshot();
        assertThat(s.tiers()).isEqualTo(FOUR);
        assertThat(s.queuedByTier()).containsExactly(Map.entry(REALTIME, 1), Map.entry(INTERACTIVE, 2),
                Map.entry(STANDARD, 0), Map.entry(BULK, 1), Map.entry(Tier.DEAD_LETTER, 0));
        assertThat(s.flow().tiers()).extracting(f -> f.tier().name()).containsExactly("realtime", "interactive", "standard", "bulk");

        engine.send(new Command.SetTierMode(INTERACTIVE, TierMode.PAUSED)).join();
        clock.runUntilIdle();

        assertThat(task("p1").state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(task("p8").state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(task("p2").state()).isEqualTo(TaskState.QUEUED); // priorities 2-4 are the paused tier's
        assertThat(task("p4").state()).isEqualTo(TaskState.QUEUED);
        assertThat(snapshot().laneRuns(2)).isFalse();
        assertThat(snapshot().laneRuns(5)).isTrue();
    }

    @Test
    void aDefaultTier_isNoTierOfAnotherTable() {
        start(new FlowSettings(Map.of(), Map.of(), FOUR));

        assertThatThrownBy(() -> engine.send(new Command.SetTierMode(Tier.CORE, TierMode.PAUSED)).join())
                .isInstanceOf(CompletionException.class).hasMessageContaining("realtime, interactive, standard, bulk");
    }

    @Test
    void demotion_goesToTheNextTierOfTheTable() {
        start(new FlowSettings(Map.of(INTERACTIVE, ttl(Duration.ofSeconds(1), TimeoutAction.DEMOTE)), Map.of(), FOUR));
        submit("long", 0, 2_000);
        submit("slow", 3, 10);

        clock.runUntil(clock.nanos() + Duration.ofSeconds(1).toNanos());

        assertThat(task("slow").priority()).isEqualTo(5); // standard's first priority
        assertThat(snapshot().flow().tiers().get(INTERACTIVE.index()).demoted()).isEqualTo(1);
    }

    @Test
    void shortenedQueueTtl_timesOutQueuedTasksPastIt_atOnce_oldestFirst() {
        start(new FlowSettings(Map.of(Tier.NORMAL, ttl(Duration.ofSeconds(60), TimeoutAction.REJECT)), Map.of()));
        submit("long", 0, 5_000); // ~28 s on the slot
        submit("old", 5, 10);
        clock.runUntil(clock.nanos() + Duration.ofSeconds(3).toNanos());
        submit("middle", 5, 10);
        clock.runUntil(clock.nanos() + Duration.ofSeconds(3).toNanos());
        submit("young", 5, 10);
        long reload = clock.nanos();

        // old has waited 6 s, middle 3 s, young 0 s: a 2 s TTL is past for the first two
        engine.send(new Command.ApplyConfig(2, "queue_ttl 60s → 2s", null, Map.of(),
                new FlowSettings(Map.of(Tier.NORMAL, ttl(Duration.ofSeconds(2), TimeoutAction.REJECT)), Map.of()), null)).join();
        clock.runUntil(reload);

        assertThat(task("old").state()).isEqualTo(TaskState.TIMED_OUT);
        assertThat(task("middle").state()).isEqualTo(TaskState.TIMED_OUT);
        assertThat(task("young").state()).isEqualTo(TaskState.QUEUED);
        assertThat(task("old").error()).contains("tiers.normal.queue_ttl (PT2S)");
        clock.runUntil(reload + Duration.ofSeconds(2).toNanos() - 1);
        assertThat(task("young").state()).isEqualTo(TaskState.QUEUED);
        clock.runUntil(reload + Duration.ofSeconds(2).toNanos());
        assertThat(task("young").state()).isEqualTo(TaskState.TIMED_OUT); // two seconds after it joined, not sixty
        assertThat(snapshot().flow().tiers().get(Tier.NORMAL.index()).timedOut()).isEqualTo(3);
        assertThat(task("long").state()).isEqualTo(TaskState.RUNNING);
    }

    @Test
    void lengthenedQueueTtl_letsQueuedTasksWaitOutTheRest() {
        start(new FlowSettings(Map.of(Tier.NORMAL, ttl(Duration.ofSeconds(2), TimeoutAction.REJECT)), Map.of()));
        submit("long", 0, 5_000);
        long joined = clock.nanos();
        submit("waiting", 5, 10);
        clock.runUntil(joined + Duration.ofSeconds(1).toNanos());

        engine.send(new Command.ApplyConfig(2, "queue_ttl 2s → 5s", null, Map.of(),
                new FlowSettings(Map.of(Tier.NORMAL, ttl(Duration.ofSeconds(5), TimeoutAction.REJECT)), Map.of()), null)).join();
        clock.runUntil(joined + Duration.ofSeconds(5).toNanos() - 1);
        assertThat(task("waiting").state()).isEqualTo(TaskState.QUEUED);
        clock.runUntil(joined + Duration.ofSeconds(5).toNanos());
        assertThat(task("waiting").state()).isEqualTo(TaskState.TIMED_OUT);
    }

    @Test
    void storedModes_followTierNames_andAModeOfATierTheTableLacks_isKeptNotApplied() {
        store = io.queuedeck.engine.store.TaskStore.embedded(dir);
        engine = Engine.builder().clock(clock).store(store).flow(new FlowSettings(Map.of(), Map.of(), FOUR))
                .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(1))).build();
        engine.start();
        engine.send(new Command.SetTierMode(STANDARD, TierMode.PAUSED)).join();
        engine.close();

        // restarted with the default tiers: "standard" is no tier of theirs
        store = io.queuedeck.engine.store.TaskStore.embedded(dir);
        engine = Engine.builder().clock(clock).store(store)
                .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(1))).build();
        engine.start();
        assertThat(snapshot().tierModes()).containsOnlyKeys(Tier.CORE, Tier.NORMAL, Tier.BATCH)
                .doesNotContainValue(TierMode.PAUSED);
        engine.close();

        // and back with the four tiers: the stored mode applies again
        store = io.queuedeck.engine.store.TaskStore.embedded(dir);
        start(new FlowSettings(Map.of(), Map.of(), FOUR));
        assertThat(snapshot().tierModes()).containsEntry(STANDARD, TierMode.PAUSED);
    }

    @Test
    void aReloadWithAnotherTierTable_isRefused_andChangesNothing() {
        start(FlowSettings.NONE);

        assertThatThrownBy(() -> engine.send(new Command.ApplyConfig(2, "tiers", null, Map.of(),
                new FlowSettings(Map.of(), Map.of(), FOUR), null)).join()).hasMessageContaining("restart");
        assertThat(snapshot().tiers()).isEqualTo(Tiers.DEFAULT);
    }
}
