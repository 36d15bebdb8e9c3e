package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer.Script;
import io.queuedeck.engine.task.TaskState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * How a front-door answer ends before its time, with the official OpenAI Java SDK or a raw client:
 * an operator's cancel, a server that closes or drains, and a client that times out, leaves or
 * disconnects while its request runs or waits. Each one cancels the task and frees its backend slot.
 */
class OpenAiFrontDoorEndingsTest extends OpenAiFrontDoorFixture {
    /** A long streamed answer read on a thread of its own, until it ends: what it received, and how it ended. */
    private record LongStream(Thread reader, List<String> events, Throwable[] thrown) {
        Throwable endedWith() throws InterruptedException {
            reader.join(WAIT);
            assertThat(reader.isAlive()).isFalse();
            assertThat(events).isNotEmpty();
            return thrown[0];
        }
    }

    /** Starts a 500-token stream and waits until its task generates. */
    private LongStream streaming() throws Exception {
        start(8, Script.tokens(500).delays(0, 20));
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        Throwable[] thrown = new Throwable[1];
        Thread reader = Thread.ofVirtual().start(() -> {
            try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(chat("long"))) {
                stream.stream().forEach(chunk -> events.add(chunk.id()));
            } catch (RuntimeException e) {
                thrown[0] = e;
            }
        });
        await().atMost(WAIT).until(() -> !tasks().isEmpty() && tasks().getFirst().generatedTokens() > 0);
        return new LongStream(reader, events, thrown);
    }

    @Test
    void operatorCancel_whileStreaming_endsTheClientsStreamWithAnError() throws Exception {
        LongStream stream = streaming();

        engine.send(new Command.Cancel(tasks().getFirst().id())).join();

        assertThat(stream.endedWith()).isNotNull().hasMessageContaining("the task was cancelled");
        await().atMost(WAIT).until(() -> fake.closedByClient() == 1);
    }

    /** A stream still running when the server closes (its grace period over) ends with an error event, not a bare cut. */
    @Test
    void close_whileStreaming_endsTheStreamWithShuttingDown_andCancelsTheTask() throws Exception {
        LongStream stream = streaming();

        server.close();

        assertThat(stream.endedWith()).isNotNull().hasMessageContaining("the server stopped before this answer was finished");
        await().atMost(WAIT).until(() -> tasks().getFirst().state() == TaskState.CANCELLED);
        assertThat(tasks().getFirst().error()).as("its record says why").startsWith("the server stopped before the answer was finished");
    }

    @Test
    void draining_refusesNewRequests_with503AndRetryAfter() throws Exception {
        start(8, Script.tokens(1));

        server.drain();

        assertThatThrownBy(() -> client.chat().completions().create(chat("late")))
                .isInstanceOf(com.openai.errors.InternalServerException.class)
                .satisfies(e -> {
                    var refused = (com.openai.errors.InternalServerException) e;
                    assertThat(refused.statusCode()).isEqualTo(503);
                    assertThat(refused.headers().values("Retry-After")).containsExactly("1");
                })
                .hasMessageContaining("shutting down");
        assertThat(fake.requests()).isEmpty();
    }

    /**
     * A stopping server starts no waiting task, so requests still queued when it begins to stop are
     * answered then, streamed or whole, with {@code shutting_down}, and their tasks cancelled: no client
     * is left with a connection that closes without an answer.
     */
    @Test
    void draining_answersQueuedRequests_shuttingDown_andCancelsTheirTasks() throws Exception {
        start(1, Script.tokens(2));
        var blocking = fake.holdNext();
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        try {
            callers.submit(() -> client.chat().completions().create(chat("blocker")));
            await().atMost(WAIT).until(() -> fake.openStreams() == 1);
            List<Future<java.net.http.HttpResponse<String>>> queued = new ArrayList<>();
            for (boolean stream : new boolean[] {true, false}) {
                var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUri() + "/v1/chat/completions"))
                        .header("Content-Type", "application/json").timeout(WAIT)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"" + MODEL
                                + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}"))
                        .build();
                queued.add(callers.submit(() -> http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString())));
            }
            await().atMost(WAIT).until(() -> engine.latestSnapshot().queued() == 2);

            server.drain();

            for (Future<java.net.http.HttpResponse<String>> f : queued) {
                assertThat(f.get(10, java.util.concurrent.TimeUnit.SECONDS).body()).contains("\"code\":\"shutting_down\"");
            }
            await().atMost(WAIT).until(() -> tasks().stream().filter(t -> t.state() == TaskState.CANCELLED).count() == 2);
            blocking.countDown();
        } finally {
            callers.shutdownNow();
        }
        assertThat(fake.requests()).hasSize(1); // the queued requests never reached the backend
    }

    @Test
    void clientTimeout_whileRunning_cancelsTheTaskAndClosesTheBackendStream() throws Exception {
        start(8, Script.tokens(500).delays(0, 20));
        OpenAIClient impatient = client.withOptions(o -> o.timeout(Duration.ofMillis(700)).maxRetries(0));

        assertThatThrownBy(() -> impatient.chat().completions().create(chat("slow"))).isNotNull();

        await().atMost(WAIT).until(() -> onlyTask().state() == TaskState.CANCELLED);
        assertThat(onlyTask().error()).isEqualTo("the front-door client went away before its answer was finished");
        await().atMost(WAIT).until(() -> fake.closedByClient() == 1);
    }

    @Test
    void clientLeaves_beforeTheFirstToken_cancelsTheTaskAndClosesTheBackendStream() throws Exception {
        // The request's own thread reads the backend stream (decision 0084) and writes nothing while
        // the backend is silent: the keep-alives another thread writes meanwhile notice the leaving.
        // the backend's first token after 7 s: 2 s past the 5 s in which the leaving must be noticed
        start(8, Script.tokens(2).delays(7_000, 0));
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(chat("waits"))) {
            await().atMost(WAIT).until(() -> fake.openStreams() == 1);
        } // closing the stream drops the connection

        // well before the backend's first token, which would otherwise be the first write to fail
        await().atMost(Duration.ofSeconds(5)).until(() -> onlyTask().state() == TaskState.CANCELLED);
        assertThat(onlyTask().generatedTokens()).isZero();
        await().atMost(WAIT).until(() -> fake.closedByClient() == 1); // the fake learns it at its first write
    }

    /**
     * A client that leaves a whole answer while its task runs: the task is cancelled and its backend
     * slot freed within a quiet interval or two, not at the first keep-alive 5 s in (decision 0020's
     * addendum), which is still not written: nothing is sent to the client before its answer.
     */
    @Test
    void clientDisconnect_fromAWholeAnswer_whileItRuns_freesTheSlotWellUnder5s() throws Exception {
        start(1, Script.tokens(100).delays(0, 100)); // about 10 s of tokens on the only slot
        long left;
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), server.port())) {
            String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"leaves\"}]}";
            socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            await().atMost(WAIT).until(() -> fake.openStreams() == 1 && onlyTask().generatedTokens() > 0);
            left = System.nanoTime();
        } // closed: the client has gone

        await().atMost(WAIT).until(() -> onlyTask().state() == TaskState.CANCELLED);
        await().atMost(WAIT).until(() -> fake.openStreams() == 0);
        Duration freed = Duration.ofNanos(System.nanoTime() - left);
        assertThat(freed).as("the slot freed %s after the client left", freed).isLessThan(Duration.ofMillis(2_500));
        assertThat(onlyTask().generatedTokens()).isLessThan(60);
    }

    // the read that watches for a leaving client takes a byte of a request sent behind the completion once it
    // runs (one that came with it, Jetty has already read and answers in turn): that request is not parsed
    @Test
    void aRequestPipelinedBehindARunningWholeAnswer_theAnswerComes_thenTheConnectionCloses() throws Exception {
        start(8, Script.tokens(3).delays(1_500, 0)); // three quiet intervals before the first token
        String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(15_000);
            var out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(WAIT).until(() -> fake.openStreams() == 1);
            out.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();

            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("Connection: close")
                    .contains("\"chat.completion\"").contains("t0 t1 t2 ").doesNotContain("\"status\"");
        }
        // the answer is written before the task's completion is recorded: waited for, not read at once
        await().atMost(WAIT).until(() -> onlyTask().state() == TaskState.SUCCEEDED);
    }

    @Test
    void clientDisconnect_whileQueued_cancelsTheTask_beforeItEverRuns() throws Exception {
        start(1, Script.tokens(2));
        fake.then(Script.tokens(100).delays(0, 30)); // holds the only slot for about 3 s
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<ChatCompletion> blocker = callers.submit(() -> client.chat().completions().create(chat("blocker")));
            await().atMost(WAIT).until(() -> fake.openStreams() == 1);
            try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(chat("gives up"))) {
                await().atMost(WAIT).until(() -> engine.latestSnapshot().queued() == 1);
            } // closing the stream drops the connection

            await().atMost(WAIT).until(() -> tasks().stream().anyMatch(t -> t.state() == TaskState.CANCELLED));
            blocker.get();
        } finally {
            callers.shutdownNow();
        }
        assertThat(fake.requests()).hasSize(1); // the cancelled request never reached the backend
    }
}
