package io.queuedeck.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.callback.CallbackDispatcher;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskSpecValidator;
import io.queuedeck.engine.testing.RedisServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tasks that end in the shared queue itself, not on a node that ran them, call back like any
 * other (decision 0117): a real redis-server, nodes with simulated GPUs and their own callback
 * dispatchers, and a real HTTP receiver.
 */
class EndedCallbacksTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final AtomicInteger QUEUES = new AtomicInteger();
    private static final String MODEL = Engine.Builder.DEFAULT_MODEL;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String queue = "e" + QUEUES.incrementAndGet();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private MockWebServer receiver;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = new MockWebServer();
        receiver.start(InetAddress.getLoopbackAddress(), 0);
        toClose.add(receiver);
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

    /** A node whose callback dispatcher sends the callbacks of tasks that ended in the queue. */
    private ClusterNode node(String name, Duration lease, int maxAttempts) {
        Engine engine = Engine.builder().executor(new SimulatedGpuExecutor(2, MODEL, GpuProfile.LLAMA2_7B_H100)).build();
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        CallbackDispatcher callbacks = CallbackDispatcher.builder(engine.clock(), thread)
                .backoff(Duration.ofMillis(5), Duration.ofMillis(20))
                .allowedHosts(List.of("127.0.0.1:" + receiver.getPort(), "localhost:" + receiver.getPort()))
                .build();
        SharedQueue shared = SharedQueue.redis(REDIS.uri(), queue, name, lease, maxAttempts, Duration.ofHours(1));
        ClusterNode node = ClusterNode.builder(engine, shared, thread).build().callBackEnded(callbacks::deliver, callbacks::flush);
        engine.start();
        node.start();
        toClose.add(engine);
        toClose.add(thread::shutdownNow);
        toClose.add(callbacks);
        toClose.add(node);
        return node;
    }

    /** A client of the queue that is no node: it queues, cancels and claims by hand. */
    private SharedQueue handle(String name, Duration lease) {
        SharedQueue shared = SharedQueue.redis(REDIS.uri(), queue, name, lease, 3, Duration.ofHours(1));
        toClose.add(shared);
        return shared;
    }

    private TaskSpec task(String id, String model, boolean callBack) {
        return TaskSpecValidator.validate(new TaskSpec(id, model, "hello", 5, callBack ? receiver.url("/hook").toString() : null,
                null, null, null, 8, null, null), () -> id);
    }

    private void answerOk(int times) {
        for (int i = 0; i < times; i++) {
            receiver.enqueue(new MockResponse.Builder().code(200).build());
        }
    }

    private JsonNode callback() throws Exception {
        RecordedRequest request = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertThat(request).as("a callback").isNotNull();
        JsonNode body = JSON.readTree(request.getBody().utf8());
        assertThat(request.getHeaders().get(CallbackDispatcher.IDEMPOTENCY_HEADER)).isEqualTo(body.get("task_id").asText());
        return body;
    }

    @Test
    void aTaskCancelledWhileItWaits_callsBack_andOneRetriedSinceDoesNot() throws Exception {
        answerOk(2);
        SharedQueue client = handle("client", Duration.ofSeconds(30));
        client.enqueue("gone", task("gone", MODEL, true));
        client.enqueue("again", task("again", MODEL, true));
        client.enqueue("silent", task("silent", MODEL, false));
        assertThat(client.cancel("gone")).isEqualTo("cancelled");
        assertThat(client.cancel("again")).isEqualTo("cancelled");
        assertThat(client.cancel("silent")).isEqualTo("cancelled");
        assertThat(client.retry("again")).isEqualTo("retried"); // it waits again: its cancel is no longer its end

        ClusterNode node = node("a", Duration.ofSeconds(30), 3);

        JsonNode body = callback();
        assertThat(body.get("task_id").asText()).isEqualTo("gone");
        assertThat(body.get("state").asText()).isEqualTo("CANCELLED");
        assertThat(body.get("submitted_at").asText()).isNotBlank();
        // it ended before this process started: its times are still told (they read as "not yet" before)
        assertThat(body.path("finished_at").asText()).isNotBlank();
        assertThat(body.path("e2e_ms").isNumber()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> node.counters().get("ended_callbacks") == 2); // gone and silent
        assertThat(receiver.takeRequest(500, TimeUnit.MILLISECONDS)).as("no second callback").isNull();
    }

    @Test
    void aTaskRefusedByTheNodeThatClaimedIt_callsBackFailed_withTheReason() throws Exception {
        answerOk(1);
        ClusterNode node = node("a", Duration.ofSeconds(30), 3);

        node.submit(task("elsewhere", "a-model-no-node-serves", true)).join();

        JsonNode body = callback();
        assertThat(body.get("task_id").asText()).isEqualTo("elsewhere");
        assertThat(body.get("state").asText()).isEqualTo("FAILED");
        assertThat(body.get("error").asText()).startsWith("refused by node a: ");
    }

    @Test
    void aTaskDeadLetteredByTheReaper_callsBackWithItsAttempts() throws Exception {
        answerOk(1);
        SharedQueue ghost = handle("ghost", Duration.ofMillis(200)); // claims and never beats: it died
        ghost.enqueue("orphan", task("orphan", MODEL, true));
        assertThat(ghost.claim(1)).extracting(SharedQueue.Claim::id).containsExactly("orphan");

        node("a", Duration.ofSeconds(30), 1); // its reaper counts the expired lease: the last attempt

        JsonNode body = callback();
        assertThat(body.get("task_id").asText()).isEqualTo("orphan");
        assertThat(body.get("state").asText()).isEqualTo("DEAD_LETTERED");
        assertThat(body.get("attempts").asInt()).isEqualTo(1);
    }

    /**
     * A task cancelled, retried and then run by a node ends with that node's own callback: the
     * entry its cancel left in the list sends nothing (it would have been a second, stale one).
     */
    @Test
    void aTaskRetriedAndRunSinceItsCancel_getsNoCallbackForTheCancel() throws Exception {
        answerOk(2);
        SharedQueue client = handle("client", Duration.ofSeconds(30));
        client.enqueue("rerun", task("rerun", MODEL, true));
        client.enqueue("marker", task("marker", MODEL, true));
        assertThat(client.cancel("rerun")).isEqualTo("cancelled");
        assertThat(client.retry("rerun")).isEqualTo("retried"); // back in its old place, before the marker
        assertThat(client.claim(1)).extracting(SharedQueue.Claim::id).containsExactly("rerun");
        client.ack("rerun", SharedQueue.Outcome.SUCCEEDED, null); // its runner sends its callback, not the list
        assertThat(client.cancel("marker")).isEqualTo("cancelled"); // listed after the cancel of "rerun"

        ClusterNode node = node("a", Duration.ofSeconds(30), 3);

        assertThat(callback().get("task_id").asText()).isEqualTo("marker");
        assertThat(receiver.takeRequest(500, TimeUnit.MILLISECONDS)).as("no callback for the cancel").isNull();
        assertThat(node.counters().get("ended_callbacks")).isEqualTo(1);
    }

    /** Handed on after the node started (serve does so once its dispatcher has started): the job starts then. */
    @Test
    void callbacksHandedOnAfterTheNodeStarted_goOut() throws Exception {
        answerOk(1);
        SharedQueue client = handle("client", Duration.ofSeconds(30));
        client.enqueue("after", task("after", MODEL, true));
        assertThat(client.cancel("after")).isEqualTo("cancelled");
        Engine engine = Engine.builder().executor(new SimulatedGpuExecutor(1, MODEL, GpuProfile.LLAMA2_7B_H100)).build();
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        CallbackDispatcher callbacks = CallbackDispatcher.builder(engine.clock(), thread)
                .allowedHosts(List.of("127.0.0.1:" + receiver.getPort(), "localhost:" + receiver.getPort())).build();
        SharedQueue shared = SharedQueue.redis(REDIS.uri(), queue, "a", Duration.ofSeconds(30), 3, Duration.ofHours(1));
        ClusterNode node = ClusterNode.builder(engine, shared, thread).build();
        toClose.add(engine);
        toClose.add(thread::shutdownNow);
        toClose.add(callbacks);
        toClose.add(node);
        engine.start();
        node.start();

        node.callBackEnded(callbacks::deliver, callbacks::flush);

        assertThat(callback().get("task_id").asText()).isEqualTo("after");
    }

    /**
     * A node whose callback dispatcher has closed (a stop under way, an API that failed to start)
     * leaves what it took in Redis: the next process of its name sends it, none is dropped.
     */
    @Test
    void aBatchTakenWhileTheDispatcherIsClosed_staysInRedis_andGoesOutFromTheNextProcess() throws Exception {
        answerOk(1);
        SharedQueue client = handle("client", Duration.ofSeconds(30));
        client.enqueue("late", task("late", MODEL, true));
        assertThat(client.cancel("late")).isEqualTo("cancelled");
        Engine engine = Engine.builder().executor(new SimulatedGpuExecutor(1, MODEL, GpuProfile.LLAMA2_7B_H100)).build();
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        CallbackDispatcher closed = CallbackDispatcher.builder(engine.clock(), thread).build();
        closed.close();
        SharedQueue shared = SharedQueue.redis(REDIS.uri(), queue, "a", Duration.ofSeconds(30), 3, Duration.ofHours(1));
        ClusterNode first = ClusterNode.builder(engine, shared, thread).build().callBackEnded(closed::deliver, closed::flush);
        engine.start();
        first.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> first.counters().get("ended_callbacks") > 0); // taken, dropped
        first.close();
        engine.close();
        thread.shutdownNow();

        node("a", Duration.ofSeconds(30), 3);

        assertThat(callback().get("task_id").asText()).isEqualTo("late");
    }

    /**
     * A node that took callbacks from the shared list and stopped before its store held them sends
     * them when a process of its name starts again: none is lost with the node.
     */
    @Test
    void callbacksANodeTookAndNeverSettled_goOutWhenItsNameStartsAgain() throws Exception {
        answerOk(1);
        SharedQueue before = SharedQueue.redis(REDIS.uri(), queue, "a", Duration.ofSeconds(30), 3, Duration.ofHours(1));
        before.enqueue("taken", task("taken", MODEL, true));
        assertThat(before.cancel("taken")).isEqualTo("cancelled");
        assertThat(before.owed(10)).extracting(SharedQueue.Ended::id).containsExactly("taken"); // then it stops
        before.leave();
        before.close();

        node("a", Duration.ofSeconds(30), 3);

        assertThat(callback().get("task_id").asText()).isEqualTo("taken");
    }

    /**
     * A node that took callbacks and stopped for good (its name never starts again) does not keep
     * them: once it has been silent for twice its announcement period and a second, another node
     * hands its batch back to the shared list and sends it.
     */
    @Test
    void callbacksANodeGoneForGoodTook_goOutFromAnotherNode() throws Exception {
        answerOk(1);
        SharedQueue gone = SharedQueue.redis(REDIS.uri(), queue, "gone", Duration.ofSeconds(30), 3, Duration.ofHours(1));
        gone.enqueue("stranded", task("stranded", MODEL, true));
        assertThat(gone.cancel("stranded")).isEqualTo("cancelled");
        assertThat(gone.owed(10)).extracting(SharedQueue.Ended::id).containsExactly("stranded");
        gone.close(); // as a kill: no leave, its name stays claimed and falls silent

        node("a", Duration.ofSeconds(30), 3);

        assertThat(callback().get("task_id").asText()).isEqualTo("stranded"); // within 10 s: silent after 3
    }

    /** Two nodes take from one list: every task that ended calls back once, whichever node sends it. */
    @Test
    void twoNodes_sendEveryEndedTasksCallbackExactlyOnce() throws Exception {
        int tasks = 200;
        answerOk(tasks);
        SharedQueue client = handle("client", Duration.ofSeconds(30));
        for (int i = 0; i < tasks; i++) {
            client.enqueue("t" + i, task("t" + i, MODEL, true));
            assertThat(client.cancel("t" + i)).isEqualTo("cancelled");
        }

        ClusterNode a = node("a", Duration.ofSeconds(30), 3);
        ClusterNode b = node("b", Duration.ofSeconds(30), 3);

        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < tasks; i++) {
            seen.merge(callback().get("task_id").asText(), 1, Integer::sum);
        }
        assertThat(seen).hasSize(tasks).allSatisfy((id, times) -> assertThat(times).as(id).isEqualTo(1));
        // a node counts a batch once its store has it, which may follow the receiver's first sight of it
        await().atMost(Duration.ofSeconds(10)).until(() -> a.counters().get("ended_callbacks") + b.counters().get("ended_callbacks") == tasks);
        assertThat(receiver.takeRequest(500, TimeUnit.MILLISECONDS)).as("no callback twice").isNull();
    }
}
