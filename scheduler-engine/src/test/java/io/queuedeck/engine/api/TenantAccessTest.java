package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ownership matrix: each scope against each task endpoint, on its own tenant's task, on another
 * tenant's, and as admin. Another tenant's task must answer exactly as a task that does not exist
 * and stay untouched.
 */
class TenantAccessTest {
    static final Map<String, String> TOKENS = Map.of(
            "acme-submit", "acme-submit-token-0123456789abcdef01234",
            "acme-read", "acme-read-token-0123456789abcdef0123456",
            "acme-operate", "acme-operate-token-0123456789abcdef0123",
            "globex-all", "globex-all-token-0123456789abcdef012345",
            "admin", "admin-token-0123456789abcdef0123456789ab",
            "legacy", "legacy-token-0123456789abcdef0123456789");
    private static final AtomicInteger IDS = new AtomicInteger();

    private static Engine engine;
    private static ApiServer server;

    @BeforeAll
    static void start() {
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join(); // tasks stay queued, so every change is visible
        server = ApiServer.builder(engine).port(0)
                .client(TOKENS.get("acme-submit"), ClientPolicy.scoped("acme-submit", "acme", EnumSet.of(Scope.SUBMIT)))
                .client(TOKENS.get("acme-read"), ClientPolicy.scoped("acme-read", "acme", EnumSet.of(Scope.READ)))
                .client(TOKENS.get("acme-operate"), ClientPolicy.scoped("acme-operate", "acme", EnumSet.of(Scope.OPERATE)))
                .client(TOKENS.get("globex-all"), ClientPolicy.scoped("globex-all", "globex",
                        EnumSet.of(Scope.SUBMIT, Scope.READ, Scope.OPERATE)))
                .client(TOKENS.get("admin"), ClientPolicy.scoped("admin", null, EnumSet.of(Scope.ADMIN)))
                .client(TOKENS.get("legacy"), ClientPolicy.unlimited("legacy"))
                .build().start();
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    static Http as(String client) {
        return new Http(server.baseUri(), TOKENS.get(client));
    }

    /** A fresh waiting task of {@code tenant}, submitted by the admin; answers its id. */
    static String taskOf(String tenant) {
        String id = tenant + "-" + IDS.incrementAndGet();
        Http.Response created = as("admin").post("/v1/tasks", body(id, tenant, 5));
        assertThat(created.status()).isEqualTo(202);
        return id;
    }

    static String body(String id, String tenant, int priority) {
        return "{\"task_id\":\"" + id + "\",\"model\":\"llama-2-7b\",\"input\":\"secret of " + tenant + "\",\"priority\":"
                + priority + (tenant == null ? "" : ",\"tenant\":\"" + tenant + "\"") + "}";
    }

    private static Http.Response call(Http http, String endpoint, String id) {
        return switch (endpoint) {
            case "GET" -> http.get("/v1/tasks/" + id);
            case "PATCH" -> http.patch("/v1/tasks/" + id, "{\"priority\":7}");
            case "DELETE" -> http.delete("/v1/tasks/" + id);
            default -> throw new IllegalArgumentException(endpoint);
        };
    }

    private static TaskView engineView(String id) {
        return engine.send(new Command.FindTask(id)).join().orElseThrow();
    }

    // the tenant's prefix is the server's: a refusal of the id quotes it as the client sent it
    @org.junit.jupiter.api.Test
    void aBoundClientsIdWithCharactersNotAllowed_isRefusedQuotingItAsSent() {
        Http.Response refused = as("acme-submit").post("/v1/tasks", body("a\\u202eb", null, 5));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().at("/error/field").asText()).isEqualTo("task_id");
        assertThat(refused.json().at("/error/message").asText()).startsWith("task_id may contain only ASCII letters")
                .endsWith("got 'a\\u202Eb'").doesNotContain("acme:");
    }

    // the scope check comes before any look-up, so a 403 for a missing scope says nothing about the id
    @ParameterizedTest(name = "{0} {1} on {2}''s task -> {3}")
    @CsvSource({
            // client,     endpoint, task of, status
            "acme-submit,  GET,    acme,   403",
            "acme-submit,  PATCH,  acme,   403",
            "acme-submit,  DELETE, acme,   200",
            "acme-submit,  GET,    globex, 403",
            "acme-submit,  PATCH,  globex, 403",
            "acme-submit,  DELETE, globex, 404",
            "acme-read,    GET,    acme,   200",
            "acme-read,    PATCH,  acme,   403",
            "acme-read,    DELETE, acme,   403",
            "acme-read,    GET,    globex, 404",
            "acme-read,    PATCH,  globex, 403",
            "acme-read,    DELETE, globex, 403",
            "acme-operate, GET,    acme,   403",
            "acme-operate, PATCH,  acme,   200",
            "acme-operate, DELETE, acme,   200",
            "acme-operate, GET,    globex, 403",
            "acme-operate, PATCH,  globex, 404",
            "acme-operate, DELETE, globex, 404",
            "globex-all,   GET,    globex, 200",
            "globex-all,   PATCH,  globex, 200",
            "globex-all,   DELETE, globex, 200",
            "globex-all,   GET,    acme,   404",
            "globex-all,   PATCH,  acme,   404",
            "globex-all,   DELETE, acme,   404",
            "admin,        GET,    acme,   200",
            "admin,        PATCH,  globex, 200",
            "admin,        DELETE, acme,   200",
            "legacy,       GET,    globex, 200",
            "legacy,       PATCH,  acme,   200",
            "legacy,       DELETE, globex, 200",
    })
    void taskEndpoint_answersByScopeAndTenant(String client, String endpoint, String tenant, int status) {
        String id = taskOf(tenant);
        TaskView before = engineView(id);

        Http.Response response = call(as(client), endpoint, id);

        assertThat(response.status()).as(response.body()).isEqualTo(status);
        if (status == 404) {
            // exactly what an id that never existed gets: no existence oracle
            Http.Response unknown = call(as(client), endpoint, "never-" + id);
            assertThat(response.body()).isEqualTo(unknown.body().replace("never-" + id, id));
        }
        if (status >= 400) {
            assertThat(response.body()).doesNotContain("secret of");
            TaskView after = engineView(id);
            assertThat(after.state()).isEqualTo(before.state());
            assertThat(after.priority()).isEqualTo(before.priority());
        }
        if (status == 403) {
            assertThat(response.errorCode()).isEqualTo("scope_missing");
        }
    }

    @Test
    void list_showsABoundClientItsOwnTenantOnly_andAnotherTenantFilterIs403() {
        taskOf("acme");
        taskOf("globex");
        taskOf("globex");

        JsonNode mine = as("acme-read").get("/v1/tasks?limit=1000").json().get("tasks");
        Http.Response theirs = as("acme-read").get("/v1/tasks?tenant=globex");
        JsonNode all = as("admin").get("/v1/tasks?limit=1000").json().get("tasks");

        assertThat(mine).isNotEmpty();
        mine.forEach(task -> assertThat(task.get("tenant").asText()).isEqualTo("acme"));
        assertThat(theirs.status()).isEqualTo(403);
        assertThat(theirs.errorField()).isEqualTo("tenant");
        assertThat(all).anySatisfy(task -> assertThat(task.get("tenant").asText()).isEqualTo("globex"));
        assertThat(as("acme-submit").get("/v1/tasks").status()).isEqualTo(403);
        assertThat(as("acme-operate").get("/v1/tasks").status()).isEqualTo(403);
    }

    @Test
    void submit_bodyTenantIsTakenFromTheToken_anotherIs403NamingTheField() {
        Http acme = as("acme-submit");

        Http.Response stamped = acme.post("/v1/tasks", body("stamp-" + IDS.incrementAndGet(), null, 5));
        Http.Response same = acme.post("/v1/tasks", body("same-" + IDS.incrementAndGet(), "acme", 5));
        Http.Response other = acme.post("/v1/tasks", body("other-" + IDS.incrementAndGet(), "globex", 5));
        Http.Response batch = acme.post("/v1/tasks:batch", "{\"tasks\":[" + body("b1-" + IDS.incrementAndGet(), null, 5)
                + "," + body("b2-" + IDS.incrementAndGet(), "globex", 5) + "]}");

        assertThat(stamped.status()).isEqualTo(202);
        assertThat(engineView(stamped.json().get("task_id").asText()).spec().tenant()).isEqualTo("acme");
        assertThat(same.status()).isEqualTo(202);
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.errorCode()).isEqualTo("tenant_not_allowed");
        assertThat(other.errorField()).isEqualTo("tenant");
        assertThat(batch.status()).isEqualTo(403);
        assertThat(batch.errorField()).isEqualTo("tasks[1].tenant");
        assertThat(as("acme-read").post("/v1/tasks", body("r-" + IDS.incrementAndGet(), null, 5)).status()).isEqualTo(403);
    }

    // decision 0075: a client-chosen id is scoped to its tenant, so reusing another tenant's id is no oracle
    @Test
    void sameClientIdInTwoTenants_bothAccepted_eachSeesOnlyItsOwn() {
        String given = "order-" + IDS.incrementAndGet();

        Http.Response acme = as("acme-submit").post("/v1/tasks", body(given, null, 5));
        Http.Response globex = as("globex-all").post("/v1/tasks", body(given, null, 6));
        String acmeId = acme.json().get("task_id").asText();
        Http.Response globexByAcmesFullId = as("globex-all").post("/v1/tasks", body(acmeId, null, 6));

        assertThat(acme.status()).isEqualTo(202);
        assertThat(globex.status()).as(globex.body()).isEqualTo(202);
        assertThat(acmeId).isEqualTo("acme:" + given);
        assertThat(globex.json().get("task_id").asText()).isEqualTo("globex:" + given);
        assertThat(globexByAcmesFullId.status()).as(globexByAcmesFullId.body()).isEqualTo(202);
        assertThat(globexByAcmesFullId.json().get("task_id").asText()).isEqualTo("globex:" + acmeId);
        assertThat(as("acme-read").get("/v1/tasks/" + given).json().get("priority").asInt()).isEqualTo(5);
        assertThat(as("acme-read").get("/v1/tasks/" + acmeId).json().get("task_id").asText()).isEqualTo(acmeId);
        assertThat(as("globex-all").get("/v1/tasks/" + given).json().get("priority").asInt()).isEqualTo(6);
        assertThat(as("globex-all").get("/v1/tasks/" + acmeId).json().get("task_id").asText()).isEqualTo("globex:" + acmeId);
        assertThat(as("acme-submit").post("/v1/tasks", body(given, null, 5)).status()).isEqualTo(200); // idempotent
        assertThat(as("acme-submit").post("/v1/tasks", body(given, null, 4)).status()).isEqualTo(409); // its own only
        assertThat(as("acme-submit").delete("/v1/tasks/" + given).json().get("state").asText()).isEqualTo("CANCELLED");
        assertThat(engineView("globex:" + given).state().name()).isEqualTo("QUEUED");
    }

    @Test
    void placeBeforeOwnTaskByTheIdItGave_movesNextToTheScopedTask() {
        String first = "first-" + IDS.incrementAndGet();
        String second = "second-" + IDS.incrementAndGet();
        as("acme-submit").post("/v1/tasks", body(first, null, 6));
        as("acme-submit").post("/v1/tasks", body(second, null, 3));

        Http.Response placed = as("acme-operate").patch("/v1/tasks/" + second, "{\"before\":\"" + first + "\"}");

        assertThat(placed.status()).as(placed.body()).isEqualTo(200);
        assertThat(placed.json().get("task_id").asText()).isEqualTo("acme:" + second);
        assertThat(engineView("acme:" + second).priority()).isEqualTo(6);
    }

    // an unbound client taking acme:x for another tenant would make acme's own "x" a 409
    @Test
    void unboundClient_choosesAnIdInATenantsNamespaceOnlyForThatTenant() {
        String given = "claim-" + IDS.incrementAndGet();

        Http.Response noTenant = as("admin").post("/v1/tasks", body("acme:" + given, null, 5));
        Http.Response otherTenant = as("legacy").post("/v1/tasks", body("acme:" + given, "globex", 5));
        Http.Response batch = as("admin").post("/v1/tasks:batch", "{\"tasks\":[" + body("ok-" + given, "globex", 5) + ","
                + body("acme:" + given, "globex", 5) + "]}");
        Http.Response forAcme = as("admin").post("/v1/tasks", body("acme:" + given, "acme", 5));
        Http.Response unknownPrefix = as("admin").post("/v1/tasks", body("job:" + given, null, 5));

        assertThat(noTenant.status()).as(noTenant.body()).isEqualTo(400);
        assertThat(noTenant.errorField()).isEqualTo("task_id");
        assertThat(noTenant.body()).contains("tenant 'acme''s id namespace");
        assertThat(otherTenant.status()).isEqualTo(400);
        assertThat(batch.status()).isEqualTo(400);
        assertThat(batch.errorField()).isEqualTo("tasks[1].task_id");
        assertThat(engine.send(new Command.FindTask("ok-" + given)).join()).isEmpty(); // all or nothing
        assertThat(forAcme.status()).as(forAcme.body()).isEqualTo(202);
        assertThat(as("acme-read").get("/v1/tasks/" + given).json().get("task_id").asText()).isEqualTo("acme:" + given);
        assertThat(unknownPrefix.status()).as(unknownPrefix.body()).isEqualTo(202); // no bound tenant 'job'
    }

    // ids the server chose (the front door's oai-…) or an unbound client gave are stored as they are
    @Test
    void tenantsTaskWithAnUnprefixedId_isFoundByTheIdAndByThePrefixedId_onlyByItsTenant() {
        String id = taskOf("acme");

        assertThat(as("acme-read").get("/v1/tasks/" + id).status()).isEqualTo(200);
        assertThat(as("acme-read").get("/v1/tasks/acme:" + id).json().get("task_id").asText()).isEqualTo(id);
        assertThat(as("globex-all").get("/v1/tasks/globex:" + id).status()).isEqualTo(404);
        assertThat(as("globex-all").get("/v1/tasks/acme:" + id).status()).isEqualTo(404);
    }

    @Test
    void scopedIdTooLong_400OnTaskIdNamingThePrefix() {
        Http.Response refused = as("acme-submit").post("/v1/tasks", body("x".repeat(126), null, 5));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.errorField()).isEqualTo("task_id");
        assertThat(refused.body()).contains("'acme:'");
    }

    @Test
    void placeNextToAnotherTenantsTask_isRefusedAsAnUnknownAnchor() {
        String mine = taskOf("acme");
        String theirs = taskOf("globex");

        Http.Response refused = as("acme-operate").patch("/v1/tasks/" + mine, "{\"before\":\"" + theirs + "\"}");
        Http.Response unknown = as("acme-operate").patch("/v1/tasks/" + mine, "{\"before\":\"nobody-" + theirs + "\"}");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.errorField()).isEqualTo("before");
        assertThat(refused.body()).isEqualTo(unknown.body().replace("nobody-" + theirs, theirs));
    }

    @Test
    void queues_readNeedsReadOrOperate_controlNeedsOperateWithoutATenant() {
        assertThat(as("acme-read").get("/v1/queues").status()).isEqualTo(200);
        assertThat(as("acme-operate").get("/v1/queues").status()).isEqualTo(200);
        assertThat(as("acme-submit").get("/v1/queues").status()).isEqualTo(403);
        assertThat(as("acme-read").post("/v1/queues/p8:pause", "").status()).isEqualTo(403);
        assertThat(as("acme-submit").post("/v1/queues/p8:pause", "").status()).isEqualTo(403);
        Http.Response bound = as("acme-operate").post("/v1/queues/p8:pause", "");
        assertThat(bound.status()).isEqualTo(403); // queues serve every tenant (decision 0075)
        assertThat(bound.errorCode()).isEqualTo("tenant_bound");
        assertThat(as("globex-all").post("/v1/queues/all:pause", "").errorCode()).isEqualTo("tenant_bound");
        assertThat(as("admin").post("/v1/queues/p8:pause", "").status()).isEqualTo(200);
        assertThat(as("admin").post("/v1/queues/p8:resume", "").status()).isEqualTo(200);
    }

    @Test
    void tenantRate_cannotBeSpentByAnotherTenantsClient() {
        try (ApiServer limited = ApiServer.builder(engine).port(0)
                .client(TOKENS.get("acme-submit"), ClientPolicy.scoped("acme-submit", "acme", EnumSet.of(Scope.SUBMIT)))
                .client(TOKENS.get("globex-all"), ClientPolicy.scoped("globex-all", "globex", Set.of(Scope.SUBMIT)))
                .tenantRate("acme", new RateLimit(0.001, 2))
                .build().start()) {
            Http globex = new Http(limited.baseUri(), TOKENS.get("globex-all"));
            Http acme = new Http(limited.baseUri(), TOKENS.get("acme-submit"));

            for (int i = 0; i < 5; i++) { // each refused: none takes from acme's bucket
                assertThat(globex.post("/v1/tasks", body("spend-" + IDS.incrementAndGet(), "acme", 5)).status()).isEqualTo(403);
            }

            assertThat(acme.post("/v1/tasks", body("a-" + IDS.incrementAndGet(), null, 5)).status()).isEqualTo(202);
            assertThat(acme.post("/v1/tasks", body("a-" + IDS.incrementAndGet(), null, 5)).status()).isEqualTo(202);
            assertThat(acme.post("/v1/tasks", body("a-" + IDS.incrementAndGet(), null, 5)).status()).isEqualTo(429);
        }
    }
}
