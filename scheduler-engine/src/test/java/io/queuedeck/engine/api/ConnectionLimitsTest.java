package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connection floods (decision 0087): headers that trickle in are cut at their deadline, and open
 * connections are capped, the rest waiting in the backlog. Raw sockets on loopback against the
 * real server.
 */
class ConnectionLimitsTest {
    private static final Duration HEADERS_DEADLINE = Duration.ofMillis(1_000);

    private Engine engine;
    private ApiServer server;
    private final List<Socket> sockets = new ArrayList<>();

    private void start(int maxConnections, Duration headersDeadline) {
        engine = Engine.builder().build();
        engine.start();
        server = ApiServer.builder(engine).port(0).bodyTimeout(headersDeadline).maxConnections(maxConnections).build().start();
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        server.close();
        engine.close();
    }

    private Socket open() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        socket.setSoTimeout(100);
        sockets.add(socket);
        return socket;
    }

    /** True once the server closed the connection (end of stream or a reset); false while it is open. */
    private static boolean closedByServer(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void headersThatTrickle_areCutAtTheDeadline_thoughEveryLineRestartsTheIdleTimeout() throws IOException {
        start(1_000, HEADERS_DEADLINE);
        Socket slow = open();
        OutputStream out = slow.getOutputStream();
        out.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
        long started = System.nanoTime();

        // a header line every 100 ms: never idle, never done
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try {
                out.write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException closed) {
                return true;
            }
            return closedByServer(slow);
        });

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(HEADERS_DEADLINE);
    }

    @Test
    void aRequestInTime_isAnswered_andItsKeptAliveConnectionStaysOpenPastTheFirstDeadline() throws IOException {
        start(1_000, HEADERS_DEADLINE);
        Socket socket = open();
        socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        StringBuilder answer = new StringBuilder();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            try {
                int b;
                while ((b = socket.getInputStream().read()) >= 0) {
                    answer.append((char) b);
                }
            } catch (SocketTimeoutException more) {
                // read what came
            }
            return answer.toString().contains("\r\n\r\n");
        });
        assertThat(answer.toString()).startsWith("HTTP/1.1 200");
        long answered = System.nanoTime();

        // between requests the connector's idle timeout (30 s) applies, not the first request's deadline
        await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() - answered > 2 * HEADERS_DEADLINE.toNanos());
        assertThat(closedByServer(socket)).isFalse();
    }

    @Test
    void openConnections_areCapped_andTheNextIsServedWhenOneCloses() throws Exception {
        start(2, Duration.ofSeconds(30)); // the two idle connections keep their places while the test looks
        Socket first = open();
        open();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        CompletableFuture<HttpResponse<String>> third = client.sendAsync(
                HttpRequest.newBuilder(URI.create(server.baseUri() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());

        // while two connections are open the third waits in the backlog, unanswered
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !third.isDone());
        first.close();

        assertThat(third.get(5, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
}
