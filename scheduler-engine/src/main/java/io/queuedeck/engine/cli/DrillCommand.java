package io.queuedeck.engine.cli;

import io.queuedeck.engine.config.DrillReader;
import io.queuedeck.engine.drill.Drill;
import io.queuedeck.engine.drill.DrillResult;
import io.queuedeck.engine.drill.DrillRunner;
import io.queuedeck.engine.report.DrillReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Runs a drill file headless on a simulated cluster and writes its report. Exit 0: the hypothesis holds; 1: it does not; 2: a bad file. */
@Command(name = "drill", mixinStandardHelpOptions = true,
        description = "Run a fault drill (a game day) on a simulated cluster: exit 0 when its hypothesis holds, 1 when not, 2 for a bad drill file.")
final class DrillCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The drill file (YAML; docs/faults.md).")
    Path file;

    @Option(names = "--report", paramLabel = "DIR", description = "Write report.md, report.html and PNG charts here.")
    Path report;

    @Option(names = "--realtime", description = "Run live on the real clock against a fresh in-process engine (a live game day) instead of on the virtual clock.")
    boolean realtime;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Drill drill = DrillReader.read(file); // a bad file: ConfigException, every problem, exit 2
        if (report != null && Files.exists(report) && !Files.isDirectory(report)) {
            // found before a game day is run, not after it: the report could not be written
            throw new IllegalArgumentException("--report: " + report + " is a file, not a directory");
        }
        long start = System.nanoTime();
        // --realtime: a live game day against a fresh in-process engine on the real clock
        DrillRunner runner = realtime ? DrillRunner.realtime(drill, control -> {}) : new DrillRunner(drill);
        DrillResult result = runner.run();
        for (DrillResult.ProbeResult p : result.probes()) {
            out.printf(Locale.ROOT, "%-10s %-28s %-24s %-10s measured %.2f%n", p.outcome(), p.probe().name(),
                    p.probe().metric().wireName(), p.probe().mode().wireName(), p.measured());
        }
        DrillResult.Accounting a = result.accounting();
        out.printf(Locale.ROOT, "accepted %d, completed %d, dead-lettered %d, lost %d, completed twice %d%n", a.accepted(),
                a.completed(), a.deadLettered(), a.lost(), a.completedTwice());
        if (result.untested() != null) {
            out.println(result.untested());
        }
        out.printf(Locale.ROOT, "%s: %s (resilience score %.1f) in %.1f s%n", drill.name(),
                result.verdict().substring("the ".length()), result.score(), (System.nanoTime() - start) / 1e9);
        if (report != null) {
            try {
                DrillReport.write(report, result);
            } catch (IOException e) {
                throw new IllegalArgumentException("--report: cannot write the report in " + report + ": " + e.getMessage(), e);
            }
            out.println("report: " + report.resolve(DrillReport.MARKDOWN));
        }
        out.flush();
        return result.holds() ? 0 : 1;
    }
}
