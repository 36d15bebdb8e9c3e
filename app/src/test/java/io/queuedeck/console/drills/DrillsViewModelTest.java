package io.queuedeck.console.drills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.drill.LiveEngine;
import io.queuedeck.engine.drill.ProbeLight;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultClock;
import io.queuedeck.engine.report.DrillReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Drills screen's model over a real engine on the real clock: a short drill runs to its
 * verdict on a background thread while the "FX thread" (a single thread of the test's) only
 * receives state; the kill switch aborts, clears and disarms until re-armed; runs are kept.
 */
class DrillsViewModelTest {
    static final String SHORT = """
            name: short-slow
            description: one GPU is slow for a second
            hypothesis: nothing is lost
            target: {load: 0.3, seed: 7}
            steady_state: 1s
            recovery_window: 1s
            observe: 1s
            probes:
              - {name: nothing lost, metric: tasks_lost, max: 0}
              - {name: queue stays short, metric: queue_depth, max: 10000, mode: continuous}
            steps:
              - inject: {kind: slow, target: "instance:0", parameters: {factor: 3}, duration: 1s}
            """;
    static final String LONG = SHORT.replace("duration: 1s", "duration: 10m").replace("name: short-slow", "name: long-slow");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private Engine engine;
    private ScheduledExecutorService timers;
    private FaultCatalogue faults;
    private ExecutorService fx;
    private ExecutorService background;
    private final List<Path> opened = new ArrayList<>();
    private DrillsViewModel model;

    @BeforeEach
    void start() throws Exception {
        engine = Engine.builder()
                .executor(new SimulatedGpuExecutor(2, Engine.Builder.DEFAULT_MODEL, GpuProfile.LLAMA2_7B_H100))
                .build();
        engine.start();
        timers = Executors.newSingleThreadScheduledExecutor();
        faults = new FaultCatalogue(engine, FaultClock.live(timers, engine.clock()::nanos), () -> 0);
        fx = Executors.newSingleThreadExecutor();
        background = Executors.newCachedThreadPool();
        model = newModel();
    }

    private DrillsViewModel newModel() throws Exception {
        return onFx(() -> new DrillsViewModel(new LiveEngine(engine, faults, Duration.ofSeconds(30)), background, fx,
                dir.resolve("drills"), opened::add, Clock.systemUTC()));
    }

    @AfterEach
    void stop() throws InterruptedException {
        // background work hands its results to fx: let it finish first, or its hand-off is refused on a pool thread
        background.shutdownNow();
        assertThat(background.awaitTermination(30, TimeUnit.SECONDS)).as("background work ended").isTrue();
        fx.shutdownNow();
        timers.shutdownNow();
        engine.close();
    }

    private <T> T onFx(Callable<T> read) throws Exception {
        return fx.submit(read).get();
    }

    private Path file(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    @Test
    void run_shortDrill_reachesVerdictScoreReportAndPastRuns() throws Exception {
        Path file = file("short.yaml", SHORT);
        onFx(() -> {
            model.addFile(file);
            model.run();
            return null;
        });
        assertThat(onFx(model.runningProperty()::get)).isTrue();

        // live: the lights come before the verdict
        await().atMost(TIMEOUT).until(() -> onFx(() -> !model.lights().isEmpty() && model.verdictProperty().get().isEmpty()));
        await().atMost(TIMEOUT).until(() -> onFx(() -> !model.runningProperty().get()));

        assertThat(onFx(model.verdictProperty()::get)).isEqualTo("Hypothesis holds · resilience score 100.0");
        assertThat(onFx(() -> List.copyOf(model.lights()))).extracting(ProbeLight::light).containsOnly(ProbeLight.Light.GREEN);
        assertThat(onFx(() -> List.copyOf(model.timeline()))).singleElement()
                .satisfies(step -> assertThat(step.done() && !step.refused()).isTrue());
        Path report = onFx(model.reportProperty()::get);
        assertThat(report.resolve(DrillReport.MARKDOWN)).exists();
        onFx(() -> {
            model.openReport();
            return null;
        });
        assertThat(opened).containsExactly(report);
        assertThat(onFx(() -> List.copyOf(model.pastRuns()))).singleElement().satisfies(run -> {
            assertThat(run.drill()).isEqualTo("short-slow");
            assertThat(run.holds()).isTrue();
            assertThat(run.score()).isEqualTo(100.0);
        });
        // another drill picked: this run's panels would read as that drill's
        onFx(() -> {
            model.selectedProperty().set(io.queuedeck.engine.config.ShippedDrills.names().getFirst());
            return null;
        });
        assertThat(onFx(model.verdictProperty()::get)).isEmpty();
        assertThat(onFx(() -> model.lights().isEmpty() && model.timeline().isEmpty() && model.reportProperty().get() == null)).isTrue();
        // kept in the data directory: a new screen lists it
        DrillsViewModel again = newModel();
        await().atMost(TIMEOUT).until(() -> onFx(() -> again.pastRuns().size() == 1));
    }

    /** Why: a fault the engine refused was ticked done on the timeline; only the report said otherwise. */
    @Test
    void run_stepTheEngineRefuses_isMarkedRefusedOnTheTimeline_notDone() throws Exception {
        Path file = file("refused.yaml", SHORT.replace("instance:0", "instance:9").replace("name: short-slow", "name: refused-slow"));
        onFx(() -> {
            model.addFile(file);
            model.run();
            return null;
        });

        await().atMost(TIMEOUT).until(() -> onFx(() -> !model.runningProperty().get() && !model.timeline().isEmpty()));

        assertThat(onFx(() -> List.copyOf(model.timeline()))).singleElement()
                .satisfies(step -> assertThat(step.refused()).as(step.toString()).isTrue());
        // not tested, so not "does not hold": the verdict, Past runs and runs.tsv say so alike
        assertThat(onFx(() -> model.verdictProperty().get())).startsWith("Hypothesis was not shown to hold (a fault was not injected)");
        assertThat(onFx(() -> model.pastRuns().getFirst().verdict())).isEqualTo("not shown to hold");
        DrillsViewModel again = newModel();
        await().atMost(TIMEOUT).until(() -> onFx(() -> again.pastRuns().size() == 1));
        assertThat(onFx(() -> again.pastRuns().getFirst().verdict())).isEqualTo("not shown to hold");
    }

    @Test
    void abort_runningDrill_clearsFaultsDisarmsUntilRearmed() throws Exception {
        Path file = file("long.yaml", LONG);
        onFx(() -> {
            model.addFile(file);
            model.run();
            return null;
        });
        await().atMost(TIMEOUT).until(() -> !faults.active().isEmpty()); // the ten-minute slow GPU is in force
        java.util.concurrent.atomic.AtomicInteger restored = new java.util.concurrent.atomic.AtomicInteger();
        List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
        onFx(() -> {
            model.onKillSwitch(restored::incrementAndGet); // the console restores its own GPU buttons' faults there
            model.statusProperty().addListener((o, was, now) -> said.add(now));
            return null;
        });

        onFx(() -> {
            model.abort();
            return null;
        });
        assertThat(restored).as("the console's GPU faults cleared too").hasValue(1);
        // the one the console restored counts (it said 0 with a GPU restored), and the drill's slow GPU, which
        // the kill switch clears before the drill hears of it
        await().atMost(TIMEOUT).until(() -> said.stream().anyMatch(t -> t.startsWith("Kill switch pulled: 2 faults cleared")));

        await().atMost(TIMEOUT).until(() -> onFx(() -> !model.runningProperty().get()));
        // the drill's report gives the screen's figure (it counted only what was left when the drill heard of it)
        java.nio.file.Path report = onFx(() -> model.pastRuns().getFirst().report());
        assertThat(java.nio.file.Files.readString(report.resolve("report.md"))).contains("kill switch: 2 faults cleared")
                .contains("**Verdict: the hypothesis was not shown to hold**") // the screen's words; it said "does not hold"
                .doesNotContain("0 faults cleared");
        assertThat(faults.active()).isEmpty();
        assertThat(faults.armed()).isFalse();
        assertThat(onFx(model.armedProperty()::get)).isFalse();
        assertThat(onFx(model.verdictProperty()::get)).startsWith("Aborted: hypothesis was not shown to hold");
        assertThat(onFx(() -> model.pastRuns().getFirst().score())).isLessThanOrEqualTo(50);
        // disarmed: a new run is refused until re-armed
        onFx(() -> {
            model.run();
            return null;
        });
        assertThat(onFx(model.runningProperty()::get)).isFalse();
        assertThat(onFx(model.statusProperty()::get)).contains("disarmed");

        onFx(() -> {
            model.rearm();
            return null;
        });
        await().atMost(TIMEOUT).until(() -> onFx(model.armedProperty()::get));
        assertThat(faults.armed()).isTrue();
    }

    /** Closing the window mid-drill left no verdict, no report, no Past-runs row and its fault in force. */
    @Test
    void endForClose_abortsTheRunningDrill_andRecordsIt() throws Exception {
        Path file = file("long.yaml", LONG);
        onFx(() -> {
            model.addFile(file);
            model.run();
            return null;
        });
        await().atMost(TIMEOUT).until(() -> !faults.active().isEmpty());
        int before = onFx(() -> model.pastRuns().size());
        // the drill's tasks cannot finish: the report waited up to the settle limit (30 s here, 10 minutes in the
        // console) for them, and a stopping console exited first, the report never written
        engine.send(new io.queuedeck.engine.command.Command.PauseDispatch(true)).join();

        model.endForClose().get(10, java.util.concurrent.TimeUnit.SECONDS); // as long as the console waits for it

        assertThat(faults.active()).isEmpty();
        await().atMost(TIMEOUT).until(() -> onFx(() -> model.pastRuns().size()) == before + 1);
        assertThat(onFx(() -> model.pastRuns().getFirst().score())).isLessThanOrEqualTo(50);
        assertThat(onFx(() -> model.pastRuns().getFirst().verdict())).isEqualTo("aborted");
        assertThat(onFx(() -> model.pastRuns().getFirst().report()).resolve("report.md"))
                .content().contains(DrillsViewModel.CLOSED);
    }

    @Test
    void addFile_badDrill_isRefusedWithItsProblem() throws Exception {
        Path file = file("bad.yaml", SHORT.replace("kind: slow", "kind: slw"));
        onFx(() -> {
            model.addFile(file);
            return null;
        });
        assertThat(onFx(model.statusProperty()::get)).contains("bad.yaml").contains("unknown fault 'slw'");
        assertThat(onFx(() -> List.copyOf(model.drills()))).doesNotContain("short-slow (bad.yaml)");

        onFx(() -> {
            model.selectedProperty().set(model.drills().getLast()); // another drill picked: the refusal is not its
            return null;
        });
        assertThat(onFx(model.statusProperty()::get)).isEmpty();
    }

    @Test
    void run_drillOfRealBackends_isRefusedWithWhereToRunIt() throws Exception {
        onFx(() -> {
            model.selectedProperty().set("backend-5xx-and-stall");
            model.run();
            return null;
        });
        await().atMost(TIMEOUT).until(() -> onFx(() -> !model.runningProperty().get()));

        assertThat(onFx(model.statusProperty()::get)).contains("backend-5xx-and-stall", "target.backends", "--realtime");
        assertThat(onFx(model.verdictProperty()::get)).isEmpty();
        assertThat(onFx(() -> List.copyOf(model.pastRuns()))).isEmpty();
        assertThat(faults.active()).isEmpty();
    }

    @Test
    void run_drillOfItsOwnRedis_isRefusedWithWhereToRunIt() throws Exception {
        onFx(() -> { // it aborted at once, disarmed fault injection and held the screen for up to 10 minutes
            model.selectedProperty().set("redis-outage");
            model.run();
            return null;
        });
        await().atMost(TIMEOUT).until(() -> onFx(() -> !model.runningProperty().get()));

        assertThat(onFx(model.statusProperty()::get)).contains("redis-outage", "redis-server", "drill resources/drills/redis-outage.yaml");
        assertThat(onFx(model.armedProperty()::get)).isTrue();
        assertThat(onFx(() -> List.copyOf(model.pastRuns()))).isEmpty();
        assertThat(faults.armed()).isTrue();
    }

    @Test
    void run_drillThatCountsItsOwnCallbacks_isRefusedWithWhereToRunIt() throws Exception {
        onFx(() -> { // its callback probes measured nothing live, so its verdict could only be "does not hold"
            model.selectedProperty().set("callback-outage");
            model.run();
            return null;
        });
        await().atMost(TIMEOUT).until(() -> onFx(() -> !model.runningProperty().get()));

        assertThat(onFx(model.statusProperty()::get)).contains("callback-outage was not started", "callbacks_lost",
                "drill resources/drills/callback-outage.yaml");
        assertThat(onFx(() -> List.copyOf(model.pastRuns()))).isEmpty();
        assertThat(faults.armed()).isTrue();
    }

    /** 30 tasks held waiting, and a drill (file {@code name}) whose stop condition is a queue deeper than 20. */
    private Path backlogBeyondAStopCondition(String name) throws Exception {
        engine.send(new Command.PauseDispatch(true)).join();
        for (int i = 0; i < 30; i++) {
            engine.send(new Command.Submit(TaskSpec.of(Engine.Builder.DEFAULT_MODEL, "x", 5, 8))).join();
        }
        return file(name, SHORT.replace("steps:", "stop_conditions:\n  - {metric: queue_depth, above: 20, window: 10s}\nsteps:"));
    }

    @Test
    void run_whileTheEngineBreaksAStopConditionAlready_isNotStarted_andLeavesFaultInjectionArmed() throws Exception {
        Path file = backlogBeyondAStopCondition("deep.yaml"); // a backlog from before the drill: it aborted in 1 s and disarmed
        onFx(() -> {
            model.addFile(file);
            model.run();
            return null;
        });
        await().atMost(TIMEOUT).until(() -> onFx(() -> !model.runningProperty().get()));

        assertThat(onFx(model.statusProperty()::get)).contains("short-slow was not started", "queue_depth is 30 now, above the stop"
                + " condition's 20");
        assertThat(onFx(() -> List.copyOf(model.pastRuns()))).isEmpty();
        assertThat(faults.armed()).isTrue();
    }

    /**
     * Why: a drill aborted by its stop condition said only "ABORTED" while it settled for minutes,
     * and Re-arm showed only with the verdict, while the Faults screen told the operator to re-arm.
     */
    @Test
    void aStopConditionAbort_saysWhichAtOnce_andOffersReArmWhileTheDrillSettles() throws Exception {
        Path file = file("tripped.yaml", LONG.replace("steps:", "stop_conditions:\n  - {metric: queue_depth, above: 5, window: 1s}\nsteps:"));
        onFx(() -> {
            model.addFile(file);
            model.run();
            return null;
        });
        await().atMost(TIMEOUT).until(() -> onFx(model.runningProperty()::get) && !faults.active().isEmpty());
        engine.send(new Command.PauseDispatch(true)).join(); // the queue grows past the stop condition, and its tasks wait

        await().atMost(TIMEOUT).until(() -> onFx(model.statusProperty()::get).startsWith("ABORTED ("));
        assertThat(onFx(model.statusProperty()::get)).contains("queue_depth");
        // against the drill's planned length: it said "75 of 75 s" for a 420 s drill
        java.util.regex.Matcher at = java.util.regex.Pattern.compile("stopped at (\\d+) of (\\d+) s")
                .matcher(onFx(model.statusProperty()::get));
        assertThat(at.find()).as(onFx(model.statusProperty()::get)).isTrue();
        assertThat(Integer.parseInt(at.group(2))).isGreaterThan(Integer.parseInt(at.group(1)) + 30);
        assertThat(onFx(model.runningProperty()::get)).as("still settling").isTrue();
        assertThat(onFx(model.armedProperty()::get)).as("Re-arm offered at once").isFalse();

        engine.send(new Command.PauseDispatch(false)).join(); // its tasks finish: the drill ends
        await().atMost(TIMEOUT).until(() -> onFx(() -> !model.runningProperty().get()));
    }

    /** Why: it offered "press Run again to run it anyway", and the second press was refused for a stop condition already broken. */
    @Test
    void overCapacityAndAStopConditionBrokenAlready_saysTheStopCondition_andOffersNoRunAnyway() throws Exception {
        Path file = backlogBeyondAStopCondition("deep2.yaml");
        onFx(() -> {
            model.besideDemoLoad(() -> 0.9);
            model.addFile(file);
            model.run();
            return null;
        });
        await().atMost(TIMEOUT).until(() -> onFx(model.statusProperty()::get).contains("was not started"));

        assertThat(onFx(model.statusProperty()::get)).contains("queue_depth is 30 now").doesNotContain("Run again");
        assertThat(onFx(() -> List.copyOf(model.pastRuns()))).isEmpty();
    }

    /** Why: beside the default 90% demo load a drill's own 60% asked 150% of the GPUs and aborted itself. */
    @Test
    void aDrillThatWithTheDemoLoadAsksMoreThanTheGpusGive_saysSoFirst_andRunsWhenAskedAgain() throws Exception {
        Path file = file("short.yaml", SHORT);
        onFx(() -> {
            model.besideDemoLoad(() -> 0.9);
            model.addFile(file);
            model.run();
            return null;
        });
        await().atMost(TIMEOUT).until(() -> onFx(model.statusProperty()::get).contains("was not started"));
        assertThat(onFx(model.statusProperty()::get)).contains("the demo load (90%) and its own load (30%) ask 120%")
                .contains("press Run again");
        assertThat(onFx(model.runningProperty()::get)).isFalse();
        assertThat(faults.armed()).isTrue();

        onFx(() -> {
            model.run(); // the operator's choice: it runs
            return null;
        });
        await().atMost(TIMEOUT).until(() -> onFx(() -> !model.pastRuns().isEmpty()));
    }
}
