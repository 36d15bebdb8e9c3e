package io.queuedeck.engine.exec.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.loop.RetryRule;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
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
import org.junit.jupiter.api.Test;

/**
 * A backend that answers what a broken or hostile server may send, over real HTTP (the JDK's own
 * server, so each answer can be shaped byte by byte): bodies that never end, strings a strict
 * reader refuses, and work that is not text. QueueDeck reads what it keeps within bounds.
 */
class HostileBackendTest {
    private static final String MODEL = "m";
    private static final Duration WAIT = Duration.ofSeconds(20);
    /**
     * Bytes one endless body may write before the reader lets go: what is read is bounded in KB or
     * MB, and then OkHttp discards what follows for up to 100 ms (tens of MB on loopback) to keep the
     * connection. Read whole, the body never ends.
     */
    private static final long FAR_BEYOND_A_BOUNDED_READ = 1L << 30;

    private HttpServer server;
    private OpenAiExecutor executor;
    private Engine engine;
    private volatile Answer completions = HostileBackendTest::tokens;
    private volatile Answer metrics = exchange -> text(exchange, 200, "");
    private final AtomicLong endlessBytes = new AtomicLong();
    private final AtomicInteger endlessEnded = new AtomicInteger();
    /** Released when the test ends: a backend that holds its connection open until then. */
    private final java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);

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

    /** A reasoning model thinks before its first word: that is the server working, not stalling. */
    @Test
    void reasoningLongerThanTheFirstTokenTimeout_isNotAStall() throws Exception {
        String thought = "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"hmm \"},\"finish_reason\":null}]}";
        completions = exchange -> sse(exchange, List.of(thought, thought, thought, thought, thought, thought,
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"42\"},\"finish_reason\":\"stop\"}]}", "[DONE]"), 300);
        start(Duration.ofSeconds(1));

        TaskView done = finished(submit());

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.output()).isEqualTo("42");
    }

    /** Neither [DONE] nor the end of the body after the finish: the answer is whole, and nothing waits for the read timeout. */
    @Test
    void aStreamHeldOpenAfterItsFinish_endsTheTaskAtOnce() throws Exception {
        completions = exchange -> {
            sse(exchange, List.of("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},\"finish_reason\":null}]}",
                    "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
                    "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}"), 0);
            held.await();
        };
        start(Duration.ofSeconds(60)); // the read timeout a silent stream would wait for
        long started = System.nanoTime();

        TaskView done = finished(submit());

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.output()).isEqualTo("ok");
        assertThat(done.generation().usage().completionTokens()).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    /** Comments after [DONE] keep the socket busy, so no read times out: the body still has a second to end. */
    @Test
    void commentsForEverAfterDone_loseTheirConnection() throws Exception {
        AtomicLong dropped = new AtomicLong();
        completions = exchange -> {
            sse(exchange, List.of("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}",
                    "[DONE]"), 0);
            OutputStream out = exchange.getResponseBody();
            try {
                while (held.getCount() > 0) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(50); // the backend's pace
                }
            } catch (IOException closedByTheReader) {
                dropped.set(System.nanoTime());
            }
        };
        start(Duration.ofSeconds(60));
        long started = System.nanoTime();

        assertThat(finished(submit()).state()).isEqualTo(TaskState.SUCCEEDED);

        await().atMost(WAIT).until(() -> dropped.get() != 0);
        assertThat(Duration.ofNanos(dropped.get() - started)).isLessThan(Duration.ofSeconds(10));
    }

    /** Each byte reset the read timeout: a server sending only keep-alives held the slot until the total timeout (10 min by default). */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {": keep-alive", "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"}}]}"})
    void aStreamThatGoesOnWithoutTokens_endsAtTheFirstTokenTimeout_notTheTotal(String filler) throws Exception {
        completions = exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (!held.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)) { // the backend's pace, until the test ends
                out.write((filler + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        };
        start(Duration.ofSeconds(1));
        long started = System.nanoTime();

        TaskView done = finished(submit());

        assertThat(done.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(done.error()).contains("the backend sent no token nor other work for 1000 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("two attempts of about 1 s, not 2 x 20 s")
                .isLessThan(Duration.ofSeconds(10));
    }

    /** The task kept "AINJECTED" with the second finish; a streamed answer relayed both, a whole one held "AINJECTEDMORE". */
    @Test
    void chunksAfterTheFinish_areNotKept_theFirstFinishStands() throws Exception {
        completions = exchange -> sse(exchange, List.of(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"A\"},\"finish_reason\":\"stop\"}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"INJECTED\"},\"finish_reason\":null}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"MORE\"},\"finish_reason\":\"length\"}]}",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}",
                "[DONE]"), 0);
        start(Duration.ofSeconds(5));

        TaskView done = finished(submit());

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.output()).isEqualTo("A");
        assertThat(done.generation().finishReason()).isEqualTo("stop");
        assertThat(done.generation().usage().completionTokens()).as("the usage after the finish is kept").isEqualTo(1);
    }

    /**
     * A chunk after the finish with choice 0 twice, the first empty: it passed as no text and was
     * relayed whole, so a streaming client read "AINJECTED" while the task kept "A".
     */
    @Test
    void choiceZeroTwiceAfterTheFinish_isNotRelayed() throws Exception {
        completions = exchange -> sse(exchange, List.of(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"A\"},\"finish_reason\":\"stop\"}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{}},{\"index\":0,\"delta\":{\"content\":\"INJECTED\"}}]}",
                "[DONE]"), 0);
        start(Duration.ofSeconds(5));
        String id = "twice-after";
        List<String> relayed = new java.util.concurrent.CopyOnWriteArrayList<>();
        executor.streams().listen(id, new StreamListener() {
            @Override
            public void chunk(String data) {
                relayed.add(data);
            }

            @Override
            public void finished(String text, io.queuedeck.engine.task.Generation generation) {
            }

            @Override
            public void attemptFailed(String reason, boolean retryable, int backendStatus) {
            }
        });

        TaskView done = finished(submit(id, 8));

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.output()).isEqualTo("A");
        assertThat(relayed).hasSize(1).noneMatch(data -> data.contains("INJECTED"));
    }

    /** Before the finish, the task kept the first entry of choice 0 and a streaming client read both. */
    @Test
    void choiceZeroTwiceInOneChunk_isAMalformedStream() throws Exception {
        completions = exchange -> sse(exchange, List.of(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"A\"}},{\"delta\":{\"content\":\"B\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
                "[DONE]"), 0);
        start(Duration.ofSeconds(5));

        TaskView done = finished(submit());

        assertThat(done.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(done.error()).contains("malformed stream: a chunk holds choice 0 twice");
    }

    /** A late error event dead-lettered an answer that was whole at its finish, after running it three times. */
    @Test
    void anErrorAfterTheFinish_leavesTheAnswerWhole() throws Exception {
        completions = exchange -> sse(exchange, List.of(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"A\"},\"finish_reason\":\"stop\"}]}",
                "{\"error\":{\"message\":\"late\",\"code\":500}}"), 0);
        start(Duration.ofSeconds(5));

        TaskView done = finished(submit());

        assertThat(done.state()).as(done.error()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.output()).isEqualTo("A");
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

    /** Reasoning or tool-call deltas are work, not silence: a model thinking past the timeout after its first token goes on. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"\"reasoning_content\":\"think \"",
            "\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"a\"}}]"})
    void workWithoutText_afterTheFirstToken_isNoSilence(String work) throws Exception {
        TaskView done = slowlyBetweenAandB(java.util.Collections.nCopies(8, work)); // 8 x 300 ms


        assertThat(done.state()).as(done.error()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.output()).isEqualTo("ab");
    }

    /**
     * Whitespace is text a model generates (indentation, line breaks, the space before a word), so it
     * is progress as any token is (decision 0135): a model indenting past the silence allowed goes on.
     */
    @Test
    void whitespaceTokens_afterTheFirstToken_areProgress() throws Exception {
        String spaces = "\"content\":\"  \"";
        String lineBreak = "\"content\":\"\\n\\t\"";
        TaskView done = slowlyBetweenAandB(List.of(spaces, lineBreak, spaces, lineBreak, spaces, lineBreak)); // 6 x 300 ms


        assertThat(done.state()).as(done.error()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.output()).isEqualTo("a  \n\t  \n\t  \n\tb");
    }

    /**
     * A task answered "a", then one delta of each of {@code deltas} 300 ms apart, then "b": past the
     * 1 s of silence allowed unless the deltas count as progress.
     */
    private TaskView slowlyBetweenAandB(List<String> deltas) throws Exception {
        List<String> events = new java.util.ArrayList<>();
        events.add("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}");
        for (String delta : deltas) {
            events.add("{\"choices\":[{\"index\":0,\"delta\":{" + delta + "}}]}");
        }
        events.add("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},\"finish_reason\":\"stop\"}]}");
        events.add("[DONE]");
        completions = exchange -> sse(exchange, events, 300);
        start(Duration.ofSeconds(1));
        return finished(submit());
    }

    /**
     * What bounds a stream of progress that never ends is what the request asked for: a server that
     * ignores max_tokens, a space at a time and never silent for long, held the slot until the total
     * timeout (10 minutes by default) and was then tried again.
     */
    @Test
    void aServerThatIgnoresMaxTokens_aSpaceAtATime_isCutOffPastTheTokensAsked_notAtTheTotalTimeout() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        completions = exchange -> {
            asked.incrementAndGet();
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (!held.await(20, java.util.concurrent.TimeUnit.MILLISECONDS)) { // the backend's pace, until the test ends
                out.write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" \"}}]}\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        };
        assertCutOffPastFourTokens(asked);
    }

    /**
     * A server that thinks (or calls tools) without end: such deltas are progress, so neither the
     * silence bound nor the text's bounds ended it, and it held its slot until the total timeout
     * whatever {@code max_tokens} said. They are tokens of the answer, counted as pieces of text are.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            "{\"reasoning_content\":\"hmm \"}",
            "{\"reasoning\":\"hmm \"}",
            "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"x\"}}]}"})
    void aServerThatWorksWithoutEnd_isCutOffPastTheTokensAsked_notAtTheTotalTimeout(String delta) throws Exception {
        AtomicInteger asked = new AtomicInteger();
        completions = exchange -> {
            asked.incrementAndGet();
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            while (!held.await(20, java.util.concurrent.TimeUnit.MILLISECONDS)) { // the backend's pace, until the test ends
                out.write(("data: {\"choices\":[{\"index\":0,\"delta\":" + delta + "}]}\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        };
        assertCutOffPastFourTokens(asked);
    }

    /**
     * Runs a task asking 4 tokens of the backend set up, which sends without end: it is cut off past
     * 20 pieces, well before the total timeout, and not run again.
     */
    private void assertCutOffPastFourTokens(AtomicInteger asked) throws Exception {
        start(Duration.ofSeconds(5)); // silence never ends it: a first token late under load did (1 s)
        long started = System.nanoTime();

        TaskView done = finished(submit(null, 4));

        assertThat(done.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(done.error()).contains("the backend sent more than 20 pieces of answer for 4 tokens asked for"
                + " (it ignores max_tokens): cut off");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not the 20 s total timeout")
                .isLessThan(Duration.ofSeconds(10));
        assertThat(asked.get()).as("not run again: the same request brings the same answer").isEqualTo(1);
    }

    /** Where a redirect points: it must never be asked anything. */
    private HttpServer sink(AtomicInteger asked) throws IOException {
        HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        sink.createContext("/", exchange -> {
            asked.incrementAndGet();
            answer(exchange, e -> text(e, 200, "{\"data\":[{\"id\":\"internal-model\"}]}"));
        });
        sink.start();
        return sink;
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

    private void start(Duration firstTokenTimeout) throws IOException {
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

    private static void answer(HttpExchange exchange, Answer answer) {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            answer.handle(exchange);
        } catch (IOException | InterruptedException closedByTheClient) {
            // the reader let go: what an endless body is for
        }
    }

    private void endless(HttpExchange exchange, int status) throws IOException {
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

    private static void tokens(HttpExchange exchange) throws IOException, InterruptedException {
        sse(exchange, List.of("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}",
                "[DONE]"), 0);
    }

    private static void sse(HttpExchange exchange, List<String> events, long gapMillis) throws IOException, InterruptedException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        for (String event : events) {
            out.write(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(gapMillis); // the backend's pace, not the test waiting for a condition
        }
    }

    private static void text(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private String submit() {
        return submit(null, 8);
    }

    private String submit(String id, int maxTokens) {
        TaskSpec chat = new TaskSpec(id, MODEL, "[{\"role\":\"user\",\"content\":\"hi\"}]", 5, null, null, null, null, maxTokens,
                null, java.util.Map.of(OpenAiInput.METADATA_KEY, OpenAiInput.MESSAGES));
        return engine.send(new Command.Submit(chat)).join().task().id();
    }

    private TaskView finished(String id) {
        return await().atMost(WAIT).until(() -> engine.send(new Command.FindTask(id)).join().orElseThrow(), v -> v.state().isFinal());
    }
}
