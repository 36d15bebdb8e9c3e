package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.sim.ReportFormat;
import io.queuedeck.engine.sim.TraceComparison;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** The console's comparison and the command line's are one: the same arguments, the same report. */
class SimulateTraceComparisonTest {

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> setups() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of(4, "h100", 0, "none"), // simulate's defaults
                org.junit.jupiter.params.provider.Arguments.of(2, "a100", 3, "0=2,1=5,3=30"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("setups")
    void traceComparison_sameArgumentsAsSimulate_sameCsvReport(int instances, String gpu, int tenants, String deadlines,
                                                               @TempDir Path dir) throws Exception {
        // the first 400 requests of the shipped code trace: short prompts and long ones, so "prompt" gives three classes
        Path slice = dir.resolve("code-slice.csv");
        try (var in = TraceComparison.class.getResourceAsStream("/queuedeck/traces/azure-code-2023.csv")) {
            List<String> lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().limit(401).toList();
            Files.write(slice, lines);
        }
        TraceComparison comparison = new TraceComparison(slice.toString(), 0.9, 3, "prompt", List.of("fifo", "mlfq"),
                instances, gpu, tenants, deadlines);
        // the command line the console offers for the same comparison
        List<String> args = new java.util.ArrayList<>(List.of(comparison.commandLine().split(" ")));
        args.addAll(List.of("--format", "csv", "--threads", "1"));
        StringWriter out = new StringWriter();
        var line = Main.commandLine();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(new StringWriter()));
        int code = line.execute(args.toArray(String[]::new));

        TraceComparison.Outcome outcome = comparison.run(Runnable::run, () -> false, done -> {});

        assertThat(code).isZero();
        assertThat(comparison.policies()).as("the oracle is added last").containsExactly("fifo", "mlfq", "srpt-oracle");
        assertThat(ReportFormat.CSV.render(outcome.results())).isEqualTo(out.toString());
        assertThat(outcome.description()).startsWith("400 requests of code-slice.csv at time scale").endsWith("(load 0.90)");
    }
}
