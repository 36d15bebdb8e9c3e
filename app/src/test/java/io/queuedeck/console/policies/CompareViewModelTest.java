package io.queuedeck.console.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.queuedeck.engine.sim.PolicyResult;
import io.queuedeck.engine.sim.ReportFormat;
import io.queuedeck.engine.sim.TraceComparison;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The comparison without a window. The test thread plays the FX thread: what the comparison hands
 * back waits in a queue until the test runs it, so every property is read on the thread that set it.
 */
class CompareViewModelTest {
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    private final LinkedBlockingQueue<Runnable> fx = new LinkedBlockingQueue<>();
    private final ExecutorService background = Executors.newSingleThreadExecutor();
    private final AtomicInteger started = new AtomicInteger();
    private final CompareViewModel model = new CompareViewModel(job -> {
        started.incrementAndGet();
        background.execute(job);
    }, Runnable::run, fx::add, List.of("azure-conv-2023.csv", "azure-code-2023.csv"));
    @TempDir
    Path dir;
    private Path slice;

    @BeforeEach
    void slice() throws Exception {
        // the first 300 requests of the shipped code trace: under a second per policy, and prompts short and long,
        // so the "prompt" rule makes three priority classes and the urgent column has a class of its own
        slice = dir.resolve("code-slice.csv");
        try (var in = TraceComparison.class.getResourceAsStream("/queuedeck/traces/azure-code-2023.csv")) {
            Files.write(slice, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().limit(301).toList());
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        background.shutdownNow();
        assertThat(background.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    /** Runs what the comparison handed back, as the FX thread would, until {@code done} holds. */
    private void pumpUntil(BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + PATIENCE.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited %s for the comparison", PATIENCE).isLessThan(end);
            Runnable next = fx.poll(100, TimeUnit.MILLISECONDS);
            if (next != null) {
                next.run();
            }
        }
    }

    private void only(String... policies) {
        List<String> wanted = List.of(policies);
        for (String name : model.policyNames()) {
            model.includedProperty(name).set(wanted.contains(name));
        }
    }

    @Test
    void run_traceSlice_oneRowPerPolicyWithTheEnginesFiguresAndRatios() throws Exception {
        model.traceProperty().set(slice.toString());
        only("fifo", "priority", "sjf");

        assertThat(model.run()).isTrue();
        assertThat(model.runningProperty().get()).isTrue();
        pumpUntil(() -> !model.runningProperty().get());

        assertThat(model.errorProperty().get()).isEmpty();
        assertThat(model.rows()).extracting(CompareRow::policy).containsExactly("fifo", "priority", "sjf", "srpt-oracle");
        // the same figures as the engine gives for the same comparison (the command line's, see SimulateTraceComparisonTest)
        List<PolicyResult> engine = new TraceComparison(slice.toString(), 0.9, 1, "prompt", List.of("fifo", "priority", "sjf"))
                .run(Runnable::run, () -> false, done -> {}).results();
        assertThat(model.urgentClassProperty().get()).isEqualTo("1");
        for (int i = 0; i < engine.size(); i++) {
            CompareRow row = model.rows().get(i);
            PolicyResult result = engine.get(i);
            assertThat(row.e2eP99()).isEqualTo(result.all().latencyP99Ms());
            assertThat(row.ttftP50()).isEqualTo(result.all().ttftP50Ms());
            assertThat(row.urgentP99()).isEqualTo(result.byPriority().get("1").latencyP99Ms());
            assertThat(row.goodput()).isEqualTo(100 * result.lab().goodputShare());
            assertThat(row.vsBound()).isEqualTo(result.lab().lowerBoundRatio());
        }
        CompareRow fifo = model.rows().getFirst();
        CompareRow oracle = model.rows().getLast();
        assertThat(fifo.figure()).as("the default figure is the mean, which the oracle is the reference of").isEqualTo(fifo.e2eMean());
        assertThat(fifo.vsFifo()).isEqualTo(1.0);
        assertThat(oracle.vsOracle()).isEqualTo(1.0);
        assertThat(model.rows().get(1).vsOracle()).isCloseTo(model.rows().get(1).e2eMean() / oracle.e2eMean(), within(1e-12));
        assertThat(model.statusProperty().get()).startsWith("4 policies on 300 requests of code-slice.csv at time scale")
                .contains("(load 0.90), seed 1, on 4 simulated H100s");
        assertThat(model.commandLineProperty().get()).endsWith("--priorities prompt --policy fifo,priority,sjf,srpt-oracle");
    }

    @Test
    void figure_otherOne_ratiosTakenOfIt_andMeanMatchesTheCommandLinesOracleRatio() throws Exception {
        model.traceProperty().set(slice.toString());
        only("fifo", "mlfq");
        model.run();
        pumpUntil(() -> !model.runningProperty().get());

        model.figureProperty().set(CompareFigure.GOODPUT);
        CompareRow mlfq = model.rows().get(1);
        assertThat(mlfq.figure()).isEqualTo(mlfq.goodput());
        assertThat(mlfq.vsFifo()).isCloseTo(mlfq.goodput() / model.rows().getFirst().goodput(), within(1e-12));

        model.figureProperty().set(CompareFigure.E2E_MEAN);
        List<PolicyResult> engine = new TraceComparison(slice.toString(), 0.9, 1, "prompt", List.of("fifo", "mlfq"))
                .run(Runnable::run, () -> false, done -> {}).results();
        // the command line's "vs oracle" is the mean's ratio, rounded to three places
        assertThat(model.rows().get(1).vsOracle()).isCloseTo(engine.get(1).oracleRatio(), within(0.0005));
    }

    @Test
    void run_whileOneRuns_refused_andCancelEndsItWithoutResults() throws Exception {
        model.traceProperty().set("azure-conv-2023.csv"); // the whole conversation trace: tens of seconds, were it not cancelled

        assertThat(model.run()).isTrue();
        assertThat(model.run()).as("a second run while one runs").isFalse();
        model.cancel();
        assertThat(model.statusProperty().get()).isEqualTo("Cancelling…");
        assertThat(model.run()).as("nor while it is being cancelled").isFalse();
        pumpUntil(() -> !model.runningProperty().get());

        assertThat(started).hasValue(1);
        assertThat(model.statusProperty().get()).isEqualTo("Cancelled: no results from this run.");
        assertThat(model.errorProperty().get()).isEmpty();
        assertThat(model.rows()).isEmpty();
        assertThat(model.exportCsv(dir.resolve("none.csv")).join()).contains("Nothing to export: run a comparison first.");

        model.traceProperty().set(slice.toString()); // and the next run goes through
        only("fifo");
        assertThat(model.run()).isTrue();
        pumpUntil(() -> !model.runningProperty().get());
        assertThat(model.rows()).extracting(CompareRow::policy).containsExactly("fifo", "srpt-oracle");
    }

    @Test
    void run_malformedTrace_saysTheEnginesWordsNamingTheLine_andKeepsNoRows() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.csv"), "arrival_ms,prompt_tokens,output_tokens\n0,10,5\n5,ten,5\n");
        model.traceProperty().set(bad.toString());

        assertThat(model.run()).isTrue();
        pumpUntil(() -> !model.runningProperty().get());

        assertThat(model.errorProperty().get()).startsWith("bad.csv:3").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(model.statusProperty().get()).isEqualTo("Not run.");
        assertThat(model.rows()).isEmpty();
    }

    @Test
    void run_noSuchFile_namesTheShippedTraces() throws Exception {
        model.traceProperty().set(dir.resolve("missing.csv").toString());

        model.run();
        pumpUntil(() -> !model.runningProperty().get());

        assertThat(model.errorProperty().get()).contains("no trace file").contains("azure-conv-2023.csv");
    }

    @Test
    void run_badFields_refusedAtOnce_nothingStarted() {
        model.loadProperty().set("abc");
        assertThat(model.run()).isFalse();
        assertThat(model.errorProperty().get()).isEqualTo("Load must be a number, got 'abc'");

        model.loadProperty().set("0");
        assertThat(model.run()).isFalse();
        assertThat(model.errorProperty().get()).isEqualTo("the load must be in (0, 10], got 0.0");

        model.loadProperty().set("0.9");
        model.seedProperty().set("1.5");
        assertThat(model.run()).isFalse();
        assertThat(model.errorProperty().get()).isEqualTo("Seed must be a whole number, got '1.5'");
        model.seedProperty().set("99999999999999999999"); // a whole number, too large: said so
        assertThat(model.run()).isFalse();
        assertThat(model.errorProperty().get()).isEqualTo(
                "Seed must be between -9,223,372,036,854,775,808 and 9,223,372,036,854,775,807, got 99999999999999999999");

        model.seedProperty().set("1");
        model.instancesProperty().set("99999999999"); // the range the comparison takes, not an int's
        assertThat(model.run()).isFalse();
        assertThat(model.errorProperty().get()).isEqualTo("GPUs must be between 1 and 10,000, got 99999999999");
        model.instancesProperty().set("0");
        assertThat(model.run()).isFalse();
        assertThat(model.errorProperty().get()).isEqualTo("GPUs must be between 1 and 10,000, got 0");
        model.instancesProperty().set("10001");
        assertThat(model.run()).isFalse();
        assertThat(model.errorProperty().get()).isEqualTo("GPUs must be between 1 and 10,000, got 10001");
        model.instancesProperty().set("4");
        model.tenantsProperty().set("two");
        assertThat(model.run()).isFalse();
        assertThat(model.errorProperty().get()).isEqualTo("Tenants must be a whole number, got 'two'");
        model.tenantsProperty().set("-1");
        assertThat(model.run()).isFalse();
        assertThat(model.errorProperty().get()).isEqualTo("Tenants must be between 0 and 2,147,483,647, got -1");
        model.tenantsProperty().set("0");
        model.prioritiesProperty().set("urgent");
        assertThat(model.run()).isFalse();
        assertThat(model.errorProperty().get()).contains("keep, prompt or mix");

        assertThat(started).hasValue(0);
        assertThat(model.runningProperty().get()).isFalse();
    }

    @Test
    void chosen_oracleUnticked_stillRun() {
        only("gittins");
        model.includedProperty("srpt-oracle").set(false);

        assertThat(model.chosen()).containsExactly("gittins", "srpt-oracle");
    }

    @Test
    void exportCsv_afterARun_writesTheCommandLinesCsvReport() throws Exception {
        model.traceProperty().set(slice.toString());
        only("fifo");
        model.run();
        pumpUntil(() -> !model.runningProperty().get());
        Path file = dir.resolve("out.csv");

        var written = model.exportCsv(file); // written on the background thread, said on the FX thread
        pumpUntil(written::isDone);
        assertThat(written.join()).isEmpty();

        List<PolicyResult> engine = new TraceComparison(slice.toString(), 0.9, 1, "prompt", List.of("fifo"))
                .run(Runnable::run, () -> false, done -> {}).results();
        assertThat(Files.readString(file)).isEqualTo(ReportFormat.CSV.render(engine)).startsWith("policy,class,tasks,");
        assertThat(model.statusProperty().get()).startsWith("2 policies on 300 requests of code-slice.csv").endsWith(" Saved to " + file + ".");
        var refused = model.exportCsv(dir.resolve("no/such/dir/out.csv"));
        pumpUntil(refused::isDone);
        assertThat(refused.join().orElseThrow()).startsWith("Cannot write ");
    }
}
