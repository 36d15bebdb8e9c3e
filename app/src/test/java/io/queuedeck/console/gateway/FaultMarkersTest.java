package io.queuedeck.console.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.fault.BlastRadius;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultClock;
import io.queuedeck.engine.fault.FaultKind;
import io.queuedeck.engine.fault.FaultSpec;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every fault of the catalogue becomes a labelled marker (a change-log entry the charts draw) when it starts and ends. */
class FaultMarkersTest {

    @Test
    void catalogueFault_injectedAndCleared_becomesLabelledFaultAndRecoveryMarkers() {
        VirtualClock clock = new VirtualClock();
        Engine engine = Engine.builder().clock(clock)
                .executor(new SimulatedGpuExecutor(2, Engine.Builder.DEFAULT_MODEL, GpuProfile.LLAMA2_7B_H100)).build();
        engine.start();
        try {
            ChangeLog log = new ChangeLog(Clock.systemUTC());
            FaultMarkers markers = new FaultMarkers(engine, log);
            FaultCatalogue faults = new FaultCatalogue(engine, FaultClock.of(clock), () -> 0);

            String id = faults.inject(new FaultSpec(FaultKind.SLOW, BlastRadius.instance(1), Map.of("factor", 4.0), null)).id();
            faults.clear(id);
            markers.drain();

            assertThat(log.entries()).extracting(ChangeLog.Entry::kind, ChangeLog.Entry::text).containsExactly(
                    tuple(ChangeLog.Kind.FAULT, "fault " + id + ": slow factor=4 on instance:1"),
                    tuple(ChangeLog.Kind.RECOVERY, "fault cleared " + id + ": slow factor=4 on instance:1"));
        } finally {
            engine.close();
        }
    }
}
