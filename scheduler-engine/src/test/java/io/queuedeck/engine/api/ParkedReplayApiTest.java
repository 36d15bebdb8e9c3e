package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replaying what a tier parked ({@code degrade: park}): listed oldest first, replayed all or by
 * filter with the operate scope, each replayed task queued again, and the replay in the audit
 * trail. Dispatch is paused, so the batch tier's one queue place stays taken and every later
 * batch task is parked.
 */
class ParkedReplayApiTest {
    private static final Map<String, String> TOKENS = Map.of(
            "operator", "parked-operator-0123456789abcdef0123456789",
            "reader", "parked-reader-0123456789abcdef0123456789ab",
            "acme-operate", "parked-acme-0123456789abcdef0123456789abcd");

    private Engine engine;
    private ApiServer server;

    @BeforeEach
    void start() {
        TierLimits batch = new TierLimits(0, 0, 1, 0, Duration.ZERO, TierLimits.TimeoutAction.REJECT, 0, null, null,
                TierLimits.Degrade.PARK, TierLimits.Fairness.NONE, false);
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20))
                .flow(new FlowSettings(Map.of(Tier.BATCH, batch), Map.of())).build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        server = ApiServer.builder(engine).port(0)
                .client(TOKENS.get("operator"), ClientPolicy.scoped("operator", null, EnumSet.of(Scope.OPERATE, Scope.READ)))
                .client(TOKENS.get("reader"), ClientPolicy.scoped("reader", null, EnumSet.of(Scope.READ)))
                .client(TOKENS.get("acme-operate"), ClientPolicy.scoped("acme-operate", "acme",
                        EnumSet.of(Scope.OPERATE, Scope.READ)))
                .client("parked-admin-0123456789abcdef0123456789abcde", ClientPolicy.scoped("admin", null,
                        EnumSet.of(Scope.ADMIN)))
                .openAiFrontDoor(java.util.List.of(Engine.Builder.DEFAULT_MODEL))
                .build().start();
        String[][] tasks = {{"queued", "acme"}, {"p1", "acme"}, {"p2", "globex"}, {"p3", "acme"}, {"p4", "globex"}};
        for (String[] t : tasks) {
            Http.Response created = as("admin").post("/v1/tasks", "{\"task_id\":\"" + t[0] + "\",\"model\":\"llama-2-7b\","
                    + "\"input\":\"x\",\"priority\":8,\"tenant\":\"" + t[1] + "\"}");
            assertThat(created.status()).isEqualTo(202);
        }
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
    }

    private Http as(String client) {
        return new Http(server.baseUri(), client.equals("admin") ? "parked-admin-0123456789abcdef0123456789abcde"
                : TOKENS.get(client));
    }

    private static List<String> ids(JsonNode array) {
        List<String> ids = new ArrayList<>();
        array.forEach(n -> ids.add(n.isTextual() ? n.asText() : n.path("task_id").asText()));
        return ids;
    }

    private TaskState state(String id) {
        return engine.send(new Command.FindTask(id)).join().orElseThrow().state();
    }

    /**
     * A tenant's own client replaying its parked tasks took 2.3 times its share past the byte budget,
     * and other tenants' submissions were refused 429 meanwhile. An operator's replay is their
     * choice and still passes the budget.
     */
    @Test
    void aTenantsReplay_isHeldToTheByteBudget_theRestStaysParked_anOperatorsIsNot() {
        server.close();
        engine.close();
        TierLimits batch = new TierLimits(0, 0, 1, 0, Duration.ZERO, TierLimits.TimeoutAction.REJECT, 0, null, null,
                TierLimits.Degrade.PARK, TierLimits.Fairness.NONE, false);
        String input = "z".repeat(2_000);
        long cost = 2L * input.length() + 1_024; // what a task of it counts against the budget
        // acme's share: about 6 tasks queued; the dead letters' half of the budget holds all ten parked
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).maxQueuedBytes(24 * cost)
                .tenantByteShares(new io.queuedeck.engine.task.TenantByteShares(0.25, Map.of()))
                .flow(new FlowSettings(Map.of(Tier.BATCH, batch), Map.of())).build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        server = ApiServer.builder(engine).port(0)
                .client(TOKENS.get("operator"), ClientPolicy.scoped("operator", null, EnumSet.of(Scope.OPERATE, Scope.READ)))
                .client(TOKENS.get("acme-operate"), ClientPolicy.scoped("acme-operate", "acme",
                        EnumSet.of(Scope.OPERATE, Scope.READ, Scope.SUBMIT)))
                .build().start();
        for (int i = 0; i < 11; i++) { // one queued in the batch tier, ten parked
            assertThat(as("acme-operate").post("/v1/tasks", "{\"task_id\":\"b" + i + "\",\"model\":\"llama-2-7b\","
                    + "\"input\":\"" + input + "\",\"priority\":8}").status()).isEqualTo(202);
        }

        JsonNode mine = as("acme-operate").post("/v1/tiers/batch/parked:replay", "{\"filter\":{}}").json();

        int replayed = mine.path("replayed").size(); // what fits beside the queued one within about 6 x cost
        assertThat(replayed).isBetween(1, 5);
        assertThat(mine.at("/skipped/0/reason").asText()).contains("share of max_queued_bytes").contains("stay parked");
        assertThat(engine.send(new Command.ListParked(Tier.BATCH, TaskFilter.ANY, 100)).join().tasks()).hasSize(10 - replayed);

        // the same through a bulk retry of its dead letters: it requeued all 190 of a probe's, 181% of the share
        Http.Response bulk = as("acme-operate").post("/v1/tasks:bulk", "{\"filter\":{\"state\":\"dead_lettered\"},\"action\":\"retry\"}");
        assertThat(bulk.status()).isEqualTo(202);
        String op = bulk.json().path("id").asText();
        JsonNode ended = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> as("acme-operate").get("/v1/operations/" + op).json(), s -> !s.path("state").asText().equals("running"));
        assertThat(ended.path("state").asText()).isEqualTo("failed");
        assertThat(ended.path("error").asText()).contains("share of max_queued_bytes");
        assertThat(engine.send(new Command.ListParked(Tier.BATCH, TaskFilter.ANY, 100)).join().tasks()).hasSize(10 - replayed);

        JsonNode operators = as("operator").post("/v1/tiers/batch/parked:replay", "{\"filter\":{}}").json();
        assertThat(operators.path("replayed")).hasSize(10 - replayed);
    }

    /**
     * A page of parked tasks is held as a page of tasks is: 40 tasks of heavy metadata made one page
     * of 14.5 MB, and twenty clients that did not read it ran the heap out of memory.
     */
    @Test
    void parkedTasks_aPageStaysWithinItsBytes_andSaysThereIsMore() {
        StringBuilder metadata = new StringBuilder("{");
        for (int k = 0; k < 64; k++) { // 64 values of 1,024 control characters: 390 KB a task once escaped
            metadata.append(k == 0 ? "" : ",").append("\"k").append(k).append("\":\"").append("\\u0001".repeat(1_024)).append('"');
        }
        metadata.append('}');
        for (int i = 0; i < 20; i++) {
            assertThat(as("admin").post("/v1/tasks", "{\"task_id\":\"heavy-" + i + "\",\"model\":\"llama-2-7b\",\"input\":\"x\","
                    + "\"priority\":8,\"metadata\":" + metadata + "}").status()).isEqualTo(202); // parked
        }

        Http.Response page = as("reader").get("/v1/tiers/batch/parked?limit=1000");

        assertThat(page.status()).isEqualTo(200);
        assertThat((long) page.body().length()).isLessThanOrEqualTo(Listings.PAGE_BYTES);
        assertThat(page.json().path("tasks").size()).isBetween(5, 19);
        assertThat(page.json().path("more").asBoolean()).isTrue();
        // the cursor goes on after the last task the page kept: every parked task once, oldest first
        List<String> seen = new ArrayList<>(ids(page.json().path("tasks")));
        String cursor = page.json().path("next_cursor").asText();
        while (!cursor.isEmpty()) {
            JsonNode next = as("reader").get("/v1/tiers/batch/parked?limit=1000&cursor=" + cursor).json();
            seen.addAll(ids(next.path("tasks")));
            cursor = next.path("next_cursor").asText();
        }
        List<String> expected = new ArrayList<>(List.of("p1", "p2", "p3", "p4"));
        for (int i = 0; i < 20; i++) {
            expected.add("heavy-" + i);
        }
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    /** A page full at its limit says more may follow, and the last page says nothing follows. */
    @Test
    void parkedTasks_pageByPage_withTheCursor() {
        JsonNode first = as("reader").get("/v1/tiers/batch/parked?limit=3").json();
        assertThat(ids(first.path("tasks"))).containsExactly("p1", "p2", "p3");
        assertThat(first.path("more").asBoolean()).isTrue();

        JsonNode last = as("reader").get("/v1/tiers/batch/parked?limit=3&cursor=" + first.path("next_cursor").asText()).json();
        assertThat(ids(last.path("tasks"))).containsExactly("p4");
        assertThat(last.path("more").asBoolean()).isFalse();
        assertThat(last.path("next_cursor").isNull()).isTrue();

        Http.Response forged = as("reader").get("/v1/tiers/batch/parked?cursor=zz");
        assertThat(forged.status()).isEqualTo(400);
        assertThat(forged.json().at("/error/field").asText()).isEqualTo("cursor");
    }

    /**
     * A filter that matches one of many parked tasks never holds the loop for a walk of all of
     * them: a page walks a bounded number and says where to go on, and a replay goes on by itself.
     */
    @Test
    void aSelectiveFilterOverManyParkedTasks_walksInBoundedSteps_andStillFindsTheLastOne() {
        for (int i = 0; i < Command.ListParked.MOST_WALKED + 50; i++) {
            engine.send(new Command.Submit(TaskSpec.of("llama-2-7b", "x", 8, 1).withTaskId("many-" + i)));
        }
        assertThat(engine.send(new Command.Submit(TaskSpec.of("llama-2-7b", "x", 8, 1).withTaskId("needle"))).join()).isNotNull();

        JsonNode first = as("reader").get("/v1/tiers/batch/parked?id=needle").json();
        assertThat(first.path("tasks").size()).isZero();
        assertThat(first.path("more").asBoolean()).isTrue();
        JsonNode second = as("reader").get("/v1/tiers/batch/parked?id=needle&cursor=" + first.path("next_cursor").asText()).json();
        assertThat(ids(second.path("tasks"))).containsExactly("needle");
        assertThat(second.path("more").asBoolean()).isFalse();

        Http.Response replay = as("operator").post("/v1/tiers/batch/parked:replay", "{\"filter\":{\"id\":\"needle\"}}");
        assertThat(replay.status()).as(replay.body()).isEqualTo(200);
        assertThat(ids(replay.json().path("replayed"))).containsExactly("needle");
    }

    /**
     * A front-door request its full tier would park has nobody to answer when replayed, and an OpenAI
     * SDK retries a 429 on its own: the client hears a full queue and nothing is parked (each retry
     * parked another copy).
     */
    @Test
    void frontDoorRequest_atAFullParkingTier_is429QueueFull_andNothingIsParked() {
        Http admin = as("admin");
        int parkedBefore = as("reader").get("/v1/tiers/batch/parked").json().path("tasks").size();
        Http.Response refused = admin.send(admin.request("/v1/chat/completions").header("Content-Type", "application/json")
                .header("X-Priority", "8").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"llama-2-7b\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));

        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
        assertThat(refused.json().at("/error/code").asText()).isEqualTo("queue_full");
        assertThat(refused.json().at("/error/message").asText()).contains("tier batch is full")
                .contains("a request that waits for its answer is not parked");
        assertThat(refused.headers().firstValue("Retry-After")).contains("1");
        assertThat(as("reader").get("/v1/tiers/batch/parked").json().path("tasks").size()).isEqualTo(parkedBefore);
    }

    @Test
    void parkedTasks_listedOldestFirst_replayedByFilter_thenAll_andAudited() {
        JsonNode parked = as("reader").get("/v1/tiers/batch/parked").json();
        assertThat(parked.path("tier").asText()).isEqualTo("batch");
        assertThat(ids(parked.path("tasks"))).containsExactly("p1", "p2", "p3", "p4");
        // as GET /v1/tasks/{id} shows a task: not the engine's own record (its input, its clock's nanoseconds)
        JsonNode first = parked.path("tasks").get(0);
        assertThat(first.path("state").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(first.path("submitted_at").asText()).matches("\\d{4}-.*Z");
        assertThat(first.has("spec")).isFalse();
        assertThat(first.has("input")).isFalse();
        assertThat(first.has("arrivedAt")).isFalse();
        assertThat(ids(as("reader").get("/v1/tiers/batch/parked?tenant=globex").json().path("tasks")))
                .containsExactly("p2", "p4");
        assertThat(ids(as("reader").get("/v1/tiers/normal/parked").json().path("tasks"))).isEmpty();

        JsonNode dry = as("operator").post("/v1/tiers/batch/parked:replay",
                "{\"filter\":{\"tenant\":\"acme\"},\"dry_run\":true}").json();
        assertThat(dry.path("matched").asInt()).isEqualTo(2);
        assertThat(state("p1")).isEqualTo(TaskState.DEAD_LETTERED);

        JsonNode acme = as("operator").post("/v1/tiers/batch/parked:replay", "{\"filter\":{\"tenant\":\"acme\"}}").json();
        assertThat(ids(acme.path("replayed"))).containsExactly("p1", "p3");
        assertThat(state("p1")).isEqualTo(TaskState.QUEUED);
        assertThat(state("p3")).isEqualTo(TaskState.QUEUED);
        assertThat(state("p2")).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(ids(as("reader").get("/v1/tiers/batch/parked").json().path("tasks"))).containsExactly("p2", "p4");

        for (String blank : new String[] {"{\"filter\":{\"id\":\"\"}}", "{\"filter\":{\"tenant\":null}}"}) {
            assertThat(as("operator").post("/v1/tiers/batch/parked:replay", blank).status()).as(blank).isEqualTo(400);
        }
        assertThat(as("operator").get("/v1/tiers/batch/parked?id=%20").errorField()).isEqualTo("id");
        JsonNode rest = as("operator").post("/v1/tiers/batch/parked:replay", "{\"filter\":{}, \"limit\": 1}").json();
        assertThat(ids(rest.path("replayed"))).containsExactly("p2"); // oldest first, up to the limit
        as("operator").post("/v1/tiers/batch/parked:replay", "{\"filter\":{}}");
        assertThat(state("p4")).isEqualTo(TaskState.QUEUED);
        assertThat(ids(as("reader").get("/v1/tiers/batch/parked").json().path("tasks"))).isEmpty();

        JsonNode audit = as("admin").get("/v1/audit?action=tier.replay_parked").json();
        assertThat(audit.path("entries")).extracting(e -> e.path("action").asText() + " " + e.path("target").asText()
                        + " " + e.path("tasks").asInt() + " " + e.path("actor").asText())
                .containsExactly("tier.replay_parked batch 1 operator", "tier.replay_parked batch 1 operator",
                        "tier.replay_parked batch 2 operator");
    }

    @Test
    void replay_needsTheOperateScope_aTenantClientReplaysItsOwn_andBadRequestsAreFieldPrecise() {
        Http.Response refused = as("reader").post("/v1/tiers/batch/parked:replay", "{\"filter\":{}}");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(state("p1")).isEqualTo(TaskState.DEAD_LETTERED);

        JsonNode own = as("acme-operate").post("/v1/tiers/batch/parked:replay", "{\"filter\":{}}").json();
        assertThat(ids(own.path("replayed"))).containsExactly("p1", "p3");
        assertThat(state("p2")).isEqualTo(TaskState.DEAD_LETTERED);
        Http.Response theirs = as("acme-operate").post("/v1/tiers/batch/parked:replay", "{\"filter\":{\"tenant\":\"globex\"}}");
        assertThat(theirs.status()).isEqualTo(403);
        assertThat(theirs.errorField()).as("the filter's field, not a query parameter's").isEqualTo("filter.tenant");
        assertThat(state("p2")).isEqualTo(TaskState.DEAD_LETTERED);

        assertThat(as("operator").get("/v1/tiers/gold/parked").status()).isEqualTo(404);
        assertThat(as("operator").get("/v1/tiers/batch/parked?limit=0").errorField()).isEqualTo("limit");
        assertThat(as("operator").post("/v1/tiers/batch/parked:replay", "{\"filter\":{},\"limit\":5000}").errorField())
                .isEqualTo("limit");
        Http.Response noFilter = as("operator").post("/v1/tiers/batch/parked:replay", "{}");
        assertThat(noFilter.errorField()).isEqualTo("filter");
        assertThat(state("p2")).isEqualTo(TaskState.DEAD_LETTERED); // nothing replayed by an implied "all"
    }

    @Test
    void parkedTasks_areFoundAgainAfterARestart(@TempDir Path dir) {
        TierLimits batch = new TierLimits(0, 0, 1, 0, Duration.ZERO, TierLimits.TimeoutAction.REJECT, 0, null, null,
                TierLimits.Degrade.PARK, TierLimits.Fairness.NONE, false);
        FlowSettings flow = new FlowSettings(Map.of(Tier.BATCH, batch), Map.of());
        try (Engine first = Engine.builder().store(TaskStore.embedded(dir)).flow(flow).build()) {
            first.start();
            first.send(new Command.PauseDispatch(true)).join();
            for (String id : List.of("q", "x1", "x2")) {
                first.send(new Command.Submit(TaskSpec.of("llama-2-7b", "x", 8, 1).withTaskId(id))).join();
            }
        }
        try (Engine again = Engine.builder().store(TaskStore.embedded(dir)).flow(flow).build()) {
            again.start();
            List<TaskView> parked = again.send(new Command.ListParked(Tier.BATCH, TaskFilter.ANY, 10)).join().tasks();
            assertThat(parked).extracting(TaskView::id).containsExactly("x1", "x2");
            assertThat(again.send(new Command.ListParked(Tier.NORMAL, TaskFilter.ANY, 10)).join().tasks()).isEmpty();
        }
    }
}
