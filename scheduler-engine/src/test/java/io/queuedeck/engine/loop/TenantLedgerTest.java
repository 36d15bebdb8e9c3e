package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.snapshot.FlowStats;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierLimits;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The Flow view's per-tenant figures are kept as tasks move and read from the snapshot. */
class TenantLedgerTest {

    @Test
    void tasksOfTwoTenants_waitingAndDispatchedCountedPerTierAndTenant() {
        VirtualClock clock = new VirtualClock();
        Engine engine = Engine.builder().clock(clock).policy("fifo")
                .flow(new FlowSettings(Map.of(Tier.NORMAL, FlowControlTest.fairness(TierLimits.NONE, TierLimits.Fairness.ROUND_ROBIN)),
                        Map.of("a", 3.0)))
                .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(2))).build();
        engine.completions();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        for (int i = 0; i < 10; i++) {
            engine.send(new Command.Submit(new TaskSpec("a" + i, "m", "x", 5, null, "a", null, null, null, 16, null), 8)).join();
        }
        for (int i = 0; i < 4; i++) {
            engine.send(new Command.Submit(new TaskSpec("b" + i, "m", "x", 1, null, "b", null, null, null, 16, null), 8)).join();
        }
        Map<String, FlowStats.TenantFlow> waiting = byCell(engine);
        assertThat(waiting.get("normal/a").waiting()).isEqualTo(10);
        assertThat(waiting.get("normal/a").weight()).isEqualTo(3.0);
        assertThat(waiting.get("core/b").waiting()).isEqualTo(4);
        assertThat(waiting.get("core/b").dispatched()).isZero();

        engine.send(new Command.PauseDispatch(false)).join();
        while (byCell(engine).get("normal/a").dispatched() < 10 && clock.runNext()) {
            // run the virtual clock until every task of "a" started
        }
        Map<String, FlowStats.TenantFlow> after = byCell(engine);
        assertThat(after.get("normal/a").waiting()).isZero();
        assertThat(after.get("normal/a").dispatched()).isEqualTo(10);
        assertThat(after.get("core/b").dispatched()).isEqualTo(4);
        // "a" waited behind the four core tasks: its p99 wait is above zero and at least its median
        assertThat(after.get("normal/a").waitP99Ms()).isPositive().isGreaterThanOrEqualTo(after.get("normal/a").waitP50Ms());
        engine.close();
    }

    private static Map<String, FlowStats.TenantFlow> byCell(Engine engine) {
        // a snapshot is assembled on the loop; ask for a fresh one through a command round trip
        FlowStats flow = engine.send(new Command.TakeSnapshot()).join().flow();
        List<FlowStats.TenantFlow> tenants = flow.tenants();
        return tenants.stream().collect(Collectors.toMap(t -> t.tier() + "/" + t.tenant(), Function.identity()));
    }
}
