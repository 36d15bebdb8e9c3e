package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.CompletionFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.callback.CallbackDispatcher;
import io.queuedeck.engine.fault.BlastRadius;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultClock;
import io.queuedeck.engine.fault.FaultKind;
import io.queuedeck.engine.fault.FaultSpec;
import io.queuedeck.engine.fault.TcpFaultProxy;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A callback receiver behind the TCP fault proxy goes down: the callback is retried, nothing
 * reaches the receiver while the fault acts, and once it is cleared the result arrives, once.
 */
class CallbackOutageTest {

    @Test
    void receiverDown_callbackRetried_deliveredOnceWhenCleared() throws Exception {
        ScheduledExecutorService threads = Executors.newScheduledThreadPool(2);
        MockWebServer receiver = new MockWebServer();
        receiver.start(InetAddress.getLoopbackAddress(), 0);
        TcpFaultProxy proxy = new TcpFaultProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), receiver.getPort()),
                Thread.ofVirtual().factory());
        Engine engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        CallbackDispatcher callbacks = CallbackDispatcher.builder(engine.clock(), threads)
                .maxAttempts(50)
                .backoff(Duration.ofMillis(20), Duration.ofMillis(100))
                .allowedHosts(List.of("127.0.0.1:" + proxy.port()))
                .build();
        CompletionFeed feed = new CompletionFeed(engine, threads).onFinished(callbacks::deliver);
        engine.start();
        feed.start(1);
        FaultCatalogue faults = new FaultCatalogue(engine, FaultClock.live(threads, System::nanoTime), () -> 0);
        faults.registerProxy("callbacks", proxy);
        ApiServer server = ApiServer.builder(engine).port(0).callbacks(callbacks).faults(faults).build().start();
        try {
            Http http = new Http(server.baseUri());
            String fault = faults.inject(new FaultSpec(FaultKind.NETWORK, new BlastRadius(BlastRadius.Scope.BACKEND, "callbacks"),
                    Map.of("down", 1.0), null)).id();
            receiver.enqueue(new MockResponse.Builder().code(200).build());

            assertThat(http.post("/v1/tasks", "{\"task_id\":\"cb\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":4,"
                    + "\"callback_url\":\"http://127.0.0.1:" + proxy.port() + "/hook\"}").status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> "SUCCEEDED".equals(http.get("/v1/tasks/cb").json().get("state").asText()));
            assertThat(receiver.takeRequest(300, TimeUnit.MILLISECONDS)).as("nothing gets through a down proxy").isNull();

            faults.clear(fault);

            RecordedRequest delivered = receiver.takeRequest(10, TimeUnit.SECONDS);
            assertThat(delivered).isNotNull();
            assertThat(delivered.getHeaders().get("Idempotency-Key")).isEqualTo("cb");
            assertThat(receiver.takeRequest(300, TimeUnit.MILLISECONDS)).as("delivered once").isNull();
        } finally {
            server.close();
            feed.close();
            engine.close();
            callbacks.close();
            proxy.close();
            receiver.close();
            threads.shutdownNow();
        }
    }
}
