package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/tasks} search, {@code POST /v1/tasks:bulk}, operations and their undo, and the audit
 * trail, over a real server: a bulk action changes exactly the tasks its filter selects (and only
 * the caller's tenant's), and an undo puts every one back.
 */
class BulkApiTest {
    private static final Map<String, String> TOKENS = Map.of(
            "acme-operate", "acme-operate-token-0123456789abcdef0123",
            "acme-read", "acme-read-token-0123456789abcdef0123456",
            "admin", "admin-token-0123456789abcdef0123456789ab",
            "acme-capped", "acme-capped-token-0123456789abcdef01234",
            "globex-operate", "globex-operate-token-0123456789abcdef01");

    private Engine engine;
    private ApiServer server;

    @BeforeEach
    void start() {
        startWith(Engine.builder());
    }

    private void startWith(Engine.Builder builder) {
        engine = builder.snapshotInterval(Duration.ofMillis(20)).build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join(); // tasks stay queued, so every change is visible
        server = ApiServer.builder(engine).port(0)
                .client(TOKENS.get("acme-operate"), ClientPolicy.scoped("acme-operate", "acme",
                        EnumSet.of(Scope.OPERATE, Scope.READ)))
                .client(TOKENS.get("acme-read"), ClientPolicy.scoped("acme-read", "acme", EnumSet.of(Scope.READ)))
                .client(TOKENS.get("admin"), ClientPolicy.scoped("admin", null, EnumSet.of(Scope.ADMIN)))
                .client(TOKENS.get("acme-capped"), ClientPolicy.scoped("acme-capped", "acme",
                        EnumSet.of(Scope.SUBMIT, Scope.OPERATE, Scope.READ)).withLimits(5, 0, 0))
                .client(TOKENS.get("globex-operate"), ClientPolicy.scoped("globex-operate", "globex",
                        EnumSet.of(Scope.OPERATE, Scope.READ)))
                .build().start();
        // 60 tasks: tenants acme and globex alternate, priorities 4, 5, 6 in turn; every tenth is tagged
        for (int i = 0; i < 60; i++) {
            String tenant = i % 2 == 0 ? "acme" : "globex";
            String metadata = i % 10 == 0 ? ",\"metadata\":{\"batch\":\"nightly-" + i + "\"}" : "";
            Http.Response created = as("admin").post("/v1/tasks", "{\"task_id\":\"t" + i + "\",\"model\":\"llama-2-7b\","
                    + "\"input\":\"x\",\"priority\":" + (4 + i % 3) + ",\"tenant\":\"" + tenant + "\"" + metadata + "}");
            assertThat(created.status()).isEqualTo(202);
        }
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
    }

    private Http as(String client) {
        return new Http(server.baseUri(), TOKENS.get(client));
    }

    private Map<String, Integer> priorities() {
        Map<String, Integer> priorities = new HashMap<>();
        for (TaskView view : engine.send(new Command.WaitingTasks(1_000)).join()) {
            priorities.put(view.id(), view.priority());
        }
        return priorities;
    }

    /** Polls the operation until it has finished (or fails the test after 10 s). */
    private JsonNode awaitFinished(Http http, String id) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            JsonNode op = http.get("/v1/operations/" + id).json();
            String state = op.path("state").asText();
            if (state.equals("done") || state.equals("failed") || state.equals("undone")) {
                return op;
            }
            assertThat(System.nanoTime()).as("operation " + id + " still " + state).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void search_withFilters_pagesSortedMatchesWithTheirTotal_andThePlainListingStaysAsItWas() {
        Http.Response page = as("admin").get("/v1/tasks?tenant=acme&priority=4&sort=-submitted&limit=3");
        Http.Response tagged = as("admin").get("/v1/tasks?q=NIGHTLY&state=queued,running");
        Http.Response plain = as("admin").get("/v1/tasks?tenant=acme&limit=2");

        assertThat(page.status()).isEqualTo(200);
        // acme with priority 4: i even and i % 3 == 0 → t0, t6, ..., t54 (10 tasks), newest first
        assertThat(page.json().path("total").asInt()).isEqualTo(10);
        assertThat(page.json().path("tasks")).extracting(t -> t.path("task_id").asText()).containsExactly("t54", "t48", "t42");
        assertThat(page.json().path("next_offset").asInt()).isEqualTo(3);
        assertThat(tagged.json().path("tasks")).extracting(t -> t.path("task_id").asText())
                .containsExactly("t0", "t10", "t20", "t30", "t40", "t50");
        assertThat(plain.json().has("next_cursor")).isTrue();
        assertThat(plain.json().has("total")).isFalse();
        assertThat(as("admin").get("/v1/tasks?sort=colour").errorField()).isEqualTo("sort");
        Http.Response priority99 = as("admin").get("/v1/tasks?priority=99");
        assertThat(priority99.errorField()).isEqualTo("priority"); // not the min_priority it is turned into
        assertThat(priority99.body()).contains("priority").doesNotContain("min_priority");
        assertThat(as("admin").get("/v1/tasks?min_priority=7&max_priority=2").errorField()).isEqualTo("min_priority");
        assertThat(as("admin").get("/v1/tasks?sort=submitted&offset=-1").body()).contains("offset must be 0 or more, got -1");
    }

    @Test
    void bulkReprioritize_changesExactlyTheMatchingTasks_andUndoRestoresThem() {
        Map<String, Integer> before = priorities();
        String body = "{\"filter\":{\"tenant\":\"globex\",\"state\":\"queued\",\"priority\":5},"
                + "\"action\":\"reprioritize\",\"priority\":1";

        Http.Response dry = as("admin").post("/v1/tasks:bulk", body + ",\"dry_run\":true}");

        assertThat(dry.status()).isEqualTo(200);
        assertThat(dry.json().path("matched").asInt()).isEqualTo(10); // globex (odd i) with i % 3 == 1
        assertThat(dry.json().path("would_change").asInt()).isEqualTo(10);
        assertThat(priorities()).as("a dry run changes nothing").isEqualTo(before);

        Http.Response started = as("admin").post("/v1/tasks:bulk", body + "}");

        assertThat(started.status()).isEqualTo(202);
        assertThat(started.json().path("matched").asInt(0)).as("left out until counted, never -1").isNotNegative();
        String id = started.json().path("id").asText();
        assertThat(id).as("random: a sequence told a tenant how many operations others ran").matches("op-[0-9a-f]{8}");
        assertThat(started.headers().firstValue("Location")).hasValue("/v1/operations/" + id);
        JsonNode done = awaitFinished(as("admin"), id);
        assertThat(done.path("state").asText()).isEqualTo("done");
        assertThat(done.path("changed").asInt()).isEqualTo(10);
        assertThat(done.path("matched").asInt()).isEqualTo(10);
        assertThat(done.path("undoable").asBoolean()).isTrue();
        Map<String, Integer> after = priorities();
        before.forEach((task, priority) -> {
            int i = Integer.parseInt(task.substring(1));
            assertThat(after.get(task)).as(task).isEqualTo(i % 2 == 1 && i % 3 == 1 ? 1 : priority);
        });

        Http.Response undo = as("admin").post("/v1/operations/" + id + ":undo", "{}");

        assertThat(undo.status()).isEqualTo(202);
        assertThat(awaitFinished(as("admin"), id).path("state").asText()).isEqualTo("undone");
        assertThat(priorities()).isEqualTo(before);
        assertThat(as("admin").post("/v1/operations/" + id + ":undo", "{}").status()).isEqualTo(409);
    }

    /** A dry run counts what the filter selects and, apart, what the action would change: finished tasks are not cancelled again. */
    @Test
    void dryRun_countsTheTasksTheActionWouldChange_apartFromThoseTheFilterSelects() {
        for (String id : new String[] {"t0", "t2", "t4"}) {
            assertThat(as("admin").delete("/v1/tasks/" + id).status()).isEqualTo(200);
        }
        String acme = "{\"filter\":{\"tenant\":\"acme\"},";

        JsonNode cancel = as("admin").post("/v1/tasks:bulk", acme + "\"action\":\"cancel\",\"dry_run\":true}").json();
        JsonNode toFour = as("admin").post("/v1/tasks:bulk", acme + "\"action\":\"reprioritize\",\"priority\":4,\"dry_run\":true}").json();
        JsonNode retry = as("admin").post("/v1/tasks:bulk", acme + "\"action\":\"retry\",\"dry_run\":true}").json();

        assertThat(cancel.path("matched").asInt()).isEqualTo(30);
        assertThat(cancel.path("would_change").asInt()).as("three are cancelled already").isEqualTo(27);
        // acme's are the even i: priority 4 + i % 3 is 4 for i = 0, 6, 12, …: ten of them, t0 among the cancelled
        assertThat(toFour.path("would_change").asInt()).as("not the cancelled, not those at 4 already").isEqualTo(27 - 9);
        assertThat(retry.path("would_change").asInt()).as("nothing dead-lettered").isZero();
    }

    @Test
    void bulk_byATenantBoundClient_touchesOnlyItsTenant_andHidesOtherTenantsOperations() {
        Map<String, Integer> before = priorities();

        Http.Response started = as("acme-operate").post("/v1/tasks:bulk",
                "{\"filter\":{},\"action\":\"move\",\"tier\":\"batch\",\"position\":\"back\"}");
        Http.Response otherTenant = as("acme-operate").post("/v1/tasks:bulk",
                "{\"filter\":{\"tenant\":\"globex\"},\"action\":\"cancel\"}");
        Http.Response readOnly = as("acme-read").post("/v1/tasks:bulk", "{\"filter\":{},\"action\":\"cancel\"}");

        assertThat(started.status()).isEqualTo(202);
        String id = started.json().path("id").asText();
        assertThat(awaitFinished(as("acme-operate"), id).path("changed").asInt()).isEqualTo(30);
        Map<String, Integer> after = priorities();
        before.forEach((task, priority) -> assertThat(after.get(task)).as(task)
                .isEqualTo(Integer.parseInt(task.substring(1)) % 2 == 0 ? 7 : priority));
        assertThat(otherTenant.status()).isEqualTo(403);
        assertThat(otherTenant.errorCode()).isEqualTo("tenant_not_allowed");
        assertThat(otherTenant.errorField()).as("the filter's field, not a submission's").isEqualTo("filter.tenant");
        // a tenant with tasks and one without are refused alike: the answer tells nothing of their data
        Http.Response nobody = as("acme-operate").post("/v1/tasks:bulk", "{\"filter\":{\"tenant\":\"initech\"},\"action\":\"cancel\"}");
        assertThat(nobody.body().replace("initech", "globex")).isEqualTo(otherTenant.body());
        assertThat(readOnly.status()).isEqualTo(403);
        assertThat(readOnly.errorCode()).isEqualTo("scope_missing");
        // an operation of the admin is not the acme client's to see
        String adminOp = as("admin").post("/v1/tasks:bulk", "{\"filter\":{\"tenant\":\"globex\"},\"action\":\"reprioritize\","
                + "\"priority\":8}").json().path("id").asText();
        assertThat(as("acme-operate").get("/v1/operations/" + adminOp).status()).isEqualTo(404);
        assertThat(as("acme-operate").post("/v1/operations/" + adminOp + ":undo", "{}").status()).isEqualTo(404);
    }

    /** An undo sets priorities too: a client capped at 5 undid an admin's change and put a task back at 4. */
    @Test
    void undo_thatWouldRestoreAPriorityTheClientMayNotSet_isRefused_andChangesNothing() {
        String op = as("admin").post("/v1/tasks:bulk", "{\"filter\":{\"tenant\":\"acme\"},\"action\":\"reprioritize\","
                + "\"priority\":9}").json().path("id").asText();
        awaitFinished(as("admin"), op);
        Map<String, Integer> before = priorities();

        Http.Response undo = as("acme-capped").post("/v1/operations/" + op + ":undo", "{}");

        assertThat(undo.status()).isEqualTo(403);
        assertThat(undo.errorCode()).isEqualTo("priority_not_allowed");
        assertThat(undo.errorField()).isEqualTo("operation");
        assertThat(priorities()).isEqualTo(before);
        assertThat(as("admin").post("/v1/operations/" + op + ":undo", "{}").status()).isEqualTo(202); // the admin may
    }

    /** A batch broke the cap with 400 invalid_field where the same task alone got 403 priority_not_allowed. */
    @Test
    void submissionsAboveTheClientsCap_areRefusedAlike_aloneOrInABatch() {
        String task = "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":2}";

        Http.Response alone = as("acme-capped").post("/v1/tasks", task);
        Http.Response batch = as("acme-capped").post("/v1/tasks:batch", "{\"tasks\":[" + task + "," + task + "]}");

        assertThat(alone.status()).isEqualTo(403);
        assertThat(alone.errorCode()).isEqualTo("priority_not_allowed");
        assertThat(batch.status()).isEqualTo(403);
        assertThat(batch.errorCode()).isEqualTo("priority_not_allowed");
        assertThat(batch.errorField()).isEqualTo("tasks[0].priority");
    }

    @Test
    void bulk_badFields_areRefusedFieldByField() {
        assertThat(as("admin").post("/v1/tasks:bulk", "{\"filter\":{}}").errorField()).isEqualTo("action");
        assertThat(as("admin").post("/v1/tasks:bulk", "{\"filter\":{\"state\":\"lost\"},\"action\":\"cancel\"}").errorField())
                .isEqualTo("filter.state");
        assertThat(as("admin").post("/v1/tasks:bulk", "{\"filter\":{},\"action\":\"reprioritize\"}").errorField())
                .isEqualTo("priority");
        assertThat(as("admin").post("/v1/tasks:bulk", "{\"filter\":{},\"action\":\"move\",\"lane\":12}").errorField())
                .isEqualTo("lane");
        for (String move : new String[] {"", ",\"dry_run\":true", ",\"lane\":null", ",\"position\":\"front\""}) {
            Http.Response refused = as("admin").post("/v1/tasks:bulk", "{\"filter\":{},\"action\":\"move\"" + move + "}");
            assertThat(refused.status()).as(move).isEqualTo(400); // it was a 500
            assertThat(refused.errorField()).isEqualTo("lane");
        }
        assertThat(as("admin").post("/v1/tasks:bulk", "{\"action\":\"cancel\"}").errorField()).isEqualTo("filter");
        Http.Response nullDryRun = as("admin").post("/v1/tasks:bulk", "{\"filter\":{},\"action\":\"cancel\",\"dry_run\":null}");
        assertThat(nullDryRun.errorField()).as("an unset variable made a preview a mass cancel").isEqualTo("dry_run");
        for (String action : new String[] {"cancel", "retry"}) { // a priority here cancelled every priority the filter matched
            Http.Response withPriority = as("admin").post("/v1/tasks:bulk", "{\"filter\":{},\"action\":\"" + action + "\",\"priority\":3}");
            assertThat(withPriority.errorField()).as(action).isEqualTo("priority");
            assertThat(withPriority.body()).contains("put it in the filter");
        }
        assertThat(priorities()).as("nothing was cancelled").hasSize(60);
        // longer than anything it could match: refused, never stored whole in the audit trail
        Http.Response huge = as("acme-operate").post("/v1/tasks:bulk", "{\"filter\":{\"text\":\"" + "z".repeat(900_000)
                + "\"},\"action\":\"cancel\"}");
        assertThat(huge.status()).isEqualTo(400);
        assertThat(huge.errorField()).isEqualTo("filter.text");
        assertThat(as("admin").post("/v1/tasks:bulk", "{\"filter\":{\"model\":\"" + "m".repeat(129)
                + "\"},\"action\":\"cancel\"}").errorField()).isEqualTo("filter.model");
        assertThat(as("admin").get("/v1/operations/op-999").status()).isEqualTo(404);
    }

    /** A number beyond an integer is said as the field's own range, in a body as in a query. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "{\"filter\":{\"priority\":99999999999},\"action\":\"cancel\"}     | filter.priority     | filter.priority must be between 0 and 9, got 99999999999",
            "{\"filter\":{\"max_priority\":99999999999},\"action\":\"cancel\"} | filter.max_priority | filter.max_priority must be between 0 and 9, got 99999999999",
            "{\"filter\":{},\"action\":\"move\",\"lane\":99999999999}          | lane                | lane must be between 0 and 9, got 99999999999",
            "{\"filter\":{},\"action\":\"reprioritize\",\"priority\":99999999999} | priority          | priority must be between 0 and 9, got 99999999999",
            "{\"filter\":{\"min_age_ms\":5000,\"max_age_ms\":10},\"action\":\"cancel\"}      | filter.min_age_ms   | min_age_ms 5000 is above max_age_ms 10",
    })
    void bulk_aNumberBeyondAnInteger_isSaidAsItsFieldsRange(String body, String field, String message) {
        assertRefused(as("admin").post("/v1/tasks:bulk", body), field, message);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "priority=99999999999                | priority   | priority must be between 0 and 9, got 99999999999",
            "min_priority=-99999999999           | min_priority | min_priority must be between 0 and 9, got -99999999999",
            "sort=submitted&offset=99999999999   | offset     | offset must be 0 or more, with offset + limit within 10000, got 99999999999",
            "max_age_ms=99999999999999999999     | max_age_ms | max_age_ms must be between 0 and 9223372036854775807 milliseconds, got 99999999999999999999",
            "min_age_ms=5000&max_age_ms=10       | min_age_ms | min_age_ms 5000 is above max_age_ms 10",
    })
    void search_aNumberBeyondAnInteger_isSaidAsItsParametersRange(String query, String field, String message) {
        assertRefused(as("admin").get("/v1/tasks?" + query), field, message);
    }

    private static void assertRefused(Http.Response refused, String field, String message) {
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.errorField()).isEqualTo(field);
        assertThat(refused.json().at("/error/message").asText()).isEqualTo(message);
    }

    /**
     * A filter field sent blank or null is refused, never read as "any": {"id": "$ID"} with the
     * variable unset cancelled every task of the tenant (every tenant's, with an admin token).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"\"id\":\"\"", "\"id\":null", "\"tenant\":\" \"",
            "\"model\":\"\"", "\"business_class\":\"\"", "\"state\":\"\"", "\"text\":\"\\t\"", "\"priority\":null",
            "\"state\":\",\"", "\"state\":\"queued,\"", "\"id\":\"\\u00a0\"", "\"tenant\":\"\\u200b\\ufeff\""})
    void bulk_aBlankOrNullFilterField_isRefused_andNoTaskChanges(String field) {
        for (String client : new String[] {"admin", "acme-operate"}) {
            Http.Response refused = as(client).post("/v1/tasks:bulk", "{\"filter\":{" + field + "},\"action\":\"cancel\"}");

            assertThat(refused.status()).as(client + " " + field + ": " + refused.body()).isEqualTo(400);
            String name = field.substring(1, field.indexOf('"', 1));
            assertThat(refused.errorField()).isEqualTo("filter." + name);
            assertThat(refused.json().at("/error/message").asText()).contains("leave it out");
        }
        assertThat(priorities()).as("nothing was cancelled").hasSize(60);
    }

    @Test
    void audit_recordsEveryStateChangingCall_forAdminsOnly_andExportsCsv() {
        as("admin").delete("/v1/tasks/t2");
        as("acme-operate").patch("/v1/tasks/t4", "{\"priority\":0}");
        String op = as("admin").post("/v1/tasks:bulk", "{\"filter\":{\"tenant\":\"globex\",\"priority\":4},"
                + "\"action\":\"cancel\"}").json().path("id").asText();
        awaitFinished(as("admin"), op);
        as("admin").post("/v1/queues/p3:pause", "{}");

        JsonNode audit = as("admin").get("/v1/audit").json();
        Http.Response csv = as("admin").get("/v1/audit?format=csv&action=bulk");

        assertThat(audit.path("entries")).extracting(e -> e.path("action").asText() + " " + e.path("target").asText()
                        + " " + e.path("tasks").asInt() + " " + e.path("actor").asText())
                .containsExactly("queue.pause p3:pause 0 admin", "bulk.cancel tenant=globex priority=4..4 10 admin",
                        "task.reprioritize t4 1 acme-operate", "task.cancel t2 1 admin");
        assertThat(as("admin").get("/v1/audit?q=acme-OPERATE").json().path("total").asInt()).isEqualTo(1);
        assertThat(csv.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/csv"));
        assertThat(csv.body().split("\r\n")).hasSize(2).startsWith("number,at,actor,source,action,target,tasks,detail");
        assertThat(as("acme-read").get("/v1/audit").status()).isEqualTo(403);
        assertThat(as("acme-read").get("/v1/audit").errorCode()).isEqualTo("tenant_bound"); // as every view of all tenants
        assertThat(as("admin").get("/v1/audit?since=yesterday").errorField()).isEqualTo("since");
        Http.Response swapped = as("admin").get("/v1/audit?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z");
        assertThat(swapped.status()).isEqualTo(400);
        assertThat(swapped.errorField()).isEqualTo("until");
        assertThat(swapped.json().at("/error/message").asText())
                .isEqualTo("until must not be before since (2026-02-01T00:00:00Z), got '2026-01-01T00:00:00Z'");
    }

    /**
     * A tenant's filter text is kept in the trail every operator reads: a right-to-left override or a
     * bell in it reordered or rang in the console, the export and the JSON alike.
     */
    @Test
    void audit_showsInvisibleCharactersOfAFilter_asTheirCode() {
        String op = as("acme-operate").post("/v1/tasks:bulk", "{\"filter\":{\"text\":\"a\\u202eb\\u0007\"},"
                + "\"action\":\"cancel\"}").json().path("id").asText();
        awaitFinished(as("acme-operate"), op);

        JsonNode entry = as("admin").get("/v1/audit?action=bulk").json().path("entries").path(0);
        String csv = as("admin").get("/v1/audit?format=csv&action=bulk").body();

        assertThat(entry.path("target").asText()).isEqualTo("tenant=acme text=a\\u202Eb\\u0007");
        assertThat(csv).contains("text=a\\u202Eb\\u0007").doesNotContain("\u202e").doesNotContain("\u0007");
    }

    /** A tenant's undo put a task back at its old priority over an admin's later PATCH. */
    @Test
    void undo_afterAnAdminChangedATaskSince_leavesThatChange_andSaysHowManyChangedSince() {
        Map<String, Integer> before = priorities();
        String op = as("acme-operate").post("/v1/tasks:bulk", "{\"filter\":{\"priority\":4},\"action\":\"reprioritize\","
                + "\"priority\":2}").json().path("id").asText();
        assertThat(awaitFinished(as("acme-operate"), op).path("changed").asInt()).isEqualTo(10); // t0, t6, …, t54
        assertThat(as("admin").patch("/v1/tasks/t6", "{\"priority\":9}").status()).isEqualTo(200);

        Http.Response undo = as("acme-operate").post("/v1/operations/" + op + ":undo", "{}");

        assertThat(undo.status()).isEqualTo(202);
        JsonNode undone = awaitFinished(as("acme-operate"), op);
        assertThat(undone.path("state").asText()).isEqualTo("undone");
        assertThat(undone.path("restored").asInt()).isEqualTo(9);
        assertThat(undone.path("changed_since").asInt()).isEqualTo(1);
        assertThat(undone.path("undo_unavailable").asText()).isEqualTo("it has been undone");
        Map<String, Integer> expected = new HashMap<>(before);
        expected.put("t6", 9);
        assertThat(priorities()).isEqualTo(expected);
    }

    /** 55 bulks of one tenant that matched nothing pushed another tenant's operation out: gone from the list, its undo 404. */
    @Test
    void aTenantsFloodOfBulks_doesNotPushOutAnotherTenantsOperation() {
        String acme = as("acme-operate").post("/v1/tasks:bulk", "{\"filter\":{},\"action\":\"reprioritize\",\"priority\":8}")
                .json().path("id").asText();
        assertThat(awaitFinished(as("acme-operate"), acme).path("changed").asInt()).isEqualTo(30);

        for (int i = 0; i < 55; i++) {
            Http.Response flood = as("globex-operate").post("/v1/tasks:bulk",
                    "{\"filter\":{\"id\":\"nothing\"},\"action\":\"reprioritize\",\"priority\":8}");
            assertThat(flood.status()).isEqualTo(202);
        }

        assertThat(as("acme-operate").get("/v1/operations").json().path("operations"))
                .extracting(o -> o.path("id").asText()).containsExactly(acme);
        assertThat(as("admin").get("/v1/operations").json().path("operations")).hasSize(50);
        assertThat(as("acme-operate").post("/v1/operations/" + acme + ":undo", "{}").status()).isEqualTo(202);
        assertThat(awaitFinished(as("acme-operate"), acme).path("restored").asInt()).isEqualTo(30);
    }

    /** Undo records are bounded: past the bound the older operation stays listed, not undoable, and says why. */
    @Test
    void undoRecords_pastTheirBound_theOlderOperationStaysListed_notUndoable_andSaysWhy() {
        stop();
        startWith(Engine.builder().undoRecords(40));
        Map<String, Integer> before = priorities();
        String older = as("admin").post("/v1/tasks:bulk", "{\"filter\":{\"tenant\":\"acme\"},\"action\":\"reprioritize\","
                + "\"priority\":9}").json().path("id").asText();
        awaitFinished(as("admin"), older);
        String newer = as("admin").post("/v1/tasks:bulk", "{\"filter\":{\"tenant\":\"globex\"},\"action\":\"reprioritize\","
                + "\"priority\":9}").json().path("id").asText();
        awaitFinished(as("admin"), newer); // 30 + 30 records over 40: the older's go

        JsonNode lost = as("admin").get("/v1/operations/" + older).json();
        Http.Response refused = as("admin").post("/v1/operations/" + older + ":undo", "{}");

        assertThat(lost.path("state").asText()).isEqualTo("done");
        assertThat(lost.path("undoable").asBoolean()).isFalse();
        assertThat(lost.path("undo_unavailable").asText()).contains("undo records were let go");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().at("/error/message").asText()).contains("let go");
        assertThat(as("admin").get("/v1/operations").json().path("operations")).extracting(o -> o.path("id").asText())
                .containsExactly(newer, older);
        assertThat(as("admin").post("/v1/operations/" + newer + ":undo", "{}").status()).isEqualTo(202);
        awaitFinished(as("admin"), newer);
        Map<String, Integer> after = priorities();
        before.forEach((task, priority) -> assertThat(after.get(task)).as(task)
                .isEqualTo(Integer.parseInt(task.substring(1)) % 2 == 0 ? 9 : priority));
    }

    /**
     * An operation that changed nothing said "undoable: false, it changed no task", yet its undo was a 202 that
     * ran and marked it undone; a second undo said "is undone; only a finished one can be undone".
     */
    @Test
    void undo_ofAnOperationThatChangedNothing_orOfOneUndoneAlready_is409SayingWhy() {
        String none = as("acme-operate").post("/v1/tasks:bulk", "{\"filter\":{\"text\":\"no-such-task\"},"
                + "\"action\":\"reprioritize\",\"priority\":2}").json().path("id").asText();
        assertThat(awaitFinished(as("acme-operate"), none).path("undo_unavailable").asText()).isEqualTo("it changed no task");

        Http.Response refused = as("acme-operate").post("/v1/operations/" + none + ":undo", "{}");

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().at("/error/message").asText())
                .isEqualTo("operation '" + none + "' cannot be undone: it changed no task");
        assertThat(as("acme-operate").get("/v1/operations/" + none).json().path("state").asText()).isEqualTo("done");

        String op = as("acme-operate").post("/v1/tasks:bulk", "{\"filter\":{\"priority\":4},\"action\":\"reprioritize\","
                + "\"priority\":2}").json().path("id").asText();
        awaitFinished(as("acme-operate"), op);
        assertThat(as("acme-operate").post("/v1/operations/" + op + ":undo", "{}").status()).isEqualTo(202);
        awaitFinished(as("acme-operate"), op);
        Http.Response twice = as("acme-operate").post("/v1/operations/" + op + ":undo", "{}");
        assertThat(twice.status()).isEqualTo(409);
        assertThat(twice.json().at("/error/message").asText()).isEqualTo("operation '" + op + "' cannot be undone: it has been undone");
    }

    /** Under a policy that orders each lane itself, the dry run counted a positioned move the run then failed. */
    @Test
    void dryRun_ofAMoveToTheFront_underAPolicyThatOrdersItsLanes_is409AsTheRunIs() {
        engine.send(new Command.SwitchPolicy("sjf", Map.of())).join();

        Http.Response preview = as("acme-operate").post("/v1/tasks:bulk", "{\"filter\":{},\"action\":\"move\",\"lane\":0,"
                + "\"position\":\"front\",\"dry_run\":true}");

        assertThat(preview.status()).as(preview.body()).isEqualTo(409);
        assertThat(preview.errorCode()).isEqualTo("conflict");
        assertThat(preview.json().at("/error/message").asText()).isEqualTo("the sjf policy orders each lane by rules of its own;"
                + " a move to the front or back holds under fifo, priority or mlfq (leave position out)");
        Http.Response withoutPosition = as("acme-operate").post("/v1/tasks:bulk", "{\"filter\":{},\"action\":\"move\","
                + "\"lane\":0,\"dry_run\":true}");
        assertThat(withoutPosition.status()).isEqualTo(200);
        assertThat(withoutPosition.json().path("would_change").asInt()).isEqualTo(30);
    }

    /**
     * The run of that move was accepted (202) and then ended failed at its first slice: it is refused as
     * its dry run is, with nothing started, no operation listed and no task moved.
     */
    @Test
    void run_ofAMoveToTheFront_underAPolicyThatOrdersItsLanes_is409BeforeAnythingIsAccepted() {
        engine.send(new Command.SwitchPolicy("sjf", Map.of())).join();
        int operationsBefore = as("admin").get("/v1/operations").json().path("operations").size();

        Http.Response run = as("acme-operate").post("/v1/tasks:bulk", "{\"filter\":{},\"action\":\"move\",\"lane\":0,"
                + "\"position\":\"front\"}");

        assertThat(run.status()).as(run.body()).isEqualTo(409);
        assertThat(run.errorCode()).isEqualTo("conflict");
        assertThat(run.json().at("/error/message").asText()).isEqualTo("the sjf policy orders each lane by rules of its own;"
                + " a move to the front or back holds under fifo, priority or mlfq (leave position out)");
        assertThat(run.headers().firstValue("Location")).isEmpty();
        assertThat(as("admin").get("/v1/operations").json().path("operations").size()).isEqualTo(operationsBefore);
    }

    /**
     * One rule for the API's enum values (decision 0141): each is read exactly as the docs write it, and a
     * near miss (another case, or '-' for '_') is a 400 on its field naming the spelling meant, where it
     * used to be read: "CORE:Pause" paused core, "Cancel" cancelled, state=Queued listed. Nothing changes.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "POST|/v1/queues/core:Pause||action|action must be one of [pause, resume, drain], got 'Pause' (written in lower case: 'pause')",
            "POST|/v1/queues/CORE:pause||tier|tier must be one of [core, normal, batch, all, p0, p1, p2, p3, p4, p5, p6, p7, p8, p9],"
                    + " got 'CORE' (written in lower case: 'core')",
            "POST|/v1/queues/P3:drain||tier|tier must be one of [core, normal, batch, all, p0, p1, p2, p3, p4, p5, p6, p7, p8, p9],"
                    + " got 'P3' (written in lower case: 'p3')",
            "POST|/v1/tasks:bulk|{\"filter\": {}, \"action\": \"Cancel\"}|action|action must be one of [reprioritize, move,"
                    + " cancel, retry], got 'Cancel' (written in lower case: 'cancel')",
            "POST|/v1/tasks:bulk|{\"filter\": {}, \"action\": \"move\", \"tier\": \"Batch\"}|tier|tier must be one of"
                    + " [core, normal, batch], got 'Batch' (written in lower case: 'batch')",
            "POST|/v1/tasks:bulk|{\"filter\": {}, \"action\": \"move\", \"lane\": 3, \"position\": \"FRONT\"}|position|"
                    + "position must be front or back, got 'FRONT' (written in lower case: 'front')",
            "POST|/v1/tasks:bulk|{\"filter\": {\"state\": \"Queued\"}, \"action\": \"cancel\"}|filter.state|state must"
                    + " be one or more (comma-separated) of [queued, running, preempted, succeeded, failed, retry_wait, cancelled,"
                    + " timed_out, dead_lettered], got 'Queued' (written in lower case: 'queued')",
            "GET|/v1/tasks?state=Queued||state|state must be one of [queued, running, preempted, succeeded, failed, retry_wait,"
                    + " cancelled, timed_out, dead_lettered], got 'Queued' (written in lower case: 'queued')",
            "GET|/v1/tasks?state=queued,retry-wait||state|state must be one or more (comma-separated) of [queued, running,"
                    + " preempted, succeeded, failed, retry_wait, cancelled, timed_out, dead_lettered], got 'retry-wait'"
                    + " (written in lower case with '_': 'retry_wait')",
            "GET|/v1/tasks?sort=-Priority||sort|sort must be one of [submitted, priority, model, tenant, state] (a leading -"
                    + " for descending), got '-Priority' (written in lower case: 'priority')",
            "GET|/v1/tiers/Core/parked||tier|tier must be one of [core, normal, batch], got 'Core' (written in lower case: 'core')",
    })
    void anEnumValueInAnotherCase_is400NamingItsFieldAndTheSpellingMeant_andChangesNothing(String method, String path,
                                                                                            String body, String field,
                                                                                            String message) {
        Map<String, Integer> before = priorities();
        Http.Response refused = method.equals("GET") ? as("admin").get(path) : as("admin").post(path, body == null ? "" : body);

        assertRefused(refused, field, message);
        assertThat(refused.errorCode()).isEqualTo("invalid_field");
        assertThat(priorities()).isEqualTo(before);
        assertThat(engine.send(new Command.TakeSnapshot()).join().tierModes().values())
                .allMatch(mode -> mode == io.queuedeck.engine.tier.TierMode.ACTIVE);
        assertThat(as("admin").get("/v1/operations").json().path("operations")).isEmpty();
    }

    /**
     * A state read from a task's own JSON ("state": "QUEUED") filters as it is, beside the documented
     * lower case: refusing the API's own spelling would break a client that sends back what it read.
     */
    @Test
    void aStateAsATaskIsWrittenWith_filtersAsTheDocumentedSpellingDoes() {
        String written = as("admin").get("/v1/tasks?limit=1").json().path("tasks").get(0).path("state").asText();
        assertThat(written).isEqualTo("QUEUED");

        for (String path : List.of("/v1/tasks?state=", "/v1/tasks?limit=100&state=running,")) {
            List<String> asWritten = as("admin").get(path + written).json().path("tasks").findValuesAsText("task_id");
            List<String> documented = as("admin").get(path + "queued").json().path("tasks").findValuesAsText("task_id");
            assertThat(asWritten).as(path).hasSize(60).isEqualTo(documented);
        }
        Http.Response dryRun = as("admin").post("/v1/tasks:bulk", "{\"filter\": {\"state\": \"" + written
                + "\"}, \"action\": \"cancel\", \"dry_run\": true}");
        assertThat(dryRun.status()).isEqualTo(200);
        assertThat(dryRun.json().path("matched").asInt()).isPositive();
    }

    /** A queue action as written is audited as written: a search for queue.pause finds it (decision 0137 §8). */
    @Test
    void aQueueAction_isAuditedAsItWasWritten() {
        assertThat(as("admin").post("/v1/queues/core:pause", "").status()).isEqualTo(200);

        JsonNode entries = as("admin").get("/v1/audit?action=queue.pause").json().path("entries");

        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).path("target").asText()).isEqualTo("core:pause");
    }
}
