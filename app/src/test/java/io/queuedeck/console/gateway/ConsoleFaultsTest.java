package io.queuedeck.console.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.fault.BlastRadius;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultKind;
import io.queuedeck.engine.fault.FaultSpec;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The console's catalogue knows the demo load's rate: a burst by factor needs it (a drill's burst was refused for want of it). */
class ConsoleFaultsTest {

    @Test
    void burstByFactor_multipliesTheDemoLoadsRate_andIsRefusedOnlyWithoutOne() {
        AtomicReference<Double> demoRate = new AtomicReference<>(0.0);
        try (Engine engine = Engine.builder().build()) {
            engine.start();
            FaultCatalogue faults = ConsoleFaults.start(engine, null, demoRate::get);
            FaultSpec burst = new FaultSpec(FaultKind.BURST, BlastRadius.NODE, Map.of("factor", 3.0), Duration.ofMillis(200));

            assertThatThrownBy(() -> faults.inject(burst)).hasMessageContaining("base load is not known");
            demoRate.set(10.0);
            assertThat(faults.inject(burst).id()).isNotBlank();
            faults.clearAll();
        }
    }
}
