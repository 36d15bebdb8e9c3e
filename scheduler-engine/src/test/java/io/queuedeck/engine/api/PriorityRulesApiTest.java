package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.control.PriorityRule;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.control.RuleSet;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A task's priority rule over REST, capped by its client's allowance, and kept across a restart. */
class PriorityRulesApiTest {
    private static final String TOKEN = "capped-token-0123456789abcdef0123456789";
    private static final RuleSet RULES = new RuleSet(List.of(
            new PriorityRule("payments", Set.of("payment_processing", "user_auth"), null, null, null, null, 1),
            new PriorityRule("metrics", Set.of("metrics_ingestion"), null, null, null, null, 3)));

    @TempDir
    Path dir;

    private Engine engine() {
        Engine engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).store(TaskStore.embedded(dir))
                .classifier(new ReleaseClassifier(RULES)).build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join(); // tasks stay queued
        return engine;
    }

    @Test
    void rulePriority_cappedByTheClient_shownOnTheTask_andKeptAcrossARestart() {
        try (Engine engine = engine();
             ApiServer server = ApiServer.builder(engine).port(0)
                     .client(TOKEN, new ClientPolicy("capped", 2, 0, 0, null, EnumSet.of(Scope.SUBMIT, Scope.READ)))
                     .build().start()) {
            Http http = new Http(server.baseUri(), TOKEN);
            assertThat(http.post("/v1/tasks", "{\"task_id\":\"pay\",\"model\":\"llama-2-7b\",\"input\":\"x\","
                    + "\"business_class\":\"user_auth\"}").status()).isEqualTo(202);
            assertThat(http.post("/v1/tasks", "{\"task_id\":\"met\",\"model\":\"llama-2-7b\",\"input\":\"x\","
                    + "\"metadata\":{\"business_class\":\"metrics_ingestion\"}}").status()).isEqualTo(202);
            assertThat(http.post("/v1/tasks", "{\"task_id\":\"own\",\"model\":\"llama-2-7b\",\"input\":\"x\","
                    + "\"business_class\":\"user_auth\",\"priority\":6}").status()).isEqualTo(202);

            JsonNode pay = http.get("/v1/tasks/pay").json();
            assertThat(pay.path("priority").asInt()).isEqualTo(2); // the rule says 1; this client may use 2 to 9
            assertThat(pay.path("priority_rule").asText()).isEqualTo("payments");
            assertThat(pay.path("release").asText()).isEqualTo("stable");
            assertThat(http.get("/v1/tasks/met").json().path("priority").asInt()).isEqualTo(3);
            JsonNode own = http.get("/v1/tasks/own").json();
            assertThat(own.path("priority").asInt()).isEqualTo(6);
            assertThat(own.path("priority_rule").asText()).isEqualTo("explicit");
            // the same task again is the same task, whatever the rules say now
            assertThat(http.post("/v1/tasks", "{\"task_id\":\"pay\",\"model\":\"llama-2-7b\",\"input\":\"x\","
                    + "\"business_class\":\"user_auth\"}").status()).isEqualTo(200);
        }
        try (Engine restarted = engine()) {
            TaskView pay = restarted.send(new Command.FindTask("pay")).join().orElseThrow();
            assertThat(pay.spec().classification()).isEqualTo(new TaskSpec.Classification("payments", "stable",
                    "business_class 'user_auth' is in [payment_processing, user_auth]; priority 1 capped at 2 by the"
                            + " client's allowance"));
            assertThat(pay.priority()).isEqualTo(2);
        }
    }
}
