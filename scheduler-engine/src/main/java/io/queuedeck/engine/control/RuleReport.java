package io.queuedeck.engine.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.queuedeck.engine.task.TaskSpec;
import java.time.Instant;
import java.util.List;

/**
 * Which priority rule classifies a task, and why each rule does or does not: what
 * {@code queuedeck rules test} prints and the console's rule tester shows (one code for both).
 */
public final class RuleReport {
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private RuleReport() {}

    /**
     * A task as {@code POST /v1/tasks} takes it.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static TaskSpec parseTask(String json) {
        TaskSpec parsed;
        try {
            parsed = JSON.readValue(json, TaskSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("--task is not a task in JSON: " + e.getOriginalMessage());
        }
        if (parsed == null) {
            throw new IllegalArgumentException("--task is not a task in JSON: got null");
        }
        return parsed;
    }

    /** Every rule's verdict in order, then the outcome, one line each. */
    public static String explain(RuleSet rules, TaskSpec task, Instant now) {
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
