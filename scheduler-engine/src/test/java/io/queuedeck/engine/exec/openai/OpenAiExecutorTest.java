package io.queuedeck.engine.exec.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer.Script;
import io.queuedeck.engine.task.InvalidTaskException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The executor against a real (fake) OpenAI-compatible server over HTTP: streams, quirks, failures and retries. */
class OpenAiExecutorTest extends OpenAiExecutorFixture {
    /** The stored record kept the simulated plan: after a restart it said max_tokens tokens were generated, and no usage. */
    @Test
    void finishedTask_readBackAfterARestart_keepsWhatTheBackendGenerated() throws Exception {
        FakeOpenAiServer fake = fake();
        fake.byDefault(Script.tokens(5));
        store = io.queuedeck.engine.store.TaskStore.inMemory();
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));
        String id = submit(TaskSpec.of(MODEL, "hello", 5, 50));
        assertThat(finished(id).generatedTokens()).isEqualTo(5);

        closing.add(engine::close); // at the end: left running, as a kill -9 leaves it
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        TaskView after = view(id);
        assertThat(after.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(after.output()).isEqualTo("t0 t1 t2 t3 t4 ");
        assertThat(after.generatedTokens()).isEqualTo(5);
        assertThat(after.generation().finishReason()).isEqualTo("stop");
        assertThat(after.generation().usage().completionTokens()).isEqualTo(5);
        assertThat(after.generation().backend()).isEqualTo(fake.url());
    }

    @Test
    void completion_streamed_recordsTextTtftTokensAndUsage() throws Exception {
        FakeOpenAiServer fake = fake();
        fake.byDefault(Script.tokens(5).delays(150, 20));
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        TaskView done = finished(submit(TaskSpec.of(MODEL, "hello", 5, 16)));

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.output()).isEqualTo("t0 t1 t2 t3 t4 ");
        assertThat(done.generatedTokens()).isEqualTo(5);
        assertThat((done.firstTokenAt() - done.firstDispatchAt()) / 1e6).isGreaterThanOrEqualTo(150);
        assertThat(done.generation().finishReason()).isEqualTo("stop");
        assertThat(done.generation().usage().completionTokens()).isEqualTo(5);
        assertThat(done.generation().usage().promptTokens()).isEqualTo(7);
        assertThat(done.generation().interTokenMs()).isBetween(15.0, 1_000.0);
        assertThat(done.generation().backend()).isEqualTo(fake.url());
        var request = fake.requests().getFirst();
        assertThat(request.path("prompt").asText()).isEqualTo("hello");
        assertThat(request.path("stream").asBoolean()).isTrue();
        assertThat(request.path("stream_options").path("include_usage").asBoolean()).isTrue();
        assertThat(request.path("max_tokens").asInt()).isEqualTo(16);
        assertThat(request.has("priority")).isFalse();
        assertThat(fake.authorization()).isNull();
    }

    @Test
    void apiKey_isSentAsBearerToken() throws Exception {
        FakeOpenAiServer fake = fake();
        start(Backend.at(fake.url()).withModels(List.of(MODEL)).withApiKey("sk-backend"));

        assertThat(finished(submit(TaskSpec.of(MODEL, "x", 5, 4))).state()).isEqualTo(TaskState.SUCCEEDED);

        assertThat(fake.authorization()).isEqualTo("Bearer sk-backend");
    }

    @Test
    void messagesInput_goesToChatCompletions_withPriorityPassedThrough() throws Exception {
        FakeOpenAiServer fake = fake();
        start(Backend.at(fake.url()).withModels(List.of(MODEL)).withPriorityField("priority"));

        TaskView done = finished(submit(new TaskSpec(null, MODEL, "[{\"role\":\"user\",\"content\":\"hi\"}]", 2, null, null,
                null, null, null, null, Map.of(OpenAiInput.METADATA_KEY, OpenAiInput.MESSAGES))));

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.output()).isEqualTo("t0 t1 t2 t3 t4 ");
        var request = fake.requests().getFirst();
        assertThat(request.path("messages").get(0).path("content").asText()).isEqualTo("hi");
        assertThat(request.path("priority").asInt()).isEqualTo(2);
    }

    @Test
    void streamsEndingWithDone_leaveTheirConnectionForTheNext() throws Exception {
        // Closing the call at [DONE] used to drop the connection: every request paid a new one.
        FakeOpenAiServer fake = fake();
        java.util.Set<okhttp3.Connection> used = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger completions = new java.util.concurrent.atomic.AtomicInteger();
        okhttp3.OkHttpClient client = new okhttp3.OkHttpClient.Builder().eventListener(new okhttp3.EventListener() {
            @Override
            public void connectionAcquired(okhttp3.Call call, okhttp3.Connection connection) {
                if (call.request().url().encodedPath().endsWith("/completions")) {
                    used.add(connection);
                    completions.incrementAndGet();
                }
            }
        }).build();
        executor = OpenAiExecutor.builder().httpClient(client).healthInterval(Duration.ofMinutes(10)) // no probe beside
                .backend(Backend.at(fake.url()).withModels(List.of(MODEL)).withSlots(1)).build();
        closing.add(executor);
        engine = Engine.builder().executor(executor).build();
        engine.start();

        for (int i = 0; i < 3; i++) {
            assertThat(finished(submit(TaskSpec.of(MODEL, "x" + i, 5, 4))).state()).isEqualTo(TaskState.SUCCEEDED);
            // the task ends at [DONE]; its connection is back in the pool once the body's end is read
            await().atMost(WAIT).until(() -> client.connectionPool().idleConnectionCount() >= 1);
        }

        assertThat(completions.get()).isEqualTo(3);
        assertThat(used).hasSize(1);
    }

    static Stream<Arguments> quirks() {
        return Stream.of(
                Arguments.of("usage in its own last chunk, then [DONE]", Script.tokens(4), 4),
                Arguments.of("usage on the finishing chunk", Script.tokens(4).usageWithFinish(), 4),
                Arguments.of("no usage at all: tokens are counted from chunks", Script.tokens(4).withoutUsage(), -1),
                Arguments.of("no [DONE]: the finish reason and the end of the stream suffice", Script.tokens(4).withoutDone(), 4),
                Arguments.of("keep-alive comments between chunks", Script.tokens(4).withKeepAlives(), 4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("quirks")
    void serverQuirks_areUnderstood(String quirk, Script script, int usageTokens) throws Exception {
        FakeOpenAiServer fake = fake();
        fake.byDefault(script);
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        TaskView done = finished(submit(TaskSpec.of(MODEL, "q", 5, 8)));

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.output()).isEqualTo("t0 t1 t2 t3 ");
        assertThat(done.generatedTokens()).isEqualTo(4);
        if (usageTokens < 0) {
            assertThat(done.generation().usage()).isNull();
        } else {
            assertThat(done.generation().usage().completionTokens()).isEqualTo(usageTokens);
        }
    }

    static Stream<Arguments> passingFailures() {
        return Stream.of(
                Arguments.of("a 500", Script.error(500, "engine overloaded")),
                Arguments.of("a 503", Script.error(503, "warming up")),
                Arguments.of("a connection reset mid-stream", Script.tokens(5).resetAfter(2)),
                Arguments.of("a malformed event", Script.tokens(5).withMalformedEvent()),
                Arguments.of("a stream cut short without a finish", Script.tokens(3).truncated()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("passingFailures")
    void passingFailure_isRetried_andTheTaskSucceeds(String what, Script failure) throws Exception {
        FakeOpenAiServer fake = fake();
        fake.then(failure);
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        TaskView done = finished(submit(TaskSpec.of(MODEL, "x", 5, 8)));

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(done.output()).isEqualTo("t0 t1 t2 t3 t4 ");
        assertThat(done.generatedTokens()).isEqualTo(5); // the failed attempt's tokens are not counted twice
    }

    @Test
    void connectionReset_everyTime_failsWithAReasonInWords() throws Exception {
        FakeOpenAiServer fake = fake();
        fake.byDefault(Script.tokens(5).resetAfter(2));
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        TaskView done = finished(submit(TaskSpec.of(MODEL, "x", 5, 8)));

        assertThat(done.state()).isEqualTo(TaskState.DEAD_LETTERED);
        // the reason reaches front-door clients: what happened, not a Java class ("EOFException: null")
        assertThat(done.error()).startsWith("the connection to the backend failed: ")
                .doesNotContain("Exception").doesNotContain("null");
    }

    @Test
    void malformedStream_everyTime_failsWithAClearReason() throws Exception {
        FakeOpenAiServer fake = fake();
        fake.byDefault(Script.tokens(5).withMalformedEvent());
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        TaskView done = finished(submit(TaskSpec.of(MODEL, "x", 5, 8)));

        assertThat(done.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(done.attempts()).isEqualTo(5);
        assertThat(done.error()).contains("malformed stream: an event is not JSON: {not json");
    }

    @Test
    void answerFarLongerThanMaxTokens_isCutOff_andTheTaskFailsSayingSo() throws Exception {
        FakeOpenAiServer fake = fake(); // 2 MiB a task filled a 256 MB heap after 36 tasks
        fake.byDefault(new Script(List.of("x".repeat(10_000)), 0, 0, 200, null, null, -1, true, true, true, false, false, "stop"));
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        TaskView done = finished(submit(TaskSpec.of(MODEL, "x", 5, 8)));

        assertThat(done.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(done.error()).contains("the backend sent more than 4608 characters of answer (max_tokens 8): cut off");
        assertThat(done.attempts()).as("the same request would bring the same answer").isEqualTo(1);
        assertThat(done.output()).isNull();
    }

    @Test
    void withoutMaxTokens_aLongAnswerIsKeptWhole_upToTheMostATaskKeeps() throws Exception {
        FakeOpenAiServer fake = fake(); // OpenAI clients mostly leave max_tokens out: answers over 4,096 characters failed
        fake.byDefault(new Script(List.of("x".repeat(100_000)), 0, 0, 200, null, null, -1, true, true, true, false, false, "stop"));
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        TaskView done = finished(submit(new TaskSpec(null, MODEL, "x", 5, null, null, null, null, null, null, null)));

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.output()).hasSize(100_000);
    }

    @Test
    void aLineOfTheStreamLongerThanAMebibyte_isCutOffBeforeItIsRead() throws Exception {
        FakeOpenAiServer fake = fake(); // one 200 MiB line without a newline killed a fresh server
        fake.byDefault(new Script(List.of("y".repeat(3 << 20)), 0, 0, 200, null, null, -1, true, true, true, false, false, "stop"));
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        TaskView done = finished(submit(TaskSpec.of(MODEL, "x", 5, 100_000)));

        assertThat(done.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(done.error()).isEqualTo("malformed stream: a line of the stream is longer than 1 MiB");
        assertThat(done.attempts()).as("the same request would bring the same line").isEqualTo(1);
    }

    /** A 429 asking for an hour idled the backend for every tenant, unseen, and online did not end it. */
    @Test
    void rateLimited_forAnHour_pausesAMinuteAtMost_showsIt_andOnlineEndsIt() throws Exception {
        FakeOpenAiServer fake = fake();
        fake.then(Script.busy("3600"));
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        String id = submit(TaskSpec.of(MODEL, "x", 5, 8));
        await().atMost(Duration.ofSeconds(10)).until(() -> busyFor() != null);
        assertThat(busyFor()).isBetween(50.0, 60.0);

        engine.send(new Command.SetInstanceOnline(0, true)).join();

        assertThat(finished(id).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(busyFor()).isNull();
    }

    private Double busyFor() {
        return engine.send(new Command.TakeSnapshot()).join().instances().getFirst().backend().busyForSeconds();
    }

    @Test
    void rateLimited_honoursRetryAfter_thenSucceeds() throws Exception {
        FakeOpenAiServer fake = fake();
        fake.then(Script.busy("1"));
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        TaskView done = finished(submit(TaskSpec.of(MODEL, "x", 5, 8)));

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(done.error()).as("the first attempt's 429 is not the task's outcome").isNull();
        // the retry waited out the backend's Retry-After, not just the engine's 10 ms backoff
        assertThat((done.finishedAt() - done.firstDispatchAt()) / 1e6).isGreaterThanOrEqualTo(1_000);
    }

    @Test
    void redirect_isNotFollowed_andFailsAtOnceSayingSo() throws Exception {
        FakeOpenAiServer fake = fake(); // it was followed, then reported as "the backend refused the connection" and retried
        fake.byDefault(Script.error(302, "moved"));
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        TaskView done = finished(submit(TaskSpec.of(MODEL, "x", 5, 8)));

        assertThat(done.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.error()).startsWith("the backend answered with a redirect (302); redirects are not followed")
                .doesNotContain("10.20.30.40"); // the operator's log says where
    }

    @Test
    void clientError_failsAtOnce_withTheBackendsMessage() throws Exception {
        FakeOpenAiServer fake = fake();
        fake.byDefault(Script.error(400, "This model's maximum context length is 4096 tokens"));
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        TaskView done = finished(submit(TaskSpec.of(MODEL, "x", 5, 8)));

        assertThat(done.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.error()).isEqualTo("the backend refused the request (400): This model's maximum context length is 4096 tokens");
    }

    /**
     * A 401 or 403 refuses QueueDeck's key, not the task: it failed the task at once as the client's
     * own error ("the backend refused the request (401)"), though another backend could run it.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {401, 403})
    void refusedCredentials_areTheBackendsFault_andTheTaskRunsOnAnother(int status) throws Exception {
        FakeOpenAiServer refusing = fake();
        refusing.byDefault(Script.error(status, "Invalid API key"));
        FakeOpenAiServer serving = fake();
        start(Backend.at(refusing.url()).withModels(List.of(MODEL)), Backend.at(serving.url()).withModels(List.of(MODEL)));

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(submit(TaskSpec.of(MODEL, "x" + i, 5, 4)));
        }

        for (String id : ids) {
            assertThat(finished(id).state()).isEqualTo(TaskState.SUCCEEDED);
        }
        assertThat(refusing.requests()).as("the refusing backend was tried").isNotEmpty();
    }

    @Test
    void refusedCredentials_everywhere_failTheTask_sayingWhose() throws Exception {
        FakeOpenAiServer fake = fake();
        fake.byDefault(Script.error(401, "Invalid API key"));
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        TaskView done = finished(submit(TaskSpec.of(MODEL, "x", 5, 8)));

        assertThat(done.state()).isEqualTo(TaskState.DEAD_LETTERED);
        assertThat(done.attempts()).as("retried like a server failure").isEqualTo(5);
        assertThat(done.error()).isEqualTo("the backend refused QueueDeck's credentials (401): Invalid API key");
    }

    @Test
    void frontDoorTask_withoutItsClient_isNotSentToTheBackend() throws Exception {
        FakeOpenAiServer fake = fake();
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        TaskView done = finished(submit(new TaskSpec(null, MODEL, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 5, null, null, null, null, 4, null,
                Map.of(OpenAiInput.METADATA_KEY, OpenAiInput.CHAT_REQUEST, OpenAiInput.FRONT_DOOR_KEY, "true"))));

        // cancelled, as its client's own cancel would have it: not a dead letter to alert on or replay
        assertThat(done.state()).isEqualTo(TaskState.CANCELLED);
        assertThat(done.error()).contains("its front-door client is no longer connected");
        assertThat(fake.requests()).isEmpty();
        assertThat(engine.send(new Command.TakeSnapshot()).join().counters().deadLettered()).isZero();
    }

    @Test
    void cancel_closesTheStream() throws Exception {
        FakeOpenAiServer fake = fake();
        fake.byDefault(Script.tokens(200).delays(0, 20));
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));
        String id = submit(TaskSpec.of(MODEL, "long", 5, 200));
        await().atMost(WAIT).until(() -> view(id).generatedTokens() > 0);

        engine.send(new Command.Cancel(id)).join();

        assertThat(view(id).state()).isEqualTo(TaskState.CANCELLED);
        await().atMost(WAIT).until(() -> fake.closedByClient() == 1 && fake.openStreams() == 0);
    }

    /** Run again after a timeout, a streamed answer's client heard its first chunks three times over. */
    @Test
    void aTimeoutAfterChunksReachedTheClient_endsTheAnswer_withoutRunningItAgain() throws Exception {
        FakeOpenAiServer fake = fake();
        fake.byDefault(Script.tokens(3).delays(10, 30_000)); // the first token, then silence past the total timeout
        startWith(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(1), Backend.at(fake.url()).withModels(List.of(MODEL)));
        List<String> chunks = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        executor.streams().listen("streamed", new StreamListener() {
            @Override
            public void chunk(String data) {
                chunks.add(data);
            }

            @Override
            public void finished(String text, io.queuedeck.engine.task.Generation generation) {}

            @Override
            public void attemptFailed(String reason, boolean retryable, int backendStatus) {
                failures.add(retryable + " " + reason);
            }
        });

        TaskView done = finished(submit(TaskSpec.of(MODEL, "x", 5, 8).withTaskId("streamed")));

        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.error()).startsWith("the backend did not finish within 1000 ms after ").contains("not run again");
        assertThat(chunks.stream().filter(c -> c.contains("t0")).count()).as("the first token, heard once").isEqualTo(1);
        assertThat(failures).singleElement().asString().startsWith("false ");
    }

    @Test
    void modelsNotNamed_areDiscovered() throws Exception {
        FakeOpenAiServer fake = fake("alpha", "beta");
        start(Backend.at(fake.url() + "/v1")); // the OpenAI-style base URL with /v1 works too

        assertThat(executor.models()).containsExactly("alpha", "beta");
        assertThat(finished(submit(TaskSpec.of("beta", "x", 5, 4))).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(fake.requests().getFirst().path("model").asText()).isEqualTo("beta");
    }

    @Test
    void unreachableBackend_withoutModels_failsAtStart() {
        assertThatThrownBy(() -> OpenAiExecutor.builder().backend(Backend.at("http://127.0.0.1:9")).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("names no model and GET /v1/models failed");
    }

    @Test
    void unknownModel_isRefusedAtSubmission() throws Exception {
        FakeOpenAiServer fake = fake();
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        assertThatThrownBy(() -> engine.send(new Command.Submit(TaskSpec.of("other", "x", 5, 4))).join())
                .isInstanceOf(CompletionException.class).cause().isInstanceOf(InvalidTaskException.class)
                .hasMessageContaining("model 'other' is not served by any backend; served: [fake-model]");
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "n of 5             | openai_chat       | {'messages':[{'role':'user','content':'hi'}],'n':5}           | input.n",
        "max_tokens too big | openai_chat       | {'messages':[{'role':'user','content':'hi'}],'max_tokens':99999999} | input.max_tokens",
        "two prompts        | openai_completion | {'prompt':['a','b']}                                          | input.prompt",
        "no messages        | openai_chat       | {}                                                            | input.messages",
        "messages a string  | openai_chat       | {'messages':'x'}                                              | input.messages",
        "no prompt          | openai_completion | {'max_tokens':4}                                              | input.prompt",
        "not JSON           | openai_chat       | {nope                                                         | input",
    })
    void requestBodyOfARestTask_isCheckedAsTheFrontDoorChecksIt(String label, String format, String input, String field)
            throws Exception {
        FakeOpenAiServer fake = fake(); // n:5 and max_tokens:99999999 reached the backend; a bad input was named max_tokens
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));
        TaskSpec spec = new TaskSpec(null, MODEL, input.replace('\'', '"'), 5, null, null, null, null, 8, null,
                java.util.Map.of(OpenAiInput.METADATA_KEY, format));

        assertThatThrownBy(() -> engine.send(new Command.Submit(spec)).join())
                .isInstanceOf(CompletionException.class).cause().isInstanceOfSatisfying(InvalidTaskException.class,
                        e -> assertThat(e.errors().getFirst().field()).isEqualTo(field));
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void backendFlag_parses() {
        Backend b = Backend.parse("http://gpu1:8000/v1,model=llama,model=qwen,slots=16,key_env=K,priority=priority",
                Map.of("K", "secret")::get);
        assertThat(b.baseUrl().toString()).isEqualTo("http://gpu1:8000");
        assertThat(b.models()).containsExactly("llama", "qwen");
        assertThat(b.slots()).isEqualTo(16);
        assertThat(b.apiKey()).isEqualTo("secret");
        assertThat(b.priorityField()).isEqualTo("priority");
        assertThat(b.toString()).doesNotContain("secret");
        assertThatThrownBy(() -> Backend.parse("http://h,slots=x", k -> null)).hasMessageContaining("slots must be a whole number");
        assertThatThrownBy(() -> Backend.parse("http://h,key_env=NOPE", k -> null)).hasMessageContaining("NOPE is not set");
        assertThatThrownBy(() -> Backend.parse("ftp://h", k -> null)).hasMessageContaining("http(s)://");
        assertThatThrownBy(() -> Backend.parse("http://user:pw-secret@h:8000,model=m", k -> null)) // the line began with the password
                .hasMessageContaining("must not carry credentials").hasMessageNotContaining("pw-secret");
    }
}
