package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ApiServer;
import io.queuedeck.engine.audit.AuditQuery;
import io.queuedeck.engine.cluster.ClusterTasks;
import io.queuedeck.engine.cluster.SharedQueue;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cluster through one node's REST API on a real redis-server: {@code GET /v1/tasks} lists the
 * shared queue (tasks other nodes queued and hold) paged from Redis, {@code GET /v1/cluster} shows
 * every node, and {@code POST /v1/cluster/queues/{tier}:pause} pauses a tier for every node.
 * Node "b" is a bare shared-queue client, standing for another process.
 */
class ClusterRoutesApiTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger QUEUES = new AtomicInteger();

    private Engine engine;
    private SharedQueue a;
    private SharedQueue b;
    private ApiServer server;

    @BeforeEach
    void start() {
        String queue = "r" + QUEUES.incrementAndGet();
        engine = Engine.builder().build();
        engine.start();
        a = SharedQueue.redis(REDIS.uri(), queue, "a", Duration.ofMinutes(5), 3, Duration.ofHours(1));
        b = SharedQueue.redis(REDIS.uri(), queue, "b", Duration.ofMinutes(5), 3, Duration.ofHours(1));
        server = ApiServer.builder(engine).port(0).sharedTasks(new ClusterTasks(a)).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
        a.close();
        b.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUri() + path))
                .header("X-QueueDeck-Client", "test").method(method, HttpRequest.BodyPublishers.noBody()).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = send("GET", path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("tasks").forEach(t -> ids.add(t.path("task_id").asText()));
        return ids;
    }

    private static TaskSpec spec(int priority, String tenant) {
        return new TaskSpec(null, "m", "hello", priority, null, tenant, null, null, 8, null, null);
    }

    @Test
    void listTasks_pagesTheWholeSharedQueueFromRedis_acrossTiers_inClaimOrder() throws Exception {
        b.enqueue("batch", spec(8, "t1"));
        b.enqueue("normal", spec(5, "t2"));
        b.enqueue("core", spec(1, "t1"));
        b.enqueue("normal2", spec(4, "t1"));
        b.enqueue("held", spec(0, "t1"));
        b.claim(1); // "held", leased to b

        JsonNode first = get("/v1/tasks?limit=2");
        JsonNode second = get("/v1/tasks?limit=2&offset=" + first.path("next_offset").asInt());
        JsonNode last = get("/v1/tasks?limit=2&offset=4");

        assertThat(first.path("total").asLong()).isEqualTo(4);
        assertThat(first.path("source").asText()).isEqualTo("shared_queue");
        assertThat(ids(first)).containsExactly("core", "normal2");
        assertThat(ids(second)).containsExactly("normal", "batch");
        assertThat(second.has("next_offset")).isFalse();
        assertThat(ids(last)).isEmpty();
        assertThat(first.path("tasks").get(0).path("tenant").asText()).isEqualTo("t1");

        // other lists, filters and one tier; this node's own engine with scope=node
        JsonNode leased = get("/v1/tasks?state=running");
        assertThat(ids(leased)).containsExactly("held");
        assertThat(leased.path("tasks").get(0).path("node").asText()).isEqualTo("b");
        assertThat(ids(get("/v1/tasks?tenant=t1"))).containsExactly("core", "normal2", "batch");
        assertThat(ids(get("/v1/tasks?tier=normal"))).containsExactly("normal2", "normal");
        assertThat(ids(get("/v1/tasks?min_priority=4&max_priority=5"))).containsExactly("normal2", "normal");
        assertThat(ids(get("/v1/tasks?scope=node"))).isEmpty();
    }

    @Test
    void filteredList_readsOnByRankUntilThePageIsFull_andNextOffsetResumesAfterTheLastMatch() throws Exception {
        for (int i = 0; i < 12; i++) { // one in three is t1's, all in one tier so rank is submission order
            b.enqueue("n" + i, spec(5, i % 3 == 2 ? "t1" : "t2"));
        }

        JsonNode first = get("/v1/tasks?tenant=t1&limit=3");
        assertThat(ids(first)).containsExactly("n2", "n5", "n8"); // full, where a page of 3 read would hold one
        assertThat(first.path("next_offset").asInt()).isEqualTo(9);
        JsonNode rest = get("/v1/tasks?tenant=t1&limit=3&offset=9");
        assertThat(ids(rest)).containsExactly("n11");
        assertThat(rest.has("next_offset")).isFalse();
        assertThat(ids(get("/v1/tasks?tenant=nobody"))).isEmpty();
    }

    @Test
    void filteredList_stopsAtItsReadBudget_withAnEmptyPageThatSaysWhereToGoOn() throws Exception {
        int before = 5_100; // more than one request reads
        for (int i = 0; i < before; i++) {
            b.enqueue("x" + i, spec(5, "t2"));
        }
        b.enqueue("needle", spec(5, "t1"));

        JsonNode first = get("/v1/tasks?tenant=t1&limit=10");
        assertThat(ids(first)).isEmpty();
        assertThat(first.path("next_offset").asInt()).isEqualTo(5_000);
        JsonNode second = get("/v1/tasks?tenant=t1&limit=10&offset=" + first.path("next_offset").asInt());
        assertThat(ids(second)).containsExactly("needle");
        assertThat(second.has("next_offset")).isFalse();
    }

    @Test
    void listTasks_refusesWhatTheSharedQueueCannotAnswer_fieldPrecise() throws Exception {
        HttpResponse<String> text = send("GET", "/v1/tasks?q=hello");
        assertThat(text.statusCode()).isEqualTo(400);
        assertThat(text.body()).contains("\"field\":\"q\"", "scope=node");
        HttpResponse<String> state = send("GET", "/v1/tasks?state=succeeded");
        assertThat(state.statusCode()).isEqualTo(400);
        assertThat(state.body()).contains("\"field\":\"state\"");
        HttpResponse<String> tier = send("GET", "/v1/tasks?tier=gold");
        assertThat(tier.statusCode()).isEqualTo(400);
        assertThat(tier.body()).contains("\"field\":\"tier\"", "core");
    }

    /** A bulk cancel through a node matched 0 of the shared queue's waiting tasks and answered as if done. */
    @Test
    void bulkAction_onANode_mustSayItActsOnThisNodesEngineOnly() throws Exception {
        b.enqueue("waiting", spec(5, "t1"));
        HttpResponse<String> unscoped = post("/v1/tasks:bulk", "{\"filter\":{\"tenant\":\"t1\"},\"action\":\"cancel\",\"dry_run\":true}");
        assertThat(unscoped.statusCode()).isEqualTo(400);
        assertThat(unscoped.body()).contains("\"field\":\"scope\"", "this node's own engine only");

        HttpResponse<String> scoped = post("/v1/tasks:bulk",
                "{\"filter\":{\"tenant\":\"t1\"},\"action\":\"cancel\",\"dry_run\":true,\"scope\":\"node\"}");
        assertThat(scoped.statusCode()).isEqualTo(200);
        assertThat(scoped.body()).contains("\"matched\":0");
        assertThat(post("/v1/tasks:bulk", "{\"filter\":{},\"action\":\"cancel\",\"scope\":\"cluster\"}").statusCode()).isEqualTo(400);
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUri() + path)).header("X-QueueDeck-Client", "test")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void clusterTierPause_holdsForEveryNode_andIsAudited() throws Exception {
        b.announce("[{\"id\":0,\"model\":\"m\",\"state\":\"healthy\",\"running\":1,\"batch\":8}]");
        b.enqueue("n", spec(5, null));

        HttpResponse<String> paused = send("POST", "/v1/cluster/queues/normal:pause");

        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        JsonNode cluster = JSON.readTree(paused.body());
        assertThat(cluster.path("tiers").path("normal").path("mode").asText()).isEqualTo("paused");
        assertThat(cluster.path("tiers").path("normal").path("waiting").asLong()).isEqualTo(1);
        assertThat(cluster.path("nodes").get(0).path("name").asText()).isEqualTo("b");
        assertThat(cluster.path("nodes").get(0).path("instances").get(0).path("batch").asInt()).isEqualTo(8);
        assertThat(b.claim(5)).isEmpty(); // the other node does not claim from it
        assertThat(engine.audit().find(AuditQuery.all()).entries())
                .anyMatch(e -> e.action().equals("cluster.tier.pause") && e.target().equals("normal"));

        assertThat(send("POST", "/v1/cluster/queues/normal:drain").statusCode()).isEqualTo(200);
        assertThat(b.enqueue("late", spec(5, null)).kind()).isEqualTo(SharedQueue.Enqueued.Kind.DRAINING);
        assertThat(get("/v1/cluster").path("tiers").path("normal").path("mode").asText()).isEqualTo("draining");
        assertThat(b.claim(5)).extracting(SharedQueue.Claim::id).containsExactly("n");
        assertThat(send("POST", "/v1/cluster/queues/normal:resume").statusCode()).isEqualTo(200);
        assertThat(send("POST", "/v1/cluster/queues/gold:pause").statusCode()).isEqualTo(404);
        assertThat(send("POST", "/v1/cluster/queues/normal:explode").statusCode()).isEqualTo(404);
    }

    @Test
    void sharedCancel_isInTheAuditTrail() throws Exception {
        b.enqueue("w", spec(5, null));

        assertThat(send("DELETE", "/v1/tasks/w").statusCode()).isEqualTo(200);

        assertThat(engine.audit().find(AuditQuery.all()).entries())
                .anyMatch(e -> e.action().equals("task.cancel") && e.target().equals("w"));
    }

    @Test
    void submissionOverTheClusterWideTenantRate_is429WithRetryAfter() throws Exception {
        a.rateTenants(java.util.Map.of("acme", new SharedQueue.TenantRate(0.01, 1)), null);
        java.util.concurrent.ScheduledExecutorService thread = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        io.queuedeck.engine.cluster.ClusterNode node = io.queuedeck.engine.cluster.ClusterNode.builder(engine, a, thread).build();
        try (ApiServer intake = ApiServer.builder(engine).port(0).intake(node::submit).build().start()) {
            String body = "{\"model\":\"m\",\"input\":\"x\",\"tenant\":\"acme\"}";
            java.util.function.Function<String, HttpRequest> post = id -> HttpRequest.newBuilder(
                    URI.create(intake.baseUri() + "/v1/tasks")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.replace("{", "{\"task_id\":\"" + id + "\","))).build();

            assertThat(HTTP.send(post.apply("r1"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
            HttpResponse<String> limited = HTTP.send(post.apply("r2"), HttpResponse.BodyHandlers.ofString());

            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.body()).contains("tenant_rate_limited", "\"field\":\"tenant\"");
            assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 100L);
        } finally {
            thread.shutdownNow();
        }
    }

    /**
     * The cluster's enum values follow the API's one rule (decision 0141): a near miss is a 400 on its
     * field naming the spelling meant, where "NORMAL:Pause" paused normal and state=WAITING listed.
     */
    @Test
    void clusterEnumValuesInAnotherCase_are400NamingTheSpellingMeant_andChangeNothing() throws Exception {
        String[][] cases = {
                {"POST", "/v1/cluster/queues/NORMAL:pause", "tier", "got 'NORMAL' (written in lower case: 'normal')"},
                {"POST", "/v1/cluster/queues/normal:Pause", "action", "got 'Pause' (written in lower case: 'pause')"},
                {"POST", "/v1/cluster/nodes/b:Reclaim", "action", "got 'Reclaim' (written in lower case: 'reclaim')"},
                {"GET", "/v1/tasks?state=WAITING", "state", "got 'WAITING' (written in lower case: 'waiting')"},
                {"GET", "/v1/tasks?tier=Normal", "tier", "got 'Normal' (written in lower case: 'normal')"},
        };
        for (String[] c : cases) {
            HttpResponse<String> refused = send(c[0], c[1]);
            assertThat(refused.statusCode()).as(c[1] + ": " + refused.body()).isEqualTo(400);
            JsonNode error = JSON.readTree(refused.body()).path("error");
            assertThat(error.path("field").asText()).as(c[1]).isEqualTo(c[2]);
            assertThat(error.path("message").asText()).as(c[1]).contains(c[3]);
        }
        assertThat(get("/v1/cluster").path("tiers").path("normal").path("mode").asText()).isEqualTo("active");
        assertThat(engine.audit().find(AuditQuery.all()).entries()).noneMatch(e -> e.action().startsWith("cluster."));
    }
}
