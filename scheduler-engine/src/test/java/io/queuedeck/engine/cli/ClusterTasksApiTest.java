package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ApiServer;
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
import java.util.List;

/**
 * A node's REST API answers for tasks another node holds or ran: reads and changes go to the
 * shared queue in a real redis-server instead of answering 404. Node "b" is a bare shared-queue
 * client, standing for another process.
 */
class ClusterTasksApiTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Engine engine;
    private SharedQueue a;
    private SharedQueue b;
    private ApiServer server;

    @BeforeEach
    void start() {
        engine = Engine.builder().build();
        engine.start();
        a = SharedQueue.redis(REDIS.uri(), "api", "a", Duration.ofMinutes(5), 3, Duration.ofHours(1));
        b = SharedQueue.redis(REDIS.uri(), "api", "b", Duration.ofMinutes(5), 3, Duration.ofHours(1));
        server = ApiServer.builder(engine).port(0).sharedTasks(new io.queuedeck.engine.cluster.ClusterTasks(a)).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
        a.close();
        b.close();
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUri() + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void tasksOtherNodesHold_areReadAndChangedThroughAnyNode_notAnswered404() throws Exception {
        for (String id : List.of("w1", "w2", "held")) {
            b.enqueue(id, TaskSpec.of("m", "hello", 5, 8));
        }
        assertThat(b.claim(1)).extracting(SharedQueue.Claim::id).containsExactly("w1");

        HttpResponse<String> leased = send("GET", "/v1/tasks/w1", null);
        assertThat(leased.statusCode()).isEqualTo(200);
        assertThat(leased.body()).contains("\"state\":\"leased\"", "\"node\":\"b\"", "\"source\":\"shared_queue\"");

        // a waiting task moves in the shared queue: by priority, and before another of its tier
        HttpResponse<String> moved = send("PATCH", "/v1/tasks/held", "{\"priority\": 4}");
        assertThat(moved.statusCode()).isEqualTo(200);
        assertThat(moved.body()).contains("\"priority\":4", "\"state\":\"waiting\"");
        // both at once: 200 with the priority dropped; now refused, naming it
        HttpResponse<String> both = send("PATCH", "/v1/tasks/held", "{\"priority\": 1, \"before\": \"w2\"}");
        assertThat(both.statusCode()).isEqualTo(400);
        assertThat(both.body()).contains("\"field\":\"priority\"", "not both");
        assertThat(send("PATCH", "/v1/tasks/held", "{\"before\": \"w2\"}").statusCode()).isEqualTo(200);
        assertThat(b.claim(1)).extracting(SharedQueue.Claim::id).containsExactly("held");

        // a leased task does not move; its cancel is recorded and reaches its holder at the next heartbeat
        HttpResponse<String> refused = send("PATCH", "/v1/tasks/w1", "{\"priority\": 1}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("\"code\":\"conflict\"", "leased");
        HttpResponse<String> cancelling = send("DELETE", "/v1/tasks/w1", null);
        assertThat(cancelling.statusCode()).isEqualTo(202);
        assertThat(cancelling.body()).contains("\"cancel_requested\":true");
        assertThat(b.beat(List.of("w1", "held")).cancel()).containsExactly("w1");

        HttpResponse<String> cancelled = send("DELETE", "/v1/tasks/w2", null);
        assertThat(cancelled.statusCode()).isEqualTo(200);
        assertThat(cancelled.body()).contains("\"state\":\"cancelled\"");
        assertThat(send("DELETE", "/v1/tasks/w2", null).statusCode()).isEqualTo(409);

        // unknown to the shared queue and to this engine: still 404
        assertThat(send("GET", "/v1/tasks/nowhere", null).statusCode()).isEqualTo(404);
    }

    /** The same body again answers what GET answers: a view made of the shared queue's reply read as negative latencies. */
    @Test
    void aResubmission_andATaskLeasedHereTheEngineDoesNotHold_answerTheSharedRecord_withoutMadeUpTimings() throws Exception {
        java.util.concurrent.ScheduledExecutorService thread = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        io.queuedeck.engine.cluster.ClusterNode node = io.queuedeck.engine.cluster.ClusterNode.builder(engine, a, thread).build();
        try (ApiServer intake = ApiServer.builder(engine).port(0).intake(node::submit)
                .sharedTasks(new io.queuedeck.engine.cluster.ClusterTasks(a)).build().start()) {
            HttpRequest post = HttpRequest.newBuilder(URI.create(intake.baseUri() + "/v1/tasks")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"task_id\":\"again\",\"model\":\"m\",\"input\":\"x\"}")).build();
            assertThat(HTTP.send(post, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
            assertThat(b.claim(1)).extracting(SharedQueue.Claim::id).containsExactly("again");
            b.ackAll(List.of(new SharedQueue.Done("again", io.queuedeck.engine.cluster.SharedQueue.Outcome.SUCCEEDED, "")));

            HttpResponse<String> known = HTTP.send(post, HttpResponse.BodyHandlers.ofString());

            assertThat(known.statusCode()).isEqualTo(200);
            assertThat(known.body()).contains("\"task_id\":\"again\"", "\"source\":\"shared_queue\"", "\"finished_by\":\"b\"")
                    .doesNotContain("ttft_ms").doesNotContain("e2e_ms");

            // A claim Redis carried out after this node stopped waiting for it (Redis stalled) leaves a task
            // leased here that the engine does not hold until the lease runs out: GET said "no task", and the
            // same body again a view with negative latencies. Both answer the shared record.
            HttpRequest orphan = HttpRequest.newBuilder(URI.create(intake.baseUri() + "/v1/tasks")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"task_id\":\"orphan\",\"model\":\"m\",\"input\":\"x\"}")).build();
            assertThat(HTTP.send(orphan, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
            assertThat(a.claim(1)).extracting(SharedQueue.Claim::id).containsExactly("orphan"); // this node's name, not its engine

            HttpResponse<String> read = HTTP.send(HttpRequest.newBuilder(URI.create(intake.baseUri() + "/v1/tasks/orphan")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> again = HTTP.send(orphan, HttpResponse.BodyHandlers.ofString());

            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
            assertThat(read.body()).contains("\"state\":\"leased\"", "\"node\":\"a\"", "\"source\":\"shared_queue\"");
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(again.body()).contains("\"state\":\"leased\"", "\"source\":\"shared_queue\"")
                    .doesNotContain("ttft_ms").doesNotContain("e2e_ms");
        } finally {
            thread.shutdownNow();
        }
    }

    /** distributed.md: while Redis is away the node still answers its reads; a task its engine holds is one. */
    @Test
    void redisAway_aTaskThisEngineHolds_isStillRead_andAnUnknownOneIs503() throws Exception {
        String id = engine.send(new io.queuedeck.engine.command.Command.Submit(TaskSpec.of("llama-2-7b", "here", 5, 8))).join().task().id();
        REDIS.kill();
        try {
            HttpResponse<String> here = send("GET", "/v1/tasks/" + id, null);
            assertThat(here.statusCode()).as(here.body()).isEqualTo(200);
            assertThat(here.body()).contains("\"task_id\":\"" + id + "\"");

            HttpResponse<String> unknown = send("GET", "/v1/tasks/nowhere", null);
            assertThat(unknown.statusCode()).as("maybe in the shared queue: not a 404").isEqualTo(503);
            assertThat(unknown.body()).contains("store_unavailable");
        } finally {
            REDIS.start();
        }
    }
}
