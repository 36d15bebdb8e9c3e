package io.queuedeck.engine.cli;

import io.queuedeck.engine.loop.InversionProtocol;
import io.queuedeck.engine.sim.InversionScenario;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Stages priority inversion and shows what inheritance and ceilings do about it. */
@Command(name = "inversion", mixinStandardHelpOptions = true,
        description = "Stage priority inversion on one simulated GPU, without a protocol, with priority inheritance and with a priority ceiling.")
final class InversionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--medium", split = ",", converter = WholeNumber.NonNegative.class, defaultValue = "5,10,20,40",
            description = "Numbers of medium-priority tasks to try (default: ${DEFAULT-VALUE}).")
    int[] medium;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%-8s %-12s %14s %14s %12s%n", "medium", "protocol", "high wait ms", "low done ms",
                "preemptions");
        for (int count : medium) {
            if (count < 0) {
                throw new IllegalArgumentException("--medium counts must not be negative, got " + count);
            }
            for (InversionProtocol protocol : InversionProtocol.values()) {
                InversionScenario.Outcome outcome = new InversionScenario(count).run(protocol);
                out.printf(Locale.ROOT, "%-8d %-12s %14.1f %14.1f %12d%n", count, protocol.name().toLowerCase(Locale.ROOT),
                        outcome.highWaitMs(), outcome.lowFinishMs(), outcome.preemptions());
            }
        }
        out.flush();
        return 0;
    }
}
