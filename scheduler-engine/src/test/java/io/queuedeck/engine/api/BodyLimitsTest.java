package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.metrics.EngineMetrics;
import io.queuedeck.engine.task.TaskState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bodies that lie about their length, trickle, or arrive together: read as they come, cut at
 * their deadline, capped in sum. Raw sockets on loopback against the real server.
 */
class BodyLimitsTest {
    private static final Duration BODY_TIMEOUT = Duration.ofMillis(1_500);
    private static final long MAX_BODY = 64 * 1024;
    /** The least the cap may be: one batch at its limit. */
    private static final long IN_FLIGHT = MAX_BODY * Routes.BATCH_BODY_FACTOR;
    /** Counted bytes of one queued task with a 1,000-character input and no metadata. */
    private static final long TASK_BYTES = 2 * 1_000 + 1_024;

    private Engine engine;
    private ApiServer server;
    private EngineMetrics metrics;
    private Http http;

    @BeforeEach
    void start() {
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).maxQueuedBytes(3 * TASK_BYTES).build();
        engine.start();
        metrics = new EngineMetrics(engine::latestSnapshot);
        metrics.queuedBodyBytes(engine::queuedBodyBytes, () -> 0, engine.maxQueuedBytes());
        server = ApiServer.builder(engine).port(0).metrics(metrics)
                .bodyTimeout(BODY_TIMEOUT).maxBodyBytes(MAX_BODY).maxInFlightBodyBytes(IN_FLIGHT).build().start();
        http = new Http(server.baseUri());
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
    }

    private static String task(String id, int chars) {
        return "{\"task_id\":\"" + id + "\",\"model\":\"llama-2-7b\",\"input\":\"" + "x".repeat(chars) + "\",\"max_tokens\":4}";
    }

    private Socket open() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        socket.setSoTimeout(15_000);
        return socket;
    }

    private static void head(Socket socket, String path, long contentLength) throws IOException {
        socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + contentLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** Reads everything the server sends until it closes the connection; fails if it does not within the timeout. */
    private static String readUntilClosed(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        try {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                all.write(chunk, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open; got so far: " + all, e);
        } catch (IOException e) {
            // a reset after the answer is a close too
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    /**
     * A submission whose body is still arriving when the server begins to stop gets its answer (503
     * shutting_down, nothing queued) at its next bytes, not a connection cut at the close.
     */
    @Test
    void bodyStillArrivingWhenTheStopBegins_is503ShuttingDown_andNothingIsQueued() throws Exception {
        String body = task("late", 100);
        try (Socket socket = open()) {
            head(socket, "/v1/tasks", body.length());
            socket.getOutputStream().write(body.substring(0, 20).getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            await().atMost(Duration.ofSeconds(5)).until(() -> server.inFlight() == 1);

            server.drain();
            socket.getOutputStream().write(body.substring(20, 40).getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            String answer = readUntilClosed(socket);
            assertThat(answer).startsWith("HTTP/1.1 503").contains("\"shutting_down\"").contains("Retry-After: 1");
        }
        assertThat(http.get("/v1/tasks/late").status()).isEqualTo(404);
    }

    /**
     * A chunk size that is not hex is a malformed request, not a client gone mid-body: the client is
     * still connected and reads the answer, which says what is wrong with the body.
     */
    @Test
    void aMalformedChunk_is400BadRequest_notBodyIncomplete_andNothingIsQueued() throws Exception {
        String body = task("badchunk", 100);
        try (Socket socket = open()) {
            socket.getOutputStream().write(("POST /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + body + "\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            String answer = readUntilClosed(socket);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("\"bad_request\"")
                    .contains("the chunked body is malformed after 0 bytes").doesNotContain("body_incomplete");
        }
        assertThat(http.get("/v1/tasks/badchunk").status()).isEqualTo(404);
        assertThat(http.get("/metrics").body()).doesNotContain("queuedeck_api_rejected_total{reason=\"body_incomplete\"}");
    }

    /**
     * A client that ends its side of the connection mid-body is answered (if it still reads) and
     * counted as {@code body_incomplete}, not as a malformed request; nothing is queued.
     */
    @Test
    void connectionEndedMidBody_is400BodyIncomplete_countedApart_andNothingIsQueued() throws Exception {
        String body = task("cut", 100);
        try (Socket socket = open()) {
            head(socket, "/v1/tasks", body.length());
            socket.getOutputStream().write(body.substring(0, 30).getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            socket.shutdownOutput();

            String answer = readUntilClosed(socket);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("\"body_incomplete\"")
                    .contains("after 30 bytes of the body, of the " + body.length() + " that Content-Length announced");
        }
        assertThat(http.get("/v1/tasks/cut").status()).isEqualTo(404);
        assertThat(http.get("/metrics").body()).contains("queuedeck_api_rejected_total{reason=\"body_incomplete\"} 1.0")
                .doesNotContain("queuedeck_api_rejected_total{reason=\"bad_request\"}");
    }

    @Test
    void lyingContentLength_manyConnections_eachCutWith408_andTheServerStillAnswers() throws Exception {
        // Each declares a batch at its limit and sends 10 bytes. Read as bytes come, they hold 10
        // bytes each, not what they declare (at the default limits, 100 of them once took 1.6 GB).
        List<Socket> liars = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                Socket socket = open();
                head(socket, "/v1/tasks:batch", MAX_BODY * Routes.BATCH_BODY_FACTOR);
                socket.getOutputStream().write("{\"tasks\":[".getBytes(StandardCharsets.US_ASCII));
                liars.add(socket);
            }
            assertThat(http.post("/v1/tasks", task("honest", 10)).status()).isEqualTo(202);
            for (Socket socket : liars) {
                String answer = readUntilClosed(socket);
                assertThat(answer).startsWith("HTTP/1.1 408").contains("Connection: close")
                        .contains("\"code\":\"request_timeout\"");
            }
        } finally {
            for (Socket socket : liars) {
                socket.close();
            }
        }
        assertThat(http.get("/healthz").status()).isEqualTo(200);
    }

    /**
     * Jetty held a request whose body had not begun until its first byte or the connection's idle
     * timeout (30 s): a sender that stalled before its first byte got its 408 after 30 s, not after the
     * body timeout docs/api/README.md ("Limits") gives it.
     */
    @Test
    void aSenderThatStallsBeforeItsFirstBodyByte_gets408AtTheBodyTimeout_notAtTheIdleTimeout() throws Exception {
        try (Socket socket = open()) {
            head(socket, "/v1/tasks", 1_000);
            long started = System.nanoTime();
            String answer = readUntilClosed(socket);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(answer).startsWith("HTTP/1.1 408").contains("Connection: close").contains("did not arrive within 1500 ms");
            assertThat(took).isBetween(BODY_TIMEOUT.minusMillis(100), BODY_TIMEOUT.plusSeconds(3));
        }
        assertThat(http.get("/healthz").status()).isEqualTo(200);
    }

    /**
     * "A declared Content-Length over it is refused before reading": the 413 goes out while the client
     * still holds its body back, as an HTTP/1.1 client without Expect: 100-continue may; it waited for
     * the first byte of the body (or 30 s) before.
     */
    @Test
    void aDeclaredLengthOverTheLimit_is413AtOnce_beforeAnyOfTheBodyIsSent() throws Exception {
        try (Socket socket = open()) {
            head(socket, "/v1/tasks", MAX_BODY + 1);
            long started = System.nanoTime();
            String answer = readUntilClosed(socket);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(answer).startsWith("HTTP/1.1 413").contains("\"payload_too_large\"");
            assertThat(took).isLessThan(BODY_TIMEOUT);
        }
    }

    @Test
    void trickledBody_isCutAtTheDeadline_evenThoughBytesKeepComing() throws Exception {
        ExecutorService sender = Executors.newVirtualThreadPerTaskExecutor();
        try (Socket socket = open()) {
            head(socket, "/v1/tasks", 1_000);
            long started = System.nanoTime();
            // one byte every 100 ms: never idle long enough for an idle timeout, far too slow to finish
            Future<?> trickle = sender.submit(() -> {
                OutputStream out = socket.getOutputStream();
                for (int i = 0; i < 200; i++) {
                    out.write('{');
                    out.flush();
                    Thread.sleep(100);
                }
                return null;
            });
            String answer = readUntilClosed(socket);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(answer).startsWith("HTTP/1.1 408").contains("Connection: close").contains("did not arrive within 1500 ms");
            assertThat(took).isBetween(BODY_TIMEOUT.minusMillis(100), BODY_TIMEOUT.plusSeconds(3));
            trickle.cancel(true);
        } finally {
            sender.shutdownNow();
        }
    }

    @Test
    void bodiesInFlightOverTheCap_get503ServerBusy_untilTheHolderIsGone() throws Exception {
        // a body deadline far beyond the test: with 1.5 s, a loaded machine could cut the holder before the
        // first submission was answered, and the test saw a 202 where the cap was to refuse
        server.close();
        server = ApiServer.builder(engine).port(0).metrics(new EngineMetrics(engine::latestSnapshot))
                .bodyTimeout(Duration.ofMinutes(1)).maxBodyBytes(MAX_BODY).maxInFlightBodyBytes(IN_FLIGHT).build().start();
        http = new Http(server.baseUri());
        try (Socket holder = open()) {
            head(holder, "/v1/tasks:batch", IN_FLIGHT);
            holder.getOutputStream().write(new byte[(int) IN_FLIGHT - 8_000]); // all but 8 KB of the cap, held while it stalls
            holder.getOutputStream().flush();
            // read by the server before the first submission, which a slow read of the holder's bytes let through as a 202
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> http.get("/metrics").body()
                    .lines().anyMatch(line -> line.equals("queuedeck_request_body_bytes_in_flight " + (double) (IN_FLIGHT - 8_000))));

            String body = task("busy", 10) + " ".repeat(10_000); // 10 KB, most of it whitespace the parser skips
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
                Http.Response busy = http.post("/v1/tasks", body);
                assertThat(busy.status()).isEqualTo(503);
                assertThat(busy.errorCode()).isEqualTo("server_busy");
                assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
            });
            assertThat(engine.send(new Command.FindTask("busy")).join()).isEmpty();
        } // the holder hangs up mid-body: what it held is free again
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() ->
                http.post("/v1/tasks", task("busy", 10) + " ".repeat(10_000)).status() == 202);
    }

    @Test
    void honestBodies_ofEverySize_withOrWithoutALength_areReadWhole_andOverTheLimitIs413() {
        engine.send(new Command.PauseDispatch(true)).join();
        int i = 0;
        for (int chars : new int[] {1, BodyReader.CHUNK - 80, BodyReader.CHUNK * 3 + 7, (int) MAX_BODY - 100}) {
            for (boolean chunked : new boolean[] {false, true}) {
                Http.Response response = post(task("size-" + i++, chars), chunked);
                // parsed whole: accepted, or refused only by the queue's byte budget
                assertThat(response.status()).as("%d chars, chunked %s: %s", chars, chunked, response.body()).isIn(202, 429);
                assertThat(response.errorCode()).isIn(null, "queue_full");
            }
        }
        for (boolean chunked : new boolean[] {false, true}) {
            Http.Response tooLarge = post(task("huge", (int) MAX_BODY), chunked);
            assertThat(tooLarge.status()).isEqualTo(413);
            assertThat(tooLarge.errorCode()).isEqualTo("payload_too_large");
        }
    }

    private Http.Response post(String body, boolean chunked) {
        java.net.http.HttpRequest.BodyPublisher publisher = java.net.http.HttpRequest.BodyPublishers.ofString(body);
        return http.send(java.net.http.HttpRequest.newBuilder(server.baseUri().resolve("/v1/tasks"))
                .header("Content-Type", "application/json")
                // a publisher of unknown length makes the client send the body chunked, without Content-Length
                .POST(chunked ? java.net.http.HttpRequest.BodyPublishers.fromPublisher(publisher) : publisher));
    }

    @Test
    void transferCodingOtherThanChunked_is501AndClosed_andNothingIsQueued() throws Exception {
        String body = task("te-0", 10);
        try (Socket socket = open()) {
            socket.getOutputStream().write(("POST /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: gzip, chunked\r\n\r\n" + Integer.toHexString(body.length()) + "\r\n" + body
                    + "\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

            String answer = readUntilClosed(socket);

            assertThat(answer).startsWith("HTTP/1.1 501").contains("\"code\":\"not_implemented\"").contains("gzip, chunked");
        }
        assertThat(engine.send(new Command.FindTask("te-0")).join()).isEmpty();
    }

    @Test
    void twoAuthorizationHeaders_are400() throws Exception {
        try (ApiServer guarded = ApiServer.builder(engine).port(0).bearerToken("t".repeat(32)).build().start();
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), guarded.port())) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(("GET /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + "t".repeat(32)
                    + "\r\nAuthorization: Bearer " + "u".repeat(32) + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

            assertThat(readUntilClosed(socket)).startsWith("HTTP/1.1 400").contains("one Authorization header");
        }
    }

    // the router read "delete" as DELETE, while a proxy that filters DELETE reads it as another method
    @Test
    void aMethodNotInCapitals_is400_andChangesNothing() throws Exception {
        assertThat(post(task("lc-0", 10), false).status()).isEqualTo(202);
        try (Socket socket = open()) {
            socket.getOutputStream().write("delete /v1/tasks/lc-0 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-QueueDeck-Client: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));

            assertThat(readUntilClosed(socket)).startsWith("HTTP/1.1 400").contains("methods are case-sensitive: send 'DELETE', not 'delete'");
        }
        assertThat(engine.send(new Command.FindTask("lc-0")).join().orElseThrow().state()).isNotEqualTo(TaskState.CANCELLED);
    }

    // a proxy or firewall that judges the body by one Content-Type while the server parses it by the other
    @Test
    void twoContentTypeHeaders_are400NamingTheHeader_inEitherOrder_andNothingIsQueued() throws Exception {
        for (String[] types : new String[][] {{"application/json", "text/plain"}, {"text/plain", "application/json"}}) {
            String body = task("ct-" + types[0].length(), 10);
            try (Socket socket = open()) {
                socket.getOutputStream().write(("POST /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + types[0]
                        + "\r\nContent-Type: " + types[1] + "\r\nContent-Length: " + body.length()
                        + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));

                assertThat(readUntilClosed(socket)).startsWith("HTTP/1.1 400").contains("\"code\":\"bad_request\"")
                        .contains("send one Content-Type header, not several");
            }
            assertThat(engine.send(new Command.FindTask("ct-" + types[0].length())).join()).isEmpty();
        }
    }

    // HTTP lets the list go over several headers: a proxy reads identity, then gzip, as a gzipped body
    @Test
    void aContentEncodingOtherThanIdentity_inASecondHeader_is415_andNothingIsQueued() throws Exception {
        String body = task("ce-0", 10);
        try (Socket socket = open()) {
            socket.getOutputStream().write(("POST /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Encoding: identity\r\nContent-Encoding: gzip\r\nContent-Length: " + body.length()
                    + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));

            assertThat(readUntilClosed(socket)).startsWith("HTTP/1.1 415").contains("Content-Encoding 'gzip' is not accepted");
        }
        assertThat(engine.send(new Command.FindTask("ce-0")).join()).isEmpty();
    }

    @Test
    void queryParameterGivenTwice_is400NamingIt() {
        Http.Response twice = http.get("/v1/tasks?tenant=beta&tenant=acme");

        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.errorField()).isEqualTo("tenant");
        assertThat(twice.body()).contains("give tenant once, not 2 times");
    }

    // a client once queued a million-character callback URL per task, uncounted, until the heap ran out
    @Test
    void callbackUrl_countsAgainstTheBudget_andOneLongerThan2048CharactersIs400() {
        engine.send(new Command.PauseDispatch(true)).join();
        String url = "https://example.com/" + "p".repeat(1_500);
        String withUrl = "{\"task_id\":\"u-%s\",\"model\":\"llama-2-7b\",\"input\":\"x\",\"max_tokens\":4,\"callback_url\":\"%s\"}";

        Http.Response queued = http.post("/v1/tasks", withUrl.formatted("0", url));
        Http.Response tooLong = http.post("/v1/tasks", withUrl.formatted("1", url + "p".repeat(600)));
        Http.Response full = http.post("/v1/tasks", withUrl.formatted("2", url + "p".repeat(500)));

        assertThat(queued.status()).as(queued.body()).isEqualTo(202);
        assertThat(engine.queuedBodyBytes()).isEqualTo(1_024 + 2L * (1 + url.length()));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.errorField()).isEqualTo("callback_url");
        assertThat(tooLong.body()).contains("callback_url must be at most 2048 characters, got 2120");
        assertThat(full.status()).as(full.body()).isEqualTo(429);
        assertThat(full.errorField()).isEqualTo("callback_url");
    }

    @Test
    void queueByteBudget_full_answers429QueueFullNamingTheField_andFreesOnCancel() {
        engine.send(new Command.PauseDispatch(true)).join();
        for (int i = 0; i < 3; i++) {
            assertThat(http.post("/v1/tasks", task("q-" + i, 1_000)).status()).isEqualTo(202);
        }
        assertThat(engine.queuedBodyBytes()).isEqualTo(3 * TASK_BYTES);

        Http.Response full = http.post("/v1/tasks", task("q-3", 1_000));
        assertThat(full.status()).isEqualTo(429);
        assertThat(full.errorCode()).isEqualTo("queue_full");
        assertThat(full.errorField()).isEqualTo("input");
        assertThat(full.json().path("error").path("message").asText())
                .contains("max_queued_bytes").contains(Long.toString(3 * TASK_BYTES));
        assertThat(full.headers().firstValue("Retry-After")).hasValue("1");

        Http.Response batch = http.post("/v1/tasks:batch", "{\"tasks\":[" + task("b-0", 1_000) + "]}");
        assertThat(batch.status()).isEqualTo(200);
        assertThat(batch.json().at("/results/0/status").asInt()).isEqualTo(429);
        assertThat(batch.json().at("/results/0/error/field").asText()).isEqualTo("tasks[0].input");
        assertThat(batch.headers().firstValue("Retry-After")).hasValue("1");

        assertThat(http.delete("/v1/tasks/q-0").status()).isEqualTo(200);
        assertThat(engine.queuedBodyBytes()).isEqualTo(2 * TASK_BYTES);
        assertThat(http.post("/v1/tasks", task("q-3", 1_000)).status()).isEqualTo(202);

        String scraped = http.get("/metrics").body();
        assertThat(scraped).contains("queuedeck_queued_body_bytes " + (3 * TASK_BYTES) + ".0")
                .contains("queuedeck_queued_body_bytes_limit " + (3 * TASK_BYTES) + ".0")
                .contains("jvm_memory_used_bytes{area=\"heap\"}")
                .contains("jvm_gc_collection_seconds_count")
                .contains("jvm_threads_current");
    }
}
