package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesCommandTest {
    private static final String DESIGN = """
            priority_rules:
              - {name: payments, match: {business_class: [payment_processing, user_auth]}, priority: 1}
              - {name: urgent-heavy, match: {deadline_within: 2h, weight_above: 5}, priority: 1}
              - {name: metrics, match: {business_class: metrics_ingestion}, priority: 3}
              - {name: backups, match: {business_class: daily_backup}, priority: 5}
            """;

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var line = Main.commandLine();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        int code = line.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void rulesTest_saysWhichRuleMatches_andWhyEachDoesOrNot() throws Exception {
        Path file = Files.writeString(dir.resolve("q.yaml"), DESIGN);
        Run run = run("rules", "test", file.toString(), "--now", "2026-01-01T10:00:00Z", "--task",
                "{\"business_class\": \"reports\", \"deadline\": \"2026-01-01T11:00:00Z\", \"metadata\": {\"weight\": \"7\"}}");
        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo("""
                1. payments (priority 1): no; fails: business_class 'reports' is not in [payment_processing, user_auth]
                2. urgent-heavy (priority 1): MATCHES; holds: deadline in 1h is within 2h, weight 7 is above 5
                3. metrics (priority 3): no; fails: business_class 'reports' is not in [metrics_ingestion]
                4. backups (priority 5): no; fails: business_class 'reports' is not in [daily_backup]
                result: priority 1 by rule 'urgent-heavy'
                """);
    }

    @Test
    void rulesTest_noMatch_isTheDefault() throws Exception {
        Path file = Files.writeString(dir.resolve("q.yaml"), DESIGN);
        Run run = run("rules", "test", file.toString(), "--task", "{\"business_class\": \"chat\"}");
        assertThat(run.out()).endsWith("result: priority 5 (rule 'default': no rule matched)\n");
    }

    @Test
    void rulesTest_badFile_printsEveryProblem_exit2() throws Exception {
        Path file = Files.writeString(dir.resolve("q.yaml"), "priority_rules:\n  - {name: a, priority: 10}\n  - {priority: 1}\n");
        Run run = run("rules", "test", file.toString(), "--task", "{}");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("priority_rules[0].priority must be between 0 and 9, got 10 (line 2)")
                .contains("priority_rules[1].name is required (line 3)");
    }
}
