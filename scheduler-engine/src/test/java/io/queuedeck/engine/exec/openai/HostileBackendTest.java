package io.queuedeck.engine.exec.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A backend that answers what a broken or hostile server may send, over real HTTP (the JDK's own
 * server, so each answer can be shaped byte by byte): bodies that never end, strings a strict
 * reader refuses, and work that is not text. QueueDeck reads what it keeps within bounds.
 */
class HostileBackendTest extends HostileBackendFixture {
    @Test
    void anErrorBodyThatNeverEnds_isReadOnlyAsFarAsItsMessage() throws Exception {
        completions = exchange -> endless(exchange, 500); // read whole, it ran a 512 MB heap out in a second
        start(Duration.ofSeconds(5));

        TaskView done = finished(submit());

        assertThat(done.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(done.error()).startsWith("the backend failed (500): xxxx").hasSizeLessThan(400);
        await().atMost(WAIT).until(endlessEnded::get, n -> n >= 2);
        assertThat(endlessBytes.get() / endlessEnded.get()).isLessThan(FAR_BEYOND_A_BOUNDED_READ);
    }

    /** A server that ignores stream: true answers one JSON body: OkHttp refuses it with its own words. */
    @Test
    void aWholeJsonAnswer_isAMalformedStream_notABrokenConnection() throws Exception {
        completions = exchange -> text(exchange, 200, "{\"choices\":[{\"index\":0,\"message\":{\"content\":\"hi\"}}]}");
        start(Duration.ofSeconds(5));

        TaskView done = finished(submit());

        assertThat(done.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(done.error()).isEqualTo("malformed stream: expected text/event-stream, got application/json");
        assertThat(engine.send(new Command.TakeSnapshot()).join().instances().getFirst().state())
                .isEqualTo(io.queuedeck.engine.exec.InstanceState.UP); // the server answers: its connection is not failing
    }

    @Test
    void metricsThatNeverEnd_areNotRead_andTheBackendServes() throws Exception {
        metrics = exchange -> endless(exchange, 200); // no length declared: the 4 MiB check passed it
        start(Duration.ofSeconds(5));

        await().atMost(WAIT).until(endlessEnded::get, n -> n >= 2);
        assertThat(endlessBytes.get() / endlessEnded.get()).isLessThan(FAR_BEYOND_A_BOUNDED_READ);
        assertThat(finished(submit()).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void aPlainStringError_isShortened() throws Exception {
        // kept whole on each dead-lettered task: 500 of a megabyte each, and a restart died listing them
        completions = exchange -> text(exchange, 400, "{\"error\":\"" + "E".repeat(8_000) + "\"}");
        start(Duration.ofSeconds(5));

        TaskView done = finished(submit());

        assertThat(done.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(done.error()).startsWith("the backend refused the request (400): EEEE").hasSizeLessThan(400);
    }

    @Test
    void halfASurrogatePair_becomesTheReplacementCharacter_inWhatTheTaskKeeps() throws Exception {
        completions = exchange -> sse(exchange, List.of(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\\ud800b\"},\"finish_reason\":null}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"st\\udc00op\"}]}", "[DONE]"), 0);
        start(Duration.ofSeconds(5));

        TaskView done = finished(submit());

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.output()).isEqualTo("a\uFFFDb");
        assertThat(done.generation().finishReason()).isEqualTo("st\uFFFDop");
    }

    @Test
    void aFinishReasonOfHalfAMegabyte_isKeptAsAShortWord() throws Exception {
        String huge = "x".repeat(500_000); // kept with every finished task, uncounted: 450 of them filled a 512 MB heap
        completions = exchange -> sse(exchange, List.of(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":\"" + huge + "\"}]}", "[DONE]"), 0);
        start(Duration.ofSeconds(5));

        TaskView done = finished(submit());

        assertThat(done.generation().finishReason()).hasSize(StreamChunk.MAX_FINISH_REASON_CHARS);
    }

    /** A whole answer keeps its tool calls: 257 deltas of a megabyte each ran a 512 MB heap out. */
    @Test
    void aWholeAnswersToolCalls_areCountedAgainstItsLimit() throws Exception {
        String call = "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\""
                + "a".repeat(10_000) + "\"}}]},\"finish_reason\":null}]}";
        completions = exchange -> sse(exchange, java.util.Collections.nCopies(50, call), 0); // 500,000 characters
        start(Duration.ofSeconds(5));
        executor.streams().listen("whole", new StreamListener() { // as the front door listens for a whole answer
            @Override
            public boolean passesChunksOn() {
                return false;
            }

            @Override
            public void chunk(String data) {}

            @Override
            public void finished(String text, io.queuedeck.engine.task.Generation generation) {}

            @Override
            public void attemptFailed(String reason, boolean retryable, int backendStatus) {}
        });

        TaskView done = finished(submit("whole", 1)); // 1 token: 4,160 characters of text, 133,120 of stream

        assertThat(done.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.error()).isEqualTo("the backend sent more than 133120 characters of stream for one answer"
                + " (tool calls, reasoning, log probabilities): cut off");
    }

    /**
     * SSE lets a server split one event over several data lines, which arrive joined by line
     * breaks. Relayed with them, the front door's client read the chunk cut at the first blank line
     * ({@code data: {"choices":[…"content":"a"}}, then a stray line) and its SDK failed to parse it.
     */
    @Test
    void anEventSentAsSeveralDataLines_isRelayedAsOneLine() throws Exception {
        completions = exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write(("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}\n"
                    + "data:\r\ndata: ,\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
        };
        start(Duration.ofSeconds(5));
        List<String> relayed = new java.util.concurrent.CopyOnWriteArrayList<>();
        executor.streams().listen("relayed", new StreamListener() { // as the front door listens for a stream
            @Override
            public void chunk(String data) {
                relayed.add(data);
            }

            @Override
            public void finished(String text, io.queuedeck.engine.task.Generation generation) {}

            @Override
            public void attemptFailed(String reason, boolean retryable, int backendStatus) {}
        });

        TaskView done = finished(submit("relayed", 8));

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.output()).isEqualTo("a");
        assertThat(relayed).singleElement().satisfies(chunk -> {
            assertThat(chunk).doesNotContain("\n", "\r");
            assertThat(OpenAiInput.JSON.readTree(chunk).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        });
    }

    /** Past the 16 KiB read, the error read as raw JSON; a backend's NUL, ESC and bidi override reached the task's error raw. */
    @org.junit.jupiter.params.ParameterizedTest(name = "message of {0} characters")
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 100_000})
    void aLongErrorBody_stillGivesItsMessage_withoutControlCharacters(int more) throws Exception {
        completions = exchange -> text(exchange, 400, "{\"error\":{\"message\":\"context \\u001b[31mtoo\\u0000 long\\u202e"
                + "x".repeat(more) + "\",\"detail\":\"" + "x".repeat(20_000) + "\"}}");
        start(Duration.ofSeconds(5));

        TaskView done = finished(submit());

        assertThat(done.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(done.error()).contains("the backend refused the request (400): context \uFFFD[31mtoo\uFFFD long\uFFFD")
                .doesNotContain("{").doesNotContain("\u001b").doesNotContain("\u0000").doesNotContain("\u202e");
    }

    /** vLLM's error event with a 4xx code (a prompt too long) was retried as a crash, on every attempt, in either of its shapes. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            "{\"error\":{\"object\":\"error\",\"message\":\"prompt too long\",\"code\":400}}",
            "{\"object\":\"error\",\"message\":\"prompt too long\",\"type\":\"BadRequestError\",\"code\":400}",
            "{\"error\":{\"message\":\"prompt too long\",\"status\":400}}"})
    void anErrorEventWithA4xxCode_failsTheTaskAtOnce_asAn4xxAnswerDoes(String event) throws Exception {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        completions = exchange -> {
            asked.incrementAndGet();
            sse(exchange, List.of(event), 0);
        };
        start(Duration.ofSeconds(5));

        TaskView done = finished(submit());

        assertThat(done.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(done.error()).contains("the backend reported an error in its stream (400): prompt too long");
        assertThat(asked.get()).as("not run again").isEqualTo(1);
    }

    /**
     * A list of 100,000 models (2 MB) made as many instances, and the first GET /metrics ran a 512 MB
     * heap out; a name with control characters reached the log raw; a redirect was followed to another host.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"1001 models", "a control character", "a long name", "a redirect"})
    void aModelListBeyondReason_orARedirect_isRefusedAtStart_sayingWhy(String what) throws Exception {
        AtomicInteger asked = new AtomicInteger();
        HttpServer sink = sink(asked);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/models", exchange -> answer(exchange, e -> {
            switch (what) {
                case "1001 models" -> text(e, 200, java.util.stream.IntStream.range(0, 1001).mapToObj(i -> "{\"id\":\"m" + i + "\"}")
                        .collect(java.util.stream.Collectors.joining(",", "{\"data\":[", "]}")));
                case "a control character" -> text(e, 200, "{\"data\":[{\"id\":\"m\\u001b[31m\\r\\nX-Evil: 1\"}]}");
                case "a long name" -> text(e, 200, "{\"data\":[{\"id\":\"" + "m".repeat(300) + "\"}]}");
                default -> {
                    e.getResponseHeaders().set("Location", "http://127.0.0.1:" + sink.getAddress().getPort() + "/v1/models");
                    e.sendResponseHeaders(302, -1);
                }
            }
        }));
        server.start();
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> OpenAiExecutor.builder()
                            .backend(Backend.at("http://127.0.0.1:" + server.getAddress().getPort())).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(switch (what) {
                        case "1001 models" -> "listed more than 1000 models";
                        case "a control character" -> "with a control character (\"m\\u001B[31m\\r\\nX-Evil: 1\")";
                        case "a long name" -> "of 300 characters (at most 256 are taken)";
                        default -> "answered 302 (a redirect, not followed";
                    })
                    .hasMessageNotContaining("\u001b").hasMessageNotContaining("\r");
            assertThat(asked.get()).isZero();
        } finally {
            sink.stop(0);
        }
    }

    @Test
    void aHealthProbeRedirected_isAFailedProbe_andNoOtherHostIsAsked() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        HttpServer sink = sink(asked);
        try {
            start(Duration.ofSeconds(5));
            server.removeContext("/health");
            server.createContext("/health", exchange -> answer(exchange, e -> {
                e.getResponseHeaders().set("Location", "http://127.0.0.1:" + sink.getAddress().getPort() + "/health");
                e.sendResponseHeaders(302, -1);
            }));

            await().atMost(WAIT).until(() -> engine.send(new Command.TakeSnapshot()).join().instances().getFirst().state()
                    == io.queuedeck.engine.exec.InstanceState.DOWN);
            assertThat(asked.get()).as("the sink was asked").isZero();
        } finally {
            sink.stop(0);
        }
    }
}
