package io.queuedeck.engine.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.clock.SystemClock;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart as {@code serve --data-dir} goes through it: the dispatcher and its durable store are
 * closed, a new store opens the same directory, a new dispatcher resumes. Everything real: the
 * MVStore file and local HTTP receivers.
 */
class DurableRestartTest {
    private final SystemClock clock = new SystemClock();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @TempDir
    Path dataDir;

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void pendingCallback_receiverDownThen503ThenUp_isDeliveredAfterRestart() throws Exception {
        int port = freePort(); // nothing listens there yet: the receiver is down
        String url = "http://127.0.0.1:" + port + "/cb";
        CallbackDispatcherTest.Recorder before = new CallbackDispatcherTest.Recorder();
        DeliveryStore firstStore = DeliveryStore.durable(dataDir);
        try (CallbackDispatcher first = CallbackDispatcherTest.loopback(clock, scheduler, url).store(firstStore).maxAttempts(5)
                .backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)).listener(before).build()) {
            first.deliver(CallbackDispatcherTest.finished("t-pending", url, clock.nanos()));
            await().atMost(Duration.ofSeconds(5)).until(() -> before.retried.equals(List.of("network")));
        }
        firstStore.close(); // the process stops while the retry waits 30 s

        try (MockWebServer receiver = new MockWebServer();
             DeliveryStore secondStore = DeliveryStore.durable(dataDir)) {
            receiver.start(InetAddress.getLoopbackAddress(), port);
            receiver.enqueue(new MockResponse.Builder().code(503).build());
            receiver.enqueue(new MockResponse.Builder().code(200).build());
            CallbackDispatcherTest.Recorder after = new CallbackDispatcherTest.Recorder();
            try (CallbackDispatcher second = CallbackDispatcherTest.loopback(clock, scheduler, url).store(secondStore)
                    .maxAttempts(5).backoff(Duration.ofMillis(10), Duration.ofMillis(20)).listener(after).build()) {
                assertThat(second.resume()).isEqualTo(1);

                RecordedRequest refused = receiver.takeRequest(5, TimeUnit.SECONDS);
                RecordedRequest accepted = receiver.takeRequest(5, TimeUnit.SECONDS);
                assertThat(refused.getHeaders().get(CallbackDispatcher.ATTEMPT_HEADER)).isEqualTo("2");
                assertThat(accepted.getHeaders().get(CallbackDispatcher.ATTEMPT_HEADER)).isEqualTo("3");
                assertThat(accepted.getHeaders().get(CallbackDispatcher.IDEMPOTENCY_HEADER)).isEqualTo("t-pending");
                assertThat(accepted.getBody()).isEqualTo(refused.getBody());
                await().atMost(Duration.ofSeconds(5)).until(() -> after.delivered.equals(List.of(3)));
                assertThat(after.retried).containsExactly("status_5xx");
                assertThat(secondStore.all()).isEmpty();
            }
        }
        try (DeliveryStore third = DeliveryStore.durable(dataDir)) {
            assertThat(third.all()).as("delivered: nothing left for a third start").isEmpty();
        }
    }

    @Test
    void deadLetter_isListedAfterRestart_andReplayDelivers() throws Exception {
        try (MockWebServer receiver = new MockWebServer()) {
            receiver.start(InetAddress.getLoopbackAddress(), 0);
            String url = receiver.url("/results").toString();
            receiver.enqueue(new MockResponse.Builder().code(400).build());
            CallbackDispatcherTest.Recorder before = new CallbackDispatcherTest.Recorder();
            DeliveryStore firstStore = DeliveryStore.durable(dataDir);
            try (CallbackDispatcher first = CallbackDispatcherTest.loopback(clock, scheduler, url).store(firstStore)
                    .listener(before).build()) {
                first.deliver(CallbackDispatcherTest.finished("t-dead", url, clock.nanos()));
                await().atMost(Duration.ofSeconds(5)).until(() -> first.deadLetters().size() == 1);
            }
            firstStore.close();
            RecordedRequest original = receiver.takeRequest(5, TimeUnit.SECONDS);

            receiver.enqueue(new MockResponse.Builder().code(204).build());
            CallbackDispatcherTest.Recorder after = new CallbackDispatcherTest.Recorder();
            try (DeliveryStore secondStore = DeliveryStore.durable(dataDir);
                 CallbackDispatcher second = CallbackDispatcherTest.loopback(clock, scheduler, url).store(secondStore)
                         .listener(after).build()) {
                assertThat(second.resume()).as("a dead letter is not resent by itself").isZero();
                assertThat(second.deadLetters()).singleElement().satisfies(dead -> {
                    assertThat(dead.taskId()).isEqualTo("t-dead");
                    assertThat(dead.url()).isEqualTo(url);
                    assertThat(dead.attempts()).isEqualTo(1);
                    assertThat(dead.lastError()).isEqualTo("HTTP 400");
                    assertThat(dead.failedAt()).isNotNull();
                });

                assertThat(second.replay("t-dead")).isTrue();

                RecordedRequest replayed = receiver.takeRequest(5, TimeUnit.SECONDS);
                assertThat(replayed.getBody()).isEqualTo(original.getBody());
                assertThat(replayed.getHeaders().get(CallbackDispatcher.ATTEMPT_HEADER)).isEqualTo("1");
                await().atMost(Duration.ofSeconds(5)).until(() -> after.delivered.equals(List.of(1)));
                assertThat(second.deadLetters()).isEmpty();
                assertThat(secondStore.all()).isEmpty();
            }
        }
    }
}
