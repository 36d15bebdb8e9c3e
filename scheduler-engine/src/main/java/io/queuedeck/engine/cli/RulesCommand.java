package io.queuedeck.engine.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.control.PriorityRule;
import io.queuedeck.engine.control.RuleSet;
import io.queuedeck.engine.task.TaskSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
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
        private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

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
            TaskSpec parsed;
            try {
                parsed = JSON.readValue(task, TaskSpec.class);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("--task is not a task in JSON: " + e.getOriginalMessage());
            }
            if (parsed == null) {
                throw new IllegalArgumentException("--task is not a task in JSON: got null");
            }
            PrintWriter out = spec.commandLine().getOut();
            out.print(report(rules, parsed, now != null ? now : Instant.now()));
            out.flush();
            return 0;
        }
    }

    private RulesCommand() {}

    /** The explanation printed: every rule's verdict in order, then the outcome. */
    static String report(RuleSet rules, TaskSpec task, Instant now) {
        StringBuilder out = new StringBuilder();
        List<PriorityRule.Verdict> verdicts = rules.explain(task, now);
        if (verdicts.isEmpty()) {
            out.append("the file has no priority_rules\n");
        }
        PriorityRule.Verdict first = null;
        for (int i = 0; i < verdicts.size(); i++) {
            PriorityRule.Verdict v = verdicts.get(i);
            boolean winner = v.matches() && first == null;
            if (winner) {
                first = v;
            }
            out.append(i + 1).append(". ").append(v.rule()).append(" (priority ").append(v.priority()).append("): ")
                    .append(winner ? "MATCHES" : v.matches() ? "matches, but an earlier rule matched first" : "no")
                    .append(v.held().isEmpty() ? "" : "; holds: " + String.join(", ", v.held()))
                    .append(v.failed().isEmpty() ? "" : "; fails: " + String.join(", ", v.failed())).append('\n');
        }
        if (task.priority() != null) {
            out.append("result: priority ").append(task.priority()).append(" as the task gives it (rule 'explicit');"
                    + " rules classify only tasks without a priority\n");
        } else if (first == null) {
            out.append("result: priority ").append(TaskSpec.DEFAULT_PRIORITY).append(" (rule 'default': no rule matched)\n");
        } else {
            out.append("result: priority ").append(first.priority()).append(" by rule '").append(first.rule()).append("'\n");
        }
        return out.toString();
    }
}
