package io.queuedeck.engine.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuedeck.engine.clock.SystemClock;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Callback delivery against a real local HTTP receiver (OkHttp MockWebServer). */
class CallbackDispatcherTest {
    /** A Standard Webhooks secret: "whsec_" and the base64 of 32 bytes. */
    static final String SECRET = "whsec_" + java.util.Base64.getEncoder().encodeToString(
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));

    private final SystemClock clock = new SystemClock();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Recorder recorder = new Recorder();
    private MockWebServer receiver;
    private int closedPort;
    private CallbackDispatcher dispatcher;

    /** Remembers what the dispatcher reported, for metrics-style assertions. */
    static final class Recorder implements DeliveryListener {
        final List<Integer> delivered = new CopyOnWriteArrayList<>();
        final List<String> retried = new CopyOnWriteArrayList<>();
        final List<String> dead = new CopyOnWriteArrayList<>();

        @Override
        public void delivered(int attempts, long latencyNanos) {
            delivered.add(attempts);
        }

        @Override
        public void retried(String reason) {
            retried.add(reason);
        }

        @Override
        public void deadLettered(String reason) {
            dead.add(reason);
        }
    }

    /**
     * A dispatcher builder allowed to reach the loopback receivers at these URLs' ports (and only
     * them): loopback is refused unless the allow-list names it.
     */
    static CallbackDispatcher.Builder loopback(SystemClock clock, ScheduledExecutorService scheduler, String... urls) {
        List<String> allowed = new java.util.ArrayList<>();
        for (String url : urls) {
            int port = java.net.URI.create(url).getPort();
            allowed.add("127.0.0.1:" + port);
            allowed.add("localhost:" + port);
        }
        return CallbackDispatcher.builder(clock, scheduler).allowedHosts(allowed);
    }

    @BeforeEach
    void start() throws IOException {
        receiver = new MockWebServer();
        receiver.start(InetAddress.getLoopbackAddress(), 0);
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        dispatcher = loopback(clock, scheduler, url(), "http://127.0.0.1:" + closedPort)
                .maxAttempts(3)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(40))
                .signingSecrets(List.of(SECRET))
                .listener(recorder)
                .jitter(() -> 0.5)
                .build();
    }

    @AfterEach
    void stop() {
        dispatcher.close();
        receiver.close();
        scheduler.shutdownNow();
    }

    static TaskView finished(String id, String url, long now) {
        TaskSpec spec = new TaskSpec(id, "llama-2-7b", "hello", 2, url, "acme", null, null, 8, 2, null);
        return new TaskView(id, spec, TaskState.SUCCEEDED, 2, 0, 1, 0, now - 5_000_000, now - 4_000_000,
                now - 3_000_000, now, 1_000_000, 8, 8, 1, 0, null, "the answer",
                List.of(new Task.Transition(null, TaskState.QUEUED, now - 5_000_000)));
    }

    private String url() {
        return receiver.url("/results").toString();
    }

    @Test
    void pendingBytes_countTheResultsInFlight_untilEachIsDeliveredOrDeadLettered() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(200).bodyDelay(500, TimeUnit.MILLISECONDS).build());
        for (int i = 0; i < 3; i++) {
            receiver.enqueue(new MockResponse.Builder().code(500).build()); // the second: three attempts, then a dead letter
        }
        assertThat(dispatcher.pendingBytes()).isZero();

        dispatcher.deliver(finished("t-held", url(), clock.nanos()));
        dispatcher.deliver(finished("t-dead", url(), clock.nanos()));

        assertThat(dispatcher.pendingBytes()).as("both bodies held while in flight").isGreaterThan(2 * 200);
        assertThat(dispatcher.pendingBytes("acme")).as("all of them the tenant's").isEqualTo(dispatcher.pendingBytes());
        assertThat(dispatcher.pendingBytes("globex")).isZero();
        assertThat(dispatcher.pendingBytes(null)).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.delivered.size() == 1 && recorder.dead.size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.pendingBytes() == 0);
        assertThat(dispatcher.pendingBytes("acme")).isZero();
    }

    @Test
    void deliver_success_postsTheResultOnce() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(200).build());

        dispatcher.deliver(finished("t-1", url(), clock.nanos()));

        RecordedRequest request = receiver.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request).isNotNull();
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getHeaders().get("Content-Type")).startsWith("application/json");
        assertThat(request.getHeaders().get(CallbackDispatcher.IDEMPOTENCY_HEADER)).isEqualTo("t-1");
        JsonNode body = new ObjectMapper().readTree(request.getBody().utf8());
        assertThat(body.get("task_id").asText()).isEqualTo("t-1");
        assertThat(body.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(body.get("output").asText()).isEqualTo("the answer");
        assertThat(body.get("generated_tokens").asInt()).isEqualTo(8);
        assertThat(body.get("attempts").asInt()).isEqualTo(1);
        assertThat(body.has("finished_at")).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.delivered.equals(List.of(1)));
        assertThat(dispatcher.deadLetters()).isEmpty();
        assertThat(dispatcher.inFlight()).isZero();
    }

    /** A receiver may close any connection after its answer: the next callback must not spend an attempt on it. */
    @Test
    void aConnectionTheReceiverClosed_costsNoAttempt() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(500).onResponseEnd(mockwebserver3.SocketEffect.ShutdownConnection.INSTANCE).build());
        receiver.enqueue(new MockResponse.Builder().code(200).onResponseEnd(mockwebserver3.SocketEffect.ShutdownConnection.INSTANCE).build());
        receiver.enqueue(new MockResponse.Builder().code(200).build());

        dispatcher.deliver(finished("t-closed", url(), clock.nanos()));
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.delivered.size() == 1);
        dispatcher.deliver(finished("t-next", url(), clock.nanos()));
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.delivered.size() == 2);

        List<String> attempts = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RecordedRequest request = receiver.takeRequest(5, TimeUnit.SECONDS);
            attempts.add(request.getHeaders().get(CallbackDispatcher.IDEMPOTENCY_HEADER) + "#" + request.getHeaders().get(CallbackDispatcher.ATTEMPT_HEADER));
        }
        assertThat(attempts).containsExactly("t-closed#1", "t-closed#2", "t-next#1");
        assertThat(recorder.delivered).containsExactly(2, 1);
        assertThat(recorder.retried).as("only the 500 was a failed attempt").containsExactly("status_5xx");
    }

    @Test
    void deliver_503ThenSuccess_retriesWithTheSameBodyAndKey() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(503).build());
        receiver.enqueue(new MockResponse.Builder().code(200).build());

        dispatcher.deliver(finished("t-retry", url(), clock.nanos()));

        RecordedRequest first = receiver.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest second = receiver.takeRequest(5, TimeUnit.SECONDS);
        assertThat(second).isNotNull();
        assertThat(second.getBody()).isEqualTo(first.getBody());
        assertThat(second.getHeaders().get(CallbackDispatcher.IDEMPOTENCY_HEADER)).isEqualTo("t-retry");
        assertThat(first.getHeaders().get(CallbackDispatcher.ATTEMPT_HEADER)).isEqualTo("1");
        assertThat(second.getHeaders().get(CallbackDispatcher.ATTEMPT_HEADER)).isEqualTo("2");
        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.delivered.equals(List.of(2)));
        assertThat(recorder.retried).containsExactly("status_5xx");
        assertThat(dispatcher.deadLetters()).isEmpty();
    }

    @Test
    void deliver_400_isFinal_noRetry_deadLettered() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(400).build());
        receiver.enqueue(new MockResponse.Builder().code(200).build());

        dispatcher.deliver(finished("t-400", url(), clock.nanos()));

        assertThat(receiver.takeRequest(5, TimeUnit.SECONDS)).isNotNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> !dispatcher.deadLetters().isEmpty());
        assertThat(receiver.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(receiver.getRequestCount()).isEqualTo(1);
        DeadLetter dead = dispatcher.deadLetters().getFirst();
        assertThat(dead.taskId()).isEqualTo("t-400");
        assertThat(dead.attempts()).isEqualTo(1);
        assertThat(dead.lastError()).isEqualTo("HTTP 400");
        assertThat(recorder.retried).isEmpty();
        assertThat(recorder.dead).containsExactly("status_4xx");
    }

    @Test
    void deliver_aStatusHttpDoesNotDefine_isFinal_notAServerError() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(999).build()); // it was retried as a 5xx
        receiver.enqueue(new MockResponse.Builder().code(200).build());

        dispatcher.deliver(finished("t-999", url(), clock.nanos()));

        await().atMost(Duration.ofSeconds(5)).until(() -> !dispatcher.deadLetters().isEmpty());
        assertThat(receiver.takeRequest(200, TimeUnit.MILLISECONDS)).isNotNull();
        assertThat(receiver.getRequestCount()).isEqualTo(1);
        assertThat(dispatcher.deadLetters().getFirst().lastError()).isEqualTo("HTTP 999 (not a status HTTP defines)");
        assertThat(recorder.retried).isEmpty();
        assertThat(recorder.dead).containsExactly("status_invalid");
    }

    @Test
    void deliver_429WithRetryAfter_waitsThatLong() throws Exception {
        receiver.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "1").build());
        receiver.enqueue(new MockResponse.Builder().code(200).build());

        dispatcher.deliver(finished("t-429", url(), clock.nanos()));

        assertThat(receiver.takeRequest(5, TimeUnit.SECONDS)).isNotNull();
        long firstAt = System.nanoTime();
        assertThat(receiver.takeRequest(5, TimeUnit.SECONDS)).isNotNull();
        long gapMillis = (System.nanoTime() - firstAt) / 1_000_000;
        // the backoff alone would be ~8 ms (10 ms base, half jitter); Retry-After says 1 s, capped at 40 ms here
        assertThat(gapMillis).isGreaterThanOrEqualTo(30);
        assertThat(recorder.retried).containsExactly("status_429");
    }

    @Test
    void deliver_alwaysFailing_deadLettersAfterTheLastAttempt_thenReplayDelivers() throws Exception {
        for (int i = 0; i < 3; i++) {
            receiver.enqueue(new MockResponse.Builder().code(500).build());
        }

        dispatcher.deliver(finished("t-dead", url(), clock.nanos()));

        await().atMost(Duration.ofSeconds(5)).until(() -> !dispatcher.deadLetters().isEmpty());
        assertThat(receiver.getRequestCount()).isEqualTo(3);
        assertThat(dispatcher.deadLetters().getFirst().attempts()).isEqualTo(3);
        assertThat(dispatcher.deadLetters().getFirst().lastError()).isEqualTo("HTTP 500");
        assertThat(recorder.retried).containsExactly("status_5xx", "status_5xx");
        assertThat(recorder.dead).containsExactly("status_5xx");

        receiver.enqueue(new MockResponse.Builder().code(200).build());
        assertThat(dispatcher.replay("t-dead")).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.delivered.size() == 1);
        assertThat(dispatcher.deadLetters()).isEmpty();
        assertThat(dispatcher.replay("t-dead")).isFalse();
    }

    @Test
    void deliver_connectionRefused_retriesThenDeadLetters() throws Exception {
        dispatcher.deliver(finished("t-net", "http://127.0.0.1:" + closedPort + "/cb", clock.nanos()));

        await().atMost(Duration.ofSeconds(10)).until(() -> !dispatcher.deadLetters().isEmpty());
        assertThat(recorder.retried).containsExactly("network", "network");
        assertThat(dispatcher.deadLetters().getFirst().attempts()).isEqualTo(3);
        // in words, not a Java class's name ("ConnectException: Failed to connect to …")
        assertThat(dispatcher.deadLetters().getFirst().lastError()).startsWith("the connection was refused")
                .doesNotContain("Exception");
    }

    @Test
    void networkErrors_areSaidInWords() {
        assertThat(CallbackDispatcher.networkError(new java.net.UnknownHostException("hooks.example.test")))
                .isEqualTo("the host name did not resolve: hooks.example.test");
        assertThat(CallbackDispatcher.networkError(new java.net.SocketTimeoutException("timeout")))
                .isEqualTo("no answer within the timeout");
        assertThat(CallbackDispatcher.networkError(new java.io.EOFException()))
                .isEqualTo("the connection failed");
    }

    @Test
    void deliver_withoutCallbackUrl_sendsNothing() throws Exception {
        dispatcher.deliver(finished("t-none", null, clock.nanos()));

        assertThat(receiver.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(dispatcher.inFlight()).isZero();
    }

    @Test
    void restart_resumesPendingCallbacks_andKeepsDeadLetters() throws Exception {
        DeliveryStore store = DeliveryStore.inMemory();
        String[] both = {url(), "http://127.0.0.1:" + closedPort};
        Recorder before = new Recorder();
        // the first process: its receiver is unreachable, and it stops while a retry waits
        try (CallbackDispatcher first = loopback(clock, scheduler, both).store(store).maxAttempts(5)
                .backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)).listener(before).build()) {
            first.deliver(finished("t-pending", "http://127.0.0.1:" + closedPort + "/cb", clock.nanos()));
            receiver.enqueue(new MockResponse.Builder().code(400).build());
            first.deliver(finished("t-dead", url(), clock.nanos()));
            await().atMost(Duration.ofSeconds(5)).until(() -> before.retried.size() == 1 && before.dead.size() == 1);
        }
        assertThat(store.all()).extracting(DeliveryStore.Delivery::taskId).containsExactly("t-pending", "t-dead");
        receiver.takeRequest(1, TimeUnit.SECONDS); // the 400

        // the pending callback's URL was unreachable: a restarted receiver now listens there
        try (MockWebServer restarted = new MockWebServer()) {
            restarted.start(InetAddress.getLoopbackAddress(), closedPort);
            restarted.enqueue(new MockResponse.Builder().code(200).build());
            Recorder after = new Recorder();
            try (CallbackDispatcher second = loopback(clock, scheduler, both).store(store).maxAttempts(5)
                    .listener(after).build()) {
                assertThat(second.resume()).isEqualTo(1);

                RecordedRequest request = restarted.takeRequest(5, TimeUnit.SECONDS);
                assertThat(request).isNotNull();
                assertThat(request.getHeaders().get(CallbackDispatcher.IDEMPOTENCY_HEADER)).isEqualTo("t-pending");
                assertThat(request.getHeaders().get(CallbackDispatcher.ATTEMPT_HEADER)).isEqualTo("2");
                await().atMost(Duration.ofSeconds(5)).until(() -> after.delivered.equals(List.of(2)));
                assertThat(second.deadLetters()).extracting(DeadLetter::taskId).containsExactly("t-dead");
                assertThat(store.all()).extracting(DeliveryStore.Delivery::taskId).containsExactly("t-dead");
            }
        }
    }

    @Test
    void refusal_enforcesSchemeAndAllowList() {
        try (CallbackDispatcher strict = CallbackDispatcher.builder(clock, scheduler)
                .allowedHosts(java.util.Set.of("hooks.example.com")).build()) {
            assertThat(strict.refusal("https://hooks.example.com/x")).isEmpty();
            assertThat(strict.refusal("https://HOOKS.example.com/x")).isEmpty();
            assertThat(strict.refusal("https://evil.example.com/x")).get().asString().contains("allow-list");
            assertThat(strict.refusal("file:///etc/passwd")).isPresent();
        }
    }
}
