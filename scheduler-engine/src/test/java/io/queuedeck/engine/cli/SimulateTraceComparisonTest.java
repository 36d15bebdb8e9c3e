package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.sim.ReportFormat;
import io.queuedeck.engine.sim.TraceComparison;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's comparison and the command line's are one: the same arguments, the same report. */
class SimulateTraceComparisonTest {

    @Test
    void traceComparison_sameArgumentsAsSimulate_sameCsvReport(@TempDir Path dir) throws Exception {
        // the first 400 requests of the shipped code trace: short prompts and long ones, so "prompt" gives three classes
        Path slice = dir.resolve("code-slice.csv");
        try (var in = TraceComparison.class.getResourceAsStream("/queuedeck/traces/azure-code-2023.csv")) {
            List<String> lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().limit(401).toList();
            Files.write(slice, lines);
        }
        StringWriter out = new StringWriter();
        var line = Main.commandLine();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(new StringWriter()));
        int code = line.execute("simulate", "--trace", slice.toString(), "--load", "0.9", "--seed", "3",
                "--priorities", "prompt", "--policy", "fifo,mlfq,srpt-oracle", "--format", "csv", "--threads", "1");

        TraceComparison comparison = new TraceComparison(slice.toString(), 0.9, 3, "prompt", List.of("fifo", "mlfq"));
        TraceComparison.Outcome outcome = comparison.run(Runnable::run, () -> false, done -> {});

        assertThat(code).isZero();
        assertThat(comparison.policies()).as("the oracle is added last").containsExactly("fifo", "mlfq", "srpt-oracle");
        assertThat(ReportFormat.CSV.render(outcome.results())).isEqualTo(out.toString());
        assertThat(outcome.description()).startsWith("400 requests of code-slice.csv at time scale").endsWith("(load 0.90)");
    }
}
