package io.queuedeck.engine.exec.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A backend whose stream does not end as it should, over real HTTP: held open or going on after its
 * finish, a second finish, work without text, or tokens beyond those asked for. Each ends at its
 * bound, not at the total timeout, and what the task keeps is the answer up to its finish.
 */
class HostileStreamEndsTest extends HostileBackendFixture {
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

}
