package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.snapshot.FlowStats;
import io.queuedeck.engine.task.ShedException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Isolation: the batch tier is flooded at ten times what the GPUs can serve, for 20 virtual
 * seconds, while the core tier sends a steady trickle. Under FIFO alone core work would queue
 * behind thousands of batch tasks; with tiers, core keeps its p99 queue wait within its TTL and
 * loses nothing, and what batch cannot hold is shed at the door.
 */
class TierIsolationTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void batchFloodedAtTenTimesCapacity_coreKeepsP99WaitWithinItsTtl_andLosesNothing() {
        Duration coreTtl = Duration.ofSeconds(1);
        TierLimits core = new TierLimits(0, 4, 0, 0, coreTtl, TierLimits.TimeoutAction.REJECT, 0, null, null,
                TierLimits.Degrade.REJECT, TierLimits.Fairness.NONE, false);
        TierLimits batch = new TierLimits(0, 1, 500, 0, Duration.ZERO, TierLimits.TimeoutAction.REJECT, 0, null, null,
                TierLimits.Degrade.REJECT, TierLimits.Fairness.NONE, false);
        VirtualClock clock = new VirtualClock();
        Engine engine = Engine.builder().clock(clock).policy("fifo")
                .flow(new FlowSettings(Map.of(Tier.CORE, core, Tier.BATCH, batch), Map.of()))
                .executor(new SimulatedGpuExecutor(2, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(4))).build();
        CompletionOutbox outbox = engine.completions();
        engine.start();

        // 8 slots, 50-token tasks of about 0.3 s: capacity is about 27 tasks/s
        int capacityPerSecond = 27;
        int batchPerSecond = 10 * capacityPerSecond;
        int corePerSecond = 5;
        long end = 20 * SECOND;
        long batchGap = SECOND / batchPerSecond;
        long coreGap = SECOND / corePerSecond;
        long nextBatch = 0;
        long nextCore = coreGap / 2;
        int coreSent = 0;
        int batchShed = 0;
        int batchSent = 0;
        while (Math.min(nextBatch, nextCore) < end) {
            long at = Math.min(nextBatch, nextCore);
            clock.runUntil(at);
            if (at == nextCore) {
                submit(engine, "core" + coreSent++, 1);
                nextCore += coreGap;
            } else {
                try {
                    batchSent++;
                    submit(engine, "batch" + batchSent, 8);
                } catch (ShedException e) {
                    batchShed++;
                }
                nextBatch += batchGap;
            }
        }
        clock.runUntilIdle();

        List<TaskView> done = new ArrayList<>();
        outbox.drain(Integer.MAX_VALUE, done::add);
        List<TaskView> coreDone = done.stream().filter(v -> v.id().startsWith("core")).toList();
        assertThat(coreDone).hasSize(coreSent).allSatisfy(v -> assertThat(v.state()).isEqualTo(TaskState.SUCCEEDED));
        long[] waits = coreDone.stream().mapToLong(v -> v.firstDispatchAt() - v.arrivedAt()).sorted().toArray();
        long p99 = waits[(int) Math.ceil(waits.length * 0.99) - 1];
        assertThat(p99).isLessThan(coreTtl.toNanos());
        FlowStats.TierFlow coreFlow = engine.send(new Command.TakeSnapshot()).join().flow().tiers().get(Tier.CORE.index());
        assertThat(coreFlow.shed() + coreFlow.timedOut()).isZero();
        assertThat(batchShed).as("the flood is really over capacity").isGreaterThan(batchSent / 2);
        assertThat(Arrays.stream(waits).max().orElseThrow()).isLessThan(coreTtl.toNanos());
        engine.close();
    }

    private static void submit(Engine engine, String id, int priority) {
        TaskSpec spec = new TaskSpec(id, "m", "x", priority, null, null, null, null, null, 16, null);
        try {
            engine.send(new Command.Submit(spec, 50)).join();
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
    }
}
