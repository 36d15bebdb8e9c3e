package io.queuedeck.console.gateway;

import static io.queuedeck.console.testing.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.console.testing.Snapshots;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import org.junit.jupiter.api.Test;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

class EngineGatewayTest {
    private static final long MS = 1_000_000L;

    private final List<CommandFailure> failures = new ArrayList<>();

    @Test
    void gateFaults_disarmed_refusesFaultCommandsOnly() {
        try (Engine engine = Engine.builder().clock(new VirtualClock())
                .executor(new io.queuedeck.engine.exec.sim.SimulatedGpuExecutor(2, Engine.Builder.DEFAULT_MODEL,
                        io.queuedeck.engine.exec.sim.GpuProfile.LLAMA2_7B_H100)).build()) {
            engine.start();
            EngineGateway gateway = new EngineGateway(engine, Runnable::run, failures::add);
            boolean[] armed = {false};
            gateway.gateFaults(() -> armed[0]);

            gateway.send(new io.queuedeck.engine.command.Command.CrashInstance(0));
            gateway.send(new io.queuedeck.engine.command.Command.SlowInstance(1, 1.0)); // a recovery is not a fault
            assertThat(failures).singleElement().satisfies(f -> assertThat(f.reason()).contains("disarmed by the kill switch"));

            armed[0] = true;
            gateway.send(new io.queuedeck.engine.command.Command.CrashInstance(0));
            assertThat(failures).hasSize(1);
        }
    }

    @Test
    void applyIfDue_manySnapshotsBetweenFrames_onlyLatestApplied() {
        try (Engine engine = Engine.builder().clock(new VirtualClock()).build()) {
            EngineGateway gateway = new EngineGateway(engine, Runnable::run, failures::add);
            List<EngineSnapshot> seen = new ArrayList<>();
            gateway.addListener(seen::add);
            EngineSnapshot a = snapshot().policy("a").lastSecond(Snapshots.T0, Snapshots.latency(1, 10, 20)).build();
            EngineSnapshot b = snapshot().policy("b").lastSecond(Snapshots.T0.plusSeconds(1), Snapshots.latency(2, 10, 20)).build();
            EngineSnapshot c = snapshot().policy("c").lastSecond(Snapshots.T0.plusSeconds(1), Snapshots.latency(2, 10, 20)).build();

            gateway.accept(a);
            gateway.accept(b);
            gateway.accept(c);
            gateway.applyIfDue(1_000 * MS);

            assertThat(seen).containsExactly(c);
            assertThat(gateway.drainLatency()).as("every closed second is kept for the charts, once")
                    .extracting(io.queuedeck.console.gateway.LatencySample::at)
                    .containsExactly(Snapshots.T0, Snapshots.T0.plusSeconds(1));
        }
    }

    @Test
    void applyIfDue_framesCloserThan50ms_coalesced() {
        try (Engine engine = Engine.builder().clock(new VirtualClock()).build()) {
            EngineGateway gateway = new EngineGateway(engine, Runnable::run, failures::add);
            List<EngineSnapshot> seen = new ArrayList<>();
            gateway.addListener(seen::add);

            gateway.accept(snapshot().build());
            gateway.applyIfDue(1_000 * MS);
            gateway.accept(snapshot().policy("later").build());
            gateway.applyIfDue(1_016 * MS); // next frame at 60 Hz: too soon
            assertThat(seen).hasSize(1);
            gateway.applyIfDue(1_050 * MS);
            gateway.applyIfDue(1_200 * MS); // nothing new: nothing applied

            assertThat(seen).hasSize(2);
            assertThat(seen.get(1).policy()).isEqualTo("later");
        }
    }

    @Test
    void command_refusedByEngine_reportedWithReason() {
        try (Engine engine = Engine.builder().clock(new VirtualClock()).build()) {
            engine.start();
            EngineGateway gateway = new EngineGateway(engine, Runnable::run, failures::add);

            CompletableFuture<Void> crash = gateway.send(new Command.CrashInstance(42));

            assertThat(crash).isCompletedExceptionally();
            assertThat(failures).singleElement().satisfies(f -> {
                assertThat(f.action()).isEqualTo("Crash GPU 42");
                assertThat(f.reason()).contains("instance must be between 0 and 3");
            });
        }
    }

    @Test
    void command_accepted_completesWithoutReport() {
        try (Engine engine = Engine.builder().clock(new VirtualClock()).build()) {
            engine.start();
            EngineGateway gateway = new EngineGateway(engine, Runnable::run, failures::add);

            assertThat(gateway.send(new Command.PauseDispatch(true))).isCompleted();
            assertThat(engine.send(new Command.TakeSnapshot()).join().dispatchPaused()).isTrue();
            assertThat(failures).isEmpty();
        }
    }

    @Test
    void applyIfDue_brokenScreen_othersStillUpdatedAndOperatorToldOnce() {
        try (Engine engine = Engine.builder().clock(new VirtualClock()).build()) {
            EngineGateway gateway = new EngineGateway(engine, Runnable::run, failures::add);
            List<EngineSnapshot> seen = new ArrayList<>();
            gateway.addListener(s -> {
                throw new IllegalStateException("bug in a screen");
            });
            gateway.addListener(seen::add);

            gateway.accept(snapshot().build());
            gateway.applyIfDue(1_000 * MS);
            gateway.accept(snapshot().build());
            gateway.applyIfDue(2_000 * MS);

            assertThat(seen).hasSize(2);
            assertThat(failures).singleElement().satisfies(f -> assertThat(f.reason()).isEqualTo("bug in a screen"));
        }
    }
}
