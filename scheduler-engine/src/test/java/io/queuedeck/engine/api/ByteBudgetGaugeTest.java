package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

/**
 * The byte budget's gauge beside its limit is the sum the limit is checked against: with results
 * waiting for a receiver that does not answer, it read a few KB while submissions got 429.
 */
class ByteBudgetGaugeTest {

    @Test
    void resultsOfCallbacksInFlight_areInTheGauge_andInTheirOwn() throws Exception {
        Engine engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        engine.start();
        try (MockWebServer receiver = new MockWebServer()) {
            receiver.start(InetAddress.getLoopbackAddress(), 0);
            receiver.enqueue(new MockResponse.Builder().code(200).headersDelay(20, TimeUnit.SECONDS).build()); // answers late
            String hook = receiver.url("/hook").toString();
            ApiService service = ApiService.create(engine, server -> server.port(0),
                    callbacks -> callbacks.allowedHosts(List.of("127.0.0.1:" + receiver.getPort(), "localhost:" + receiver.getPort())))
                    .start();
            try {
                Http http = new Http(service.baseUri());
                StringBuilder metadata = new StringBuilder("{");
                for (int i = 0; i < 16; i++) { // 16 values of 1,000 characters: about 32 KB counted
                    metadata.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"").append("v".repeat(1_000)).append('"');
                }
                metadata.append('}');
                assertThat(http.post("/v1/tasks", "{\"model\":\"llama-2-7b\",\"input\":\"x\",\"max_tokens\":1,\"callback_url\":\""
                        + hook + "\",\"metadata\":" + metadata + "}").status()).isEqualTo(202);
                assertThat(receiver.takeRequest(30, TimeUnit.SECONDS)).as("the callback is on its way").isNotNull();

                await().atMost(Duration.ofSeconds(10)).until(() -> gauge(http, "queuedeck_callback_pending_bytes") > 10_000);
                assertThat(gauge(http, "queuedeck_queued_body_bytes"))
                        .isGreaterThanOrEqualTo(gauge(http, "queuedeck_callback_pending_bytes"));
            } finally {
                service.shutdown(Duration.ofSeconds(1), new CountDownLatch(1));
            }
        } finally {
            engine.close();
        }
    }

    private static double gauge(Http http, String name) {
        return http.get("/metrics").body().lines().filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1))).findFirst().orElse(-1);
    }
}
