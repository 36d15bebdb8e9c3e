package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuedeck.engine.CompletionFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ApiServer;
import io.queuedeck.engine.audit.AuditQuery;
import io.queuedeck.engine.cluster.ClusterNode;
import io.queuedeck.engine.cluster.ClusterTasks;
import io.queuedeck.engine.cluster.SharedQueue;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code POST /v1/cluster/nodes/{node}:reclaim} on a real redis-server (decision 0130): a dead node's
 * leases return to the queue at once, each with an attempt counted as an expired lease's is, and
 * another node runs each task once; a live node's leases are refused (409), an unknown node is 404.
 * Before, a dead node's tasks waited for its leases to expire, up to an hour.
 */
class ClusterReclaimApiTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger QUEUES = new AtomicInteger();
    private static final String MODEL = Engine.Builder.DEFAULT_MODEL;

    private final String queue = "reclaim" + QUEUES.incrementAndGet();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private record Node(Engine engine, ClusterNode node, SharedQueue queue, ScheduledExecutorService thread) {}

    private Node node(String name, Duration lease, int capacity) {
        Engine engine = Engine.builder().executor(new SimulatedGpuExecutor(2, MODEL, GpuProfile.LLAMA2_7B_H100)).build();
        SharedQueue shared = SharedQueue.redis(REDIS.uri(), queue, name, lease, 3, Duration.ofHours(1));
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        ClusterNode node = ClusterNode.builder(engine, shared, thread).capacity(capacity).prefetch(0).build();
        CompletionFeed feed = new CompletionFeed(engine, thread).onFinished(node::finished);
        engine.start();
        feed.start(2);
        node.start();
        toClose.add(engine);
        toClose.add(thread::shutdownNow);
        toClose.add(feed);
        toClose.add(node);
        return new Node(engine, node, shared, thread);
    }

    /** The REST API of a node: the operator's way in. */
    private ApiServer api(Node node) {
        ApiServer server = ApiServer.builder(node.engine()).port(0).sharedTasks(new ClusterTasks(node.queue())).build().start();
        toClose.add(server);
        return server;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (RuntimeException e) {
                // already closed by the test
            }
        }
    }

    private static HttpResponse<String> send(ApiServer server, String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUri() + path)).header("X-QueueDeck-Client", "ops")
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static TaskSpec task(String id, int maxTokens) {
        return TaskSpec.of(MODEL, "hello", 5, maxTokens).withTaskId(id);
    }

    @Test
    void aDeadNodesLeases_areReclaimedAtOnce_andEachTaskRunsOnceElsewhere() throws Exception {
        // an hour's lease: only the reclaim can bring these tasks back within this test
        Node dying = node("dying", Duration.ofHours(1), 3);
        for (int i = 0; i < 3; i++) {
            dying.node().submit(task("t" + i, 200)).join(); // a second or two of decoding each
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> dying.queue().depth().equals(new SharedQueue.Depth(0, 3)));
        Node survivor = node("survivor", Duration.ofSeconds(30), 4);
        ApiServer api = api(survivor);

        // alive: its leases are its own
        HttpResponse<String> alive = send(api, "POST", "/v1/cluster/nodes/dying:reclaim");
        assertThat(alive.statusCode()).as(alive.body()).isEqualTo(409);
        assertThat(JSON.readTree(alive.body()).path("error").path("code").asText()).isEqualTo("node_alive");
        assertThat(alive.body()).contains("node 'dying' is alive");
        assertThat(dying.queue().depth()).isEqualTo(new SharedQueue.Depth(0, 3));

        // as a kill -9 would: no heartbeat, no acknowledgement, no release, no leaving from now on
        dying.thread().shutdownNow();
        dying.engine().close();
        // gone once silent for twice its announcement period (1 s) and a second
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (JsonNode n : JSON.readTree(send(api, "GET", "/v1/cluster").body()).path("nodes")) {
                if (n.path("name").asText().equals("dying")) {
                    return n.path("heartbeat_age_ms").asLong() > 3_000;
                }
            }
            return false;
        });

        HttpResponse<String> reclaimed = send(api, "POST", "/v1/cluster/nodes/dying:reclaim");

        assertThat(reclaimed.statusCode()).as(reclaimed.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(reclaimed.body());
        assertThat(answer.path("node").asText()).isEqualTo("dying");
        assertThat(answer.path("outcome").asText()).isEqualTo("reclaimed");
        assertThat(answer.path("reclaimed").asInt()).isEqualTo(3);
        assertThat(answer.path("requeued").asInt()).isEqualTo(3);
        assertThat(answer.path("dead_lettered").asInt()).isZero();
        assertThat(survivor.engine().audit().find(AuditQuery.all()).entries())
                .anyMatch(e -> e.action().equals("cluster.node.reclaim") && e.target().equals("dying") && e.tasks() == 3);

        await().atMost(Duration.ofSeconds(60)).until(() -> survivor.queue().stats().get("acked") == 3);
        for (int i = 0; i < 3; i++) {
            assertThat(survivor.queue().task("t" + i)).containsEntry("state", "succeeded")
                    .containsEntry("finished_by", "survivor").containsEntry("attempts", "1").containsEntry("deliveries", "2");
        }
        assertThat(survivor.queue().stats()).containsEntry("duplicates", 0L).containsEntry("reaped", 3L)
                .containsEntry("reclaimed", 3L);
        assertThat(survivor.node().counters()).containsEntry("acknowledged", 3L).containsEntry("redeliveries", 3L);

        // again: the node is known and holds nothing any more
        HttpResponse<String> again = send(api, "POST", "/v1/cluster/nodes/dying:reclaim");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).path("reclaimed").asInt()).isZero();
    }

    @Test
    void aNodeTheQueueDoesNotKnow_is404_andAnActionOtherThanReclaimToo() throws Exception {
        Node survivor = node("survivor", Duration.ofSeconds(30), 1);
        ApiServer api = api(survivor);

        HttpResponse<String> unknown = send(api, "POST", "/v1/cluster/nodes/nobody:reclaim");
        assertThat(unknown.statusCode()).isEqualTo(404);
        JsonNode error = JSON.readTree(unknown.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("not_found");
        assertThat(error.path("message").asText()).contains("no node 'nobody'");

        assertThat(send(api, "POST", "/v1/cluster/nodes/survivor:restart").statusCode()).isEqualTo(404);
        assertThat(send(api, "POST", "/v1/cluster/nodes/survivor").statusCode()).isEqualTo(404);
        // the node answering is alive too
        assertThat(send(api, "POST", "/v1/cluster/nodes/survivor:reclaim").statusCode()).isEqualTo(409);
        assertThat(survivor.engine().audit().find(AuditQuery.all()).entries())
                .noneMatch(e -> e.action().equals("cluster.node.reclaim"));
    }
}
