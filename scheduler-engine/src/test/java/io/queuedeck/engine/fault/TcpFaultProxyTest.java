package io.queuedeck.engine.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The proxy in front of a real HTTP server: passes traffic, adds latency, refuses when down, stalls on timeout. */
class TcpFaultProxyTest {
    private final MockWebServer server = new MockWebServer();
    private TcpFaultProxy proxy;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void start() throws IOException {
        server.start();
        proxy = new TcpFaultProxy(new InetSocketAddress(server.getHostName(), server.getPort()), Thread.ofVirtual().factory());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        server.close();
    }

    private HttpResponse<String> get(Duration timeout) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/cb"))
                .timeout(timeout).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void noToxics_relaysTheAnswer() throws Exception {
        server.enqueue(new MockResponse.Builder().body("ok").build());

        assertThat(get(Duration.ofSeconds(5)).body()).isEqualTo("ok");
    }

    @Test
    void latency_delaysTheAnswerByAtLeastIt() throws Exception {
        server.enqueue(new MockResponse.Builder().body("late").build());
        proxy.set(new TcpFaultProxy.Toxics(300, 0, 0, false, false, false));

        long start = System.nanoTime();
        assertThat(get(Duration.ofSeconds(5)).body()).isEqualTo("late");
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(300_000_000L);
    }

    @Test
    void down_refusesConnections_untilCleared() throws Exception {
        proxy.set(new TcpFaultProxy.Toxics(0, 0, 0, false, false, true));
        assertThatThrownBy(() -> get(Duration.ofSeconds(2))).isInstanceOf(IOException.class);

        proxy.set(TcpFaultProxy.Toxics.NONE);
        server.enqueue(new MockResponse.Builder().body("back").build());
        assertThat(get(Duration.ofSeconds(5)).body()).isEqualTo("back");
    }

    @Test
    void timeout_holdsTheData_soTheClientTimesOut() {
        server.enqueue(new MockResponse.Builder().body("never").build());
        proxy.set(new TcpFaultProxy.Toxics(0, 0, 0, true, false, false));

        assertThatThrownBy(() -> get(Duration.ofMillis(500))).isInstanceOf(java.net.http.HttpTimeoutException.class);
    }

    @Test
    void status_answersInTheServersPlace_withRetryAfter_untilCleared() throws Exception {
        server.enqueue(new MockResponse.Builder().body("after").build());
        proxy.set(new TcpFaultProxy.Toxics(0, 0, 0, false, false, false, 429, 3));

        HttpResponse<String> refused = get(Duration.ofSeconds(5));

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("3");
        assertThat(refused.body()).contains("fault proxy: HTTP 429");
        assertThat(server.getRequestCount()).as("the request never reached the server").isZero();

        proxy.set(TcpFaultProxy.Toxics.NONE);
        HttpResponse<String> served = get(Duration.ofSeconds(5));
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.body()).isEqualTo("after");
    }

    @Test
    void status_onAPooledConnection_answersItsNextRequest() throws Exception {
        server.enqueue(new MockResponse.Builder().body("first").build());
        assertThat(get(Duration.ofSeconds(5)).body()).isEqualTo("first"); // the connection stays open for the next

        proxy.set(new TcpFaultProxy.Toxics(0, 0, 0, false, false, false, 503, 0));
        HttpResponse<String> refused = get(Duration.ofSeconds(5));

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isEmpty();
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void status_otherThan429Or5xx_isRefused() {
        assertThatThrownBy(() -> new TcpFaultProxy.Toxics(0, 0, 0, false, false, false, 404, 0))
                .hasMessage("parameters.status: must be 0 (none), 429 or 500..599, got 404");
    }
}
