package io.queuedeck.engine.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.task.TaskSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReleaseClassifierTest {
    private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");
    /** The design's classes, and its "deadline within 2 hours and business weight above 5 → high". */
    static final RuleSet DESIGN = new RuleSet(List.of(
            new PriorityRule("payments", Set.of("payment_processing", "user_auth"), null, null, null, null, 1),
            new PriorityRule("urgent-heavy", null, null, null, Duration.ofHours(2), 5.0, 1),
            new PriorityRule("metrics", Set.of("metrics_ingestion"), null, null, null, null, 3),
            new PriorityRule("backups", Set.of("daily_backup"), null, null, null, null, 5)));

    static TaskSpec task(String id, String businessClass, Instant deadline, Map<String, String> metadata) {
        return new TaskSpec(id, "m", "hi", TaskSpec.DEFAULT_PRIORITY, null, "acme", businessClass, deadline, 8, 1, metadata);
    }

    private static TaskSpec classify(ReleaseClassifier c, TaskSpec spec, int allowance) {
        return c.classify(spec, false, allowance, NOW);
    }

    @Test
    void designClasses_getTheirPriorities_andTheRuleIsRecorded() {
        ReleaseClassifier c = new ReleaseClassifier(DESIGN);
        assertThat(classify(c, task("a", "payment_processing", null, null), 0).priority()).isEqualTo(1);
        assertThat(classify(c, task("b", "user_auth", null, null), 0).classification().rule()).isEqualTo("payments");
        assertThat(classify(c, task("c", "metrics_ingestion", null, null), 0).priority()).isEqualTo(3);
        TaskSpec backup = classify(c, task("d", "daily_backup", null, null), 0);
        assertThat(backup.priority()).isEqualTo(5);
        assertThat(backup.classification()).isEqualTo(new TaskSpec.Classification("backups", "stable",
                "business_class 'daily_backup' is in [daily_backup]"));
    }

    @Test
    void taskWithoutClassTenantOrModel_matchesNoRuleThatNamesThem_andIsNotRefused() {
        RuleSet rules = new RuleSet(List.of(new PriorityRule("t", null, Set.of("acme"), Set.of("m"), null, null, 2)));
        TaskSpec bare = new TaskSpec("a", "m", "hi", null, null, null, null, null, 8, 1, null);
        assertThat(classify(new ReleaseClassifier(DESIGN), bare, 0).classification().rule()).isEqualTo("default");
        assertThat(classify(new ReleaseClassifier(rules), bare, 0).classification().rule()).isEqualTo("default");
    }

    @Test
    void businessClass_fromMetadata_whenTheFieldIsAbsent() {
        TaskSpec spec = classify(new ReleaseClassifier(DESIGN), task("a", null, null, Map.of("business_class", "user_auth")), 0);
        assertThat(spec.classification().rule()).isEqualTo("payments");
    }

    @Test
    void deadlineWithinTwoHours_andWeightAboveFive_isHigh_eitherAloneIsNot() {
        ReleaseClassifier c = new ReleaseClassifier(DESIGN);
        Instant soon = NOW.plus(Duration.ofMinutes(90));
        Instant later = NOW.plus(Duration.ofHours(3));
        assertThat(classify(c, task("a", "reports", soon, Map.of("weight", "7")), 0).classification().rule())
                .isEqualTo("urgent-heavy");
        assertThat(classify(c, task("b", "reports", later, Map.of("weight", "7")), 0).classification().rule())
                .isEqualTo("default");
        assertThat(classify(c, task("c", "reports", soon, Map.of("weight", "5")), 0).classification().rule())
                .isEqualTo("default"); // 5 is not above 5
        assertThat(classify(c, task("d", "reports", soon, null), 0).priority()).isEqualTo(TaskSpec.DEFAULT_PRIORITY);
    }

    /** The quick check on the submission path and the explanation must agree, rule by rule, task by task. */
    @Test
    void quickMatch_agreesWithTheExplanation() {
        Instant soon = NOW.plus(Duration.ofMinutes(30));
        List<TaskSpec> tasks = List.of(task("a", "payment_processing", null, null), task("b", null, soon, Map.of("weight", "9")),
                task("c", "reports", soon, Map.of("weight", "x")), task("d", "daily_backup", NOW.minusSeconds(5), null),
                task("e", null, null, Map.of("business_class", "metrics_ingestion")));
        for (TaskSpec spec : tasks) {
            for (PriorityRule rule : DESIGN.rules()) {
                assertThat(rule.matches(spec, NOW)).as(rule.name() + " on " + spec.taskId())
                        .isEqualTo(rule.judge(spec, NOW).matches());
            }
        }
    }

    @Test
    void explicitPriority_isKept_andRecordedAsExplicit() {
        TaskSpec spec = new ReleaseClassifier(DESIGN).classify(task("a", "payment_processing", null, null).withPriority(7),
                true, 0, NOW);
        assertThat(spec.priority()).isEqualTo(7);
        assertThat(spec.classification().rule()).isEqualTo("explicit");
    }

    @Test
    void rulePriority_isCappedByTheClientsAllowance_andTheCapIsRecorded() {
        TaskSpec spec = classify(new ReleaseClassifier(DESIGN), task("a", "payment_processing", null, null), 4);
        assertThat(spec.priority()).isEqualTo(4);
        assertThat(spec.classification().rule()).isEqualTo("payments");
        assertThat(spec.classification().reason()).contains("capped at 4");
    }

    @Test
    void resubmission_comparesAsRequested_notByTheRulesChoice() {
        ReleaseClassifier c = new ReleaseClassifier(DESIGN);
        TaskSpec first = classify(c, task("a", "reports", NOW.plus(Duration.ofHours(1)), Map.of("weight", "9")), 0);
        TaskSpec again = c.classify(task("a", "reports", NOW.plus(Duration.ofHours(1)), Map.of("weight", "9")), false, 0,
                NOW.minus(Duration.ofHours(5))); // further from its deadline: no rule now
        assertThat(first.priority()).isNotEqualTo(again.priority());
        assertThat(first.asRequested()).isEqualTo(again.asRequested());
    }

    @Test
    void noPriority_isTheDefaultPriorityAsRequested_onlyWhereNoRulesAreConfigured() {
        TaskSpec absent = task("a", "reports", null, null);
        TaskSpec given = absent.withPriority(TaskSpec.DEFAULT_PRIORITY);
        ReleaseClassifier none = new ReleaseClassifier(RuleSet.NONE);
        ReleaseClassifier rules = new ReleaseClassifier(DESIGN);

        assertThat(classify(none, absent, 0).asRequested()).isEqualTo(none.classify(given, true, 0, NOW).asRequested());
        // with rules, no priority lets them choose: a different request from one that names 5, even when none matched
        TaskSpec unmatched = classify(rules, task("a", "no_such_class", null, null), 0);
        assertThat(unmatched.priority()).isEqualTo(TaskSpec.DEFAULT_PRIORITY);
        assertThat(unmatched.asRequested()).isNotEqualTo(rules.classify(task("a", "no_such_class", null, null)
                .withPriority(TaskSpec.DEFAULT_PRIORITY), true, 0, NOW).asRequested());
        // capped above the default by the client's allowance: not the default, so not taken as given
        assertThat(classify(none, absent, 7).asRequested().priority()).isNull();
    }
}
