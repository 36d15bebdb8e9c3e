package io.queuedeck.engine.control;

import io.queuedeck.engine.task.TaskSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code priority_rules} of one config, in order: the first rule whose conditions all hold
 * gives the task its priority. Immutable; a reload replaces it whole.
 *
 * @param rules in the order the file lists them
 */
public record RuleSet(List<PriorityRule> rules) {
    /** No rules: every task keeps the priority it was sent with, or the default. */
    public static final RuleSet NONE = new RuleSet(List.of());

    public RuleSet {
        rules = List.copyOf(rules);
    }

    /** The first rule that matches {@code spec}, or null. O(rules), on the sender's thread. */
    public PriorityRule.Verdict first(TaskSpec spec, Instant now) {
        for (PriorityRule rule : rules) {
            if (rule.matches(spec, now)) {
                return rule.judge(spec, now); // the words only for the rule that matched
            }
        }
        return null;
    }

    /** Every rule's verdict on {@code spec}, in order: what {@code queuedeck rules test} prints. */
    public List<PriorityRule.Verdict> explain(TaskSpec spec, Instant now) {
        List<PriorityRule.Verdict> all = new ArrayList<>(rules.size());
        for (PriorityRule rule : rules) {
            all.add(rule.judge(spec, now));
        }
        return all;
    }
}
