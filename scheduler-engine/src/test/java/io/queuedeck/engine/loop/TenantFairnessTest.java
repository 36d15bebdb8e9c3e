package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierLimits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fairness between tenants inside one tier: three tenants of weights 3, 2 and 1 flood the
 * normal tier; while all three still have work waiting, each one's share of the dispatches is
 * within 5% of its weight's share. Without fairness, FIFO would serve them in arrival order.
 */
class TenantFairnessTest {

    @ParameterizedTest
    @EnumSource(value = TierLimits.Fairness.class, names = {"ROUND_ROBIN", "VTC"})
    void floodedTier_dispatchSharesFollowTenantWeights_within5Percent(TierLimits.Fairness fairness) {
        TierLimits normal = FlowControlTest.fairness(TierLimits.NONE, fairness);
        VirtualClock clock = new VirtualClock();
        Engine engine = Engine.builder().clock(clock).policy("fifo")
                .flow(new FlowSettings(Map.of(Tier.NORMAL, normal), Map.of("a", 3.0, "b", 2.0, "c", 1.0)))
                .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(2))).build();
        CompletionOutbox outbox = engine.completions();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        // each tenant alone could fill the first 600 dispatches: arrival order gives all of them to "a"
        for (String tenant : List.of("a", "b", "c")) {
            for (int i = 0; i < 600; i++) {
                TaskSpec spec = new TaskSpec(tenant + i, "m", "x", 5, null, tenant, null, null, null, 16, null);
                engine.send(new Command.Submit(spec, 8)).join();
            }
        }
        engine.send(new Command.PauseDispatch(false)).join();

        List<TaskView> done = new ArrayList<>();
        while (done.size() < 600 && clock.runNext()) {
            outbox.drain(Integer.MAX_VALUE, done::add);
        }
        Map<String, Integer> served = new HashMap<>();
        for (TaskView view : done.subList(0, 600)) {
            served.merge(view.spec().tenant(), 1, Integer::sum);
        }
        assertThat(served.get("a") / 600.0).isCloseTo(3 / 6.0, within(0.05));
        assertThat(served.get("b") / 600.0).isCloseTo(2 / 6.0, within(0.05));
        assertThat(served.get("c") / 600.0).isCloseTo(1 / 6.0, within(0.05));
        engine.close();
    }
}
