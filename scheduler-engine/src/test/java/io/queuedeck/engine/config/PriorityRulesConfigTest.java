package io.queuedeck.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.control.PriorityRule;
import io.queuedeck.engine.control.RuleSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PriorityRulesConfigTest {
    static final Path TEMPLATES = Path.of("..", "resources", "config", "templates");

    @TempDir
    Path dir;

    static Stream<Path> templates() throws Exception {
        List<Path> all;
        try (Stream<Path> files = Files.list(TEMPLATES)) {
            all = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(all).extracting(f -> f.getFileName().toString())
                .contains("interactive-and-batch.yaml", "multi-tenant-saas.yaml", "deadline-pipeline.yaml");
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templates")
    void everyTemplate_loadsCleanly_withRules(Path template) {
        ServeConfig config = ServeConfig.load(template, Map.<String, String>of()::get);
        assertThat(config.priorityRules().rules()).isNotEmpty();
        assertThat(config.policy().name()).isNotNull();
    }

    @Test
    void rules_areReadInOrder_withEveryCondition() throws Exception {
        Path file = Files.writeString(dir.resolve("q.yaml"), """
                priority_rules:
                  - name: payments
                    match: {business_class: [payment_processing, user_auth]}
                    priority: 1
                  - name: urgent
                    match: {deadline_within: 2h, weight_above: 5, tenant: acme, model: [m1, m2]}
                    priority: 2
                """);
        RuleSet rules = ServeConfig.load(file, Map.<String, String>of()::get).priorityRules();
        assertThat(rules.rules()).containsExactly(
                new PriorityRule("payments", Set.of("payment_processing", "user_auth"), null, null, null, null, 1),
                new PriorityRule("urgent", null, Set.of("acme"), Set.of("m1", "m2"), Duration.ofHours(2), 5.0, 2));
    }

    @Test
    void badRules_everyProblem_withPathAndLine() throws Exception {
        Path file = Files.writeString(dir.resolve("q.yaml"), """
                priority_rules:
                  - name: a
                    priority: 12
                  - name: a
                    match: {deadline_within: soon, colour: red}
                    priority: 1
                  - priority: 2
                  - name: default
                    priority: 3
                  - name: "vip\u202e\nx"
                    priority: 3
                """);
        assertThatThrownBy(() -> ServeConfig.load(file, Map.<String, String>of()::get))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        file + ": priority_rules[0].priority must be between 0 and 9, got 12 (line 3)",
                        file + ": priority_rules[1].name 'a' is already the name of priority_rules[0] (line 4)",
                        file + ": priority_rules[1].match.deadline_within must be a duration such as 500ms, 2s, 1m or 1h,"
                                + " got 'soon' (line 5)",
                        file + ": priority_rules[1].match.colour is not a known setting (known here: business_class, tenant,"
                                + " model, deadline_within, weight_above) (line 5)",
                        file + ": priority_rules[2].name is required (line 7)",
                        file + ": priority_rules[3].name 'default' is reserved: tasks show it when no rule classified them"
                                + " (line 8)",
                        file + ": priority_rules[4].name must be 1 to 64 printable characters (no control or formatting"
                                + " characters) (line 10)"));
    }
}
