package io.queuedeck.engine.exec.openai;

import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.loop.RetryRule;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;

/**
 * A backend that answers what a broken or hostile server may send, over real HTTP (the JDK's own
 * server, so each answer can be shaped byte by byte), shared by the hostile-backend tests.
 */
abstract class HostileBackendFixture {
    static final String MODEL = "m";
    static final Duration WAIT = Duration.ofSeconds(20);
    /**
     * Bytes one endless body may write before the reader lets go: what is read is bounded in KB or
     * MB, and then OkHttp discards what follows for up to 100 ms (tens of MB on loopback) to keep the
     * connection. Read whole, the body never ends.
     */
    static final long FAR_BEYOND_A_BOUNDED_READ = 1L << 30;

    HttpServer server;
    OpenAiExecutor executor;
    Engine engine;
    volatile Answer completions = HostileBackendFixture::tokens;
    volatile Answer metrics = exchange -> text(exchange, 200, "");
    final AtomicLong endlessBytes = new AtomicLong();
    final AtomicInteger endlessEnded = new AtomicInteger();
    /** Released when the test ends: a backend that holds its connection open until then. */
    final java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);

    interface Answer {
        void handle(HttpExchange exchange) throws IOException, InterruptedException;
    }

    @AfterEach
    void stop() {
        held.countDown();
        if (engine != null) {
            engine.close();
        }
        if (executor != null) {
            executor.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    void start(Duration firstTokenTimeout) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/health", exchange -> answer(exchange, e -> text(e, 200, "{}")));
        server.createContext("/metrics", exchange -> answer(exchange, metrics));
        server.createContext("/v1/chat/completions", exchange -> answer(exchange, completions));
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        executor = OpenAiExecutor.builder().healthInterval(Duration.ofMillis(50))
                .backend(Backend.at(url).withModels(List.of(MODEL))
                        .withTimeouts(Duration.ofSeconds(2), firstTokenTimeout, Duration.ofSeconds(20)))
                .build();
        engine = Engine.builder().executor(executor).retry(new RetryRule(2, 10_000_000L, 50_000_000L))
                .snapshotInterval(Duration.ofMillis(20)).build();
        engine.start();
    }

    static void answer(HttpExchange exchange, Answer answer) {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            answer.handle(exchange);
        } catch (IOException | InterruptedException closedByTheClient) {
            // the reader let go: what an endless body is for
        }
    }

    void endless(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, 0); // chunked, no length
        byte[] block = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
        OutputStream out = exchange.getResponseBody();
        try {
            while (true) {
                out.write(block);
                out.flush();
                endlessBytes.addAndGet(block.length);
            }
        } finally {
            endlessEnded.incrementAndGet();
        }
    }

    static void tokens(HttpExchange exchange) throws IOException, InterruptedException {
        sse(exchange, List.of("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}",
                "[DONE]"), 0);
    }

    static void sse(HttpExchange exchange, List<String> events, long gapMillis) throws IOException, InterruptedException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        for (String event : events) {
            out.write(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(gapMillis); // the backend's pace, not the test waiting for a condition
        }
    }

    static void text(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    String submit() {
        return submit(null, 8);
    }

    String submit(String id, int maxTokens) {
        TaskSpec chat = new TaskSpec(id, MODEL, "[{\"role\":\"user\",\"content\":\"hi\"}]", 5, null, null, null, null, maxTokens,
                null, java.util.Map.of(OpenAiInput.METADATA_KEY, OpenAiInput.MESSAGES));
        return engine.send(new Command.Submit(chat)).join().task().id();
    }

    TaskView finished(String id) {
        return await().atMost(WAIT).until(() -> engine.send(new Command.FindTask(id)).join().orElseThrow(), v -> v.state().isFinal());
    }

    /** Where a redirect points: it must never be asked anything. */
    HttpServer sink(AtomicInteger asked) throws IOException {
        HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        sink.createContext("/", exchange -> {
            asked.incrementAndGet();
            answer(exchange, e -> text(e, 200, "{\"data\":[{\"id\":\"internal-model\"}]}"));
        });
        sink.start();
        return sink;
    }
}
