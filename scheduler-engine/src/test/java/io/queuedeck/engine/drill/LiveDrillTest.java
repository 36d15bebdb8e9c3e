package io.queuedeck.engine.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.config.DrillReader;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.fault.BlastRadius;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultClock;
import io.queuedeck.engine.fault.FaultKind;
import io.queuedeck.engine.fault.FaultSpec;
import io.queuedeck.engine.task.TaskSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A drill against "the running engine": an engine started on the real clock that other clients
 * use too. The drill's load, steps, probes and accounting run as on the virtual clock, counting
 * only its own tasks; its abort pulls the catalogue's kill switch.
 */
class LiveDrillTest {
    private static final String DRILL = """
            name: live-crash
            description: a GPU crashes for a second
            hypothesis: its tasks are retried; nothing is lost
            target: {load: 0.3, seed: 5}
            steady_state: 2s
            recovery_window: 1s
            observe: 1s
            probes:
              - {name: nothing lost, metric: tasks_lost, max: 0, weight: 3}
              - {name: no double completion, metric: tasks_completed_twice, max: 0}
              - {name: few errors, metric: error_rate, max: 0.01, mode: during}
            stop_conditions:
              - {metric: queue_depth, above: 100000, window: 10s}
            steps:
              - inject: {kind: crash, target: "instance:0", duration: 1s}
            """;

    private Engine engine;
    private ScheduledExecutorService timers;
    private FaultCatalogue faults;

    @BeforeEach
    void startEngine() {
        engine = Engine.builder()
                .executor(new SimulatedGpuExecutor(2, Engine.Builder.DEFAULT_MODEL, GpuProfile.LLAMA2_7B_H100))
                .policy("priority")
                .build();
        engine.start();
        timers = Executors.newSingleThreadScheduledExecutor();
        faults = new FaultCatalogue(engine, FaultClock.live(timers, engine.clock()::nanos), () -> 0);
    }

    @AfterEach
    void stop() {
        timers.shutdownNow();
        engine.close();
    }

    @Test
    void liveDrill_onTheRunningEngine_holdsAndCountsOnlyItsOwnTasks() {
        // another client's tasks: the drill must not count them
        for (int i = 0; i < 5; i++) {
            engine.send(new Command.Submit(new TaskSpec("other-" + i, Engine.Builder.DEFAULT_MODEL, "", 5, null, null, null,
                    null, 64, 128, null), 32)).join();
        }
        List<Double> seconds = new ArrayList<>();
        List<List<ProbeLight>> lights = new ArrayList<>();

        DrillResult result = DrillRunner.live(DrillReader.read("live.yaml", DRILL), new LiveEngine(engine, faults,
                Duration.ofMinutes(1)), control -> {
            if (!control.log().getLast().action().equals("settling")) { // at the end, while it settles, notes may come too
                seconds.add(control.second());
                lights.add(control.lights());
            }
            if (seconds.size() == 2) { // an operator's change meanwhile, as the console or the API audits it
                engine.audit().record("alice", "console", "policy.switch", "fifo", 0, null);
                engine.audit().record("alice", "console", "fault.poison_task", "poison-1", 0, null); // no event shows it
                engine.audit().record("alice", "api", "fault.inject", "f-9", 0, "slow"); // its marker's event shows it
            }
        }).run();

        assertThat(result.probes()).allSatisfy(p -> assertThat(p.passed()).as(p.probe().name() + " " + p.measured()).isTrue());
        assertThat(result.holds()).isTrue();
        assertThat(result.accounting().accepted()).isPositive();
        assertThat(result.accounting().lost()).isZero();
        assertThat(result.accounting().completed() + result.accounting().deadLettered())
                .isEqualTo(result.accounting().accepted());
        assertThat(result.markers()).anySatisfy(m -> assertThat(m.label()).startsWith("crash on instance:0"));
        // the first line says what the drill found, before its first one-second sample
        assertThat(result.log().getFirst().observed()).startsWith("the running engine on the real clock: ")
                .contains(" running, 2 GPUs serving");
        // the report names that engine as the target, not the file's defaults (4 GPUs, priority, 3 attempts)
        assertThat(io.queuedeck.engine.report.DrillReport.markdown(result)).contains("- the running engine on the real clock: ")
                .contains("were not applied").doesNotContain("4 simulated H100").doesNotContain("attempts per task");
        assertThat(seconds).hasSize(5).startsWith(1.0).endsWith(5.0);
        // what the operator changed meanwhile is in the run log, by whom: a verdict is read beside it
        assertThat(result.log()).anySatisfy(line -> assertThat(line.action() + " " + line.observed())
                .isEqualTo("operator policy.switch alice (console): fifo"));
        assertThat(result.log()).anySatisfy(line -> assertThat(line.action()).isEqualTo("operator fault.poison_task"));
        assertThat(result.log()).noneSatisfy(line -> assertThat(line.action()).isEqualTo("operator fault.inject"));
        // tasks_lost is judged at the end; the error rate is pending until the faults begin
        assertThat(lights.getFirst()).extracting(ProbeLight::light)
                .containsExactly(ProbeLight.Light.PENDING, ProbeLight.Light.GREEN, ProbeLight.Light.PENDING);
        assertThat(faults.active()).isEmpty();
        assertThat(faults.armed()).isTrue();
    }

    /** Why: on real backends such a drill ran for minutes with every task refused, and a verdict that meant nothing. */
    @Test
    void liveDrill_ofTheSimulatedModel_onAnEngineThatDoesNotServeIt_isRefused_sayingWhy() {
        Engine other = Engine.builder().executor(new SimulatedGpuExecutor(1, "meta-llama/Llama-3.1-8B-Instruct",
                GpuProfile.LLAMA2_7B_H100)).build();
        other.start();
        try {
            var refusal = new LiveEngine(other, faults).refusal(DrillReader.read("live.yaml", DRILL));

            assertThat(refusal).hasValueSatisfying(why -> assertThat(why).startsWith("its load asks for llama-2-7b")
                    .contains("serve meta-llama/Llama-3.1-8B-Instruct").contains("target.backends"));
            assertThat(new LiveEngine(engine, faults).refusal(DrillReader.read("live.yaml", DRILL))).isEmpty();
        } finally {
            other.close();
        }
    }

    @Test
    void abortFromAnotherThread_liveDrill_endsAtOnceClearsFaultsAndDisarms() {
        String long_ = DRILL.replace("duration: 1s", "duration: 10m");
        DrillRunner[] runner = new DrillRunner[1];
        runner[0] = DrillRunner.live(DrillReader.read("live.yaml", long_), new LiveEngine(engine, faults, Duration.ofMinutes(1)),
                control -> {
                    if (control.second() >= 4) {
                        // the console's kill switch: another thread asks, the run aborts within a slice
                        Thread.ofPlatform().start(() -> runner[0].abort("operator pulled the kill switch")).setName("kill");
                    }
                });
        long start = System.nanoTime();

        DrillResult result = runner[0].run();

        assertThat(result.holds()).isFalse();
        assertThat(result.abortReason()).isEqualTo("operator pulled the kill switch");
        assertThat(result.score()).isLessThanOrEqualTo(50);
        assertThat((System.nanoTime() - start) / 1e9).as("a ten-minute fault called off").isLessThan(60);
        assertThat(faults.active()).isEmpty();
        assertThat(faults.armed()).isFalse();
        assertThatThrownBy(() -> faults.inject(new FaultSpec(FaultKind.SLOW, BlastRadius.instance(1))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("disarmed");
    }

    /**
     * Past its observation a live drill waits for its own tasks, and the log says so while it waits;
     * tasks still queued when the wait ends are reported as such, not as lost (a drill beside a busy
     * engine reported hundreds of queued tasks as lost).
     */
    @Test
    void liveDrill_tasksUnfinishedAtTheEnd_saysItIsSettling_thenReportsThemStillQueued_notLost() {
        engine.send(new Command.PauseDispatch(true)).join(); // the drill's tasks wait for good
        List<String> lines = new ArrayList<>();

        DrillResult result = DrillRunner.live(DrillReader.read("live.yaml", DRILL), new LiveEngine(engine, faults,
                Duration.ofSeconds(2)), control -> lines.add(control.log().getLast().action())).run();

        assertThat(lines.getLast()).isEqualTo("settling");
        assertThat(result.log()).filteredOn(line -> line.action().equals("settling")).first()
                .satisfies(line -> assertThat(line.observed()).matches("\\d+ of the drill's tasks not finished yet; waiting up"
                        + " to 2 s more \\(then those still queued are reported as unfinished, any the engine no longer knows as lost\\)"));
        assertThat(result.accounting().unfinished()).isPositive().isEqualTo(result.accounting().accepted());
        assertThat(result.accounting().lost()).isZero();
        assertThat(result.findings()).anySatisfy(f -> assertThat(f).contains("still waiting or running").contains("not lost"));
    }

    @Test
    void realtime_freshEngineWithAFullStore_refusesDuringAndRecovers() {
        String storeDrill = """
                name: live-store-full
                description: the store's disk is full for two seconds
                hypothesis: new work is refused, nothing acknowledged is lost, work is accepted again
                target: {gpus: 2, load: 0.3, seed: 9, store: embedded}
                steady_state: 2s
                recovery_window: 1s
                observe: 2s
                probes:
                  - {name: refused while full, metric: refused, min: 1, mode: during}
                  - {name: accepted after, metric: refused, max: 0, mode: after}
                  - {name: nothing lost, metric: tasks_lost, max: 0}
                steps:
                  - inject: {kind: store_full, duration: 2s}
                """;

        DrillResult result = DrillRunner.realtime(DrillReader.read("store.yaml", storeDrill), control -> { }).run();

        assertThat(result.probes()).allSatisfy(p -> assertThat(p.passed()).as(p.probe().name() + " " + p.measured()).isTrue());
        assertThat(result.accounting().refused()).isPositive();
        assertThat(result.accounting().lost()).isZero();
    }
}
