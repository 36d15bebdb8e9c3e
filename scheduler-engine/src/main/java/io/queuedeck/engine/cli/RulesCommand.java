package io.queuedeck.engine.cli;

import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.control.RuleReport;
import io.queuedeck.engine.control.RuleSet;
import io.queuedeck.engine.task.TaskSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rules test FILE --task JSON}: which priority rule of a config file classifies a task, and why. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Priority rules of a config file.",
        subcommands = RulesCommand.Test.class)
final class RulesCommand {

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Say which rule of FILE's priority_rules matches a task, and why each rule does or does not.")
    static final class Test implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The config file (YAML) whose priority_rules are tested.")
        Path file;

        @Option(names = "--task", required = true, paramLabel = "JSON",
                description = "The task as POST /v1/tasks takes it, e.g. '{\"business_class\": \"user_auth\"}'.")
        String task;

        @Option(names = "--now", paramLabel = "INSTANT",
                description = "The time to judge deadlines against (ISO-8601, e.g. 2026-01-01T10:00:00Z); default now.")
        Instant now;

        @Override
        public Integer call() {
            RuleSet rules = ServeConfig.load(file, System::getenv).priorityRules(); // a bad file: every problem, exit 2
            TaskSpec parsed = RuleReport.parseTask(task);
            PrintWriter out = spec.commandLine().getOut();
            out.print(report(rules, parsed, now != null ? now : Instant.now()));
            out.flush();
            return 0;
        }
    }

    private RulesCommand() {}

    /** The explanation printed ({@link RuleReport}, which the console's rule tester shows too). */
    static String report(RuleSet rules, TaskSpec task, Instant now) {
        return RuleReport.explain(rules, task, now);
    }
}
