package io.queuedeck.console.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.testing.FakeLoad;
import io.queuedeck.console.testing.RecordingCommands;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.fault.BlastRadius;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultClock;
import io.queuedeck.engine.fault.FaultKind;
import io.queuedeck.engine.fault.FaultSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A fault of the catalogue is listed once under Active faults, not again as the GPU state it causes. */
class FaultsListingTest {
    @Test
    void aCatalogueSlowOnAGpu_isOneRow_theCataloguesWhichClearsIt() throws Exception {
        Engine engine = Engine.builder().executor(new SimulatedGpuExecutor(2, Engine.Builder.DEFAULT_MODEL, GpuProfile.LLAMA2_7B_H100)).build();
        engine.start();
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        // the "FX thread": one thread, as the screen has. The catalogue's own thread may still hand a read to it
        // after the test; dropped, as Platform.runLater drops it once the toolkit is gone, not refused on that thread
        ExecutorService fx = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new ThreadPoolExecutor.DiscardPolicy());
        try {
            FaultCatalogue faults = new FaultCatalogue(engine, FaultClock.live(timers, engine.clock()::nanos), () -> 0);
            faults.inject(new FaultSpec(FaultKind.SLOW, new BlastRadius(BlastRadius.Scope.INSTANCE, "1"), Map.of("factor", 3.0),
                    Duration.ofMinutes(5)));
            FaultsViewModel model = new FaultsViewModel(new RecordingCommands(), new FakeLoad(), new ChangeLog(Clock.systemUTC()),
                    new CatalogueFaults(faults, fx, (action, error) -> { }));

            var snapshot = engine.send(new Command.TakeSnapshot()).join();
            await().atMost(Duration.ofSeconds(10)).until(() -> fx.submit(() -> {
                model.apply(snapshot);
                return model.activeFaults().stream().anyMatch(f -> f.faultId() != null);
            }).get());

            // it listed "slowed ×3 — on GPU 1" and "slow factor=3 … — on instance:1" for the one fault
            List<FaultsViewModel.ActiveFault> rows = fx.submit(() -> List.copyOf(model.activeFaults())).get();
            assertThat(rows).singleElement().satisfies(row -> {
                assertThat(row.target()).isEqualTo("instance:1");
                assertThat(row.faultId()).isNotNull();
            });

            // the kill switch counts a button's slow GPU, not the catalogue's again (it is the catalogue's to end)
            engine.send(new Command.SlowInstance(0, 2.0)).join();
            var both = engine.send(new Command.TakeSnapshot()).join();
            assertThat(fx.submit(() -> {
                model.apply(both);
                return model.restoreGpus();
            }).get()).isEqualTo(1);
        } finally {
            fx.shutdownNow();
            timers.shutdownNow();
            engine.close();
        }
    }
}
