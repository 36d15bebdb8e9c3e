package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.control.PriorityRule;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.control.RuleSet;
import io.queuedeck.engine.exec.openai.Backend;
import io.queuedeck.engine.exec.openai.FakeBackendRig;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer.Script;
import io.queuedeck.engine.exec.openai.OpenAiExecutor;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The front door with the official OpenAI Java SDK as its client and a real (fake) OpenAI-compatible
 * server behind the executor: what existing OpenAI clients see, over HTTP on both sides.
 */
class OpenAiFrontDoorTest extends OpenAiFrontDoorFixture {
    @Test
    void chatCompletion_whole() throws Exception {
        start(8, Script.tokens(3));

        ChatCompletion answer = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("hello").maxCompletionTokens(3).build());

        assertThat(answer.choices().getFirst().message().content()).contains("t0 t1 t2 ");
        assertThat(answer.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(answer.usage().orElseThrow().completionTokens()).isEqualTo(3);
        assertThat(answer.model()).isEqualTo(MODEL);
        var sent = fake.requests().getFirst();
        assertThat(sent.path("messages").get(0).path("content").asText()).isEqualTo("hello");
        assertThat(sent.path("stream").asBoolean()).isTrue(); // always streamed to the backend, to time tokens
        TaskView task = onlyTask();
        assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(task.output()).isEqualTo("t0 t1 t2 ");
        assertThat(task.generation().usage().completionTokens()).isEqualTo(3);
        // what GET /v1/tasks/{id} (and a result callback, the same report) says about it
        var report = new Http(server.baseUri()).get("/v1/tasks/" + task.id()).json();
        assertThat(report.path("output").asText()).isEqualTo("t0 t1 t2 ");
        assertThat(report.path("finish_reason").asText()).isEqualTo("stop");
        assertThat(report.path("usage").path("completion_tokens").asInt()).isEqualTo(3);
        assertThat(report.path("usage").path("prompt_tokens").asInt()).isEqualTo(7);
        assertThat(report.path("backend").asText()).isEqualTo(fake.url());
        assertThat(report.path("metadata").path("input_format").asText()).isEqualTo("openai_chat");
        assertThat(report.has("ttft_ms")).isTrue();
    }

    @Test
    void chatCompletion_whole_keepsToolCallsAndLogprobs_asTheStreamCarriedThem() throws Exception {
        start(8, Script.tokens(3));
        fake.toolCallsAndLogprobs();

        ChatCompletion answer = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("look it up").maxCompletionTokens(3).logprobs(true).build());

        // the whole answer held only the content: an agent's tool call was lost
        var message = answer.choices().getFirst().message();
        var call = message.toolCalls().orElseThrow().getFirst().asFunction();
        assertThat(call.id()).isEqualTo("call-1");
        assertThat(call.function().name()).isEqualTo("lookup");
        assertThat(call.function().arguments()).isEqualTo("{\"q\":\"x\"}");
        assertThat(answer.choices().getFirst().logprobs().orElseThrow().content().orElseThrow())
                .extracting(l -> l.token()).containsExactly("t0 ", "t1 ", "t2 ");
    }

    /**
     * A reasoning model's thinking reaches a whole answer's message, in the field the server sent it
     * in, as a stream relays it: the whole answer had the text alone.
     */
    @Test
    void chatCompletion_whole_keepsTheReasoning_asTheStreamCarriedIt() throws Exception {
        start(8, Script.tokens(3));
        fake.reasoning();

        ChatCompletion answer = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("think first").maxCompletionTokens(3).build());

        var message = answer.choices().getFirst().message();
        assertThat(message.content()).contains("t0 t1 t2 ");
        assertThat(message._additionalProperties().get("reasoning_content")).isEqualTo(JsonValue.from("r0 r1 r2 "));
    }

    /**
     * Whole answers' log probabilities are held until the end: each answer had a bound of its own
     * (32 Mi characters), none together, and three clients asking for {@code top_logprobs} ran a
     * 256 MB heap out. Past what they may hold together, the answer is a 503 to retry; a stream,
     * which holds nothing, is not refused, and the room comes back when the answer ends.
     */
    @Test
    void wholeAnswersLogprobs_beyondWhatAllMayHold_are503_andTheRoomComesBack() throws Exception {
        started(FakeBackendRig.serving(MODEL).slots(8).script(Script.tokens(100)).discoverModels()
                .executor(e -> e.wholeAnswerChars(2_000)).api().start()); // 100 tokens: about 4,500 characters of logprobs
        fake.toolCallsAndLogprobs();
        Http http = new Http(server.baseUri());
        String asked = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logprobs\":true";

        Http.Response refused = http.post("/v1/chat/completions", asked + "}");

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.json().path("error").path("code").asText()).isEqualTo("server_busy");
        assertThat(refused.json().path("error").path("message").asText()).contains("stream: true");
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        Http.Response streamed = http.post("/v1/chat/completions", asked + ",\"stream\":true}");
        assertThat(streamed.status()).isEqualTo(200);
        assertThat(streamed.body()).contains("t99 ").endsWith("data: [DONE]\n\n");

        fake.then(Script.tokens(3)); // about 140 characters: there is room again
        Http.Response small = http.post("/v1/chat/completions", asked + "}");

        assertThat(small.status()).isEqualTo(200);
        assertThat(small.json().path("choices").path(0).path("logprobs").path("content")).hasSize(3);
        assertThat(small.json().path("choices").path(0).path("logprobs").path("content").path(2).path("token").asText())
                .isEqualTo("t2 ");
    }

    /**
     * A whole answer's client holds nothing but keep-alive spaces until the end: a backend that broke
     * off mid-answer got it a 502 after one attempt ("after 3 chunks were relayed to the client")
     * where a REST task runs again. Its second attempt's answer comes whole, nothing of the first in it.
     */
    @Test
    void chatCompletion_whole_isRunAgain_whenTheBackendBreaksOffMidAnswer() throws Exception {
        start(8, Script.tokens(3));
        fake.toolCallsAndLogprobs();
        fake.then(Script.tokens(8).resetAfter(3));

        ChatCompletion answer = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("hello").maxCompletionTokens(3).logprobs(true).build());

        assertThat(answer.choices().getFirst().message().content()).contains("t0 t1 t2 ");
        assertThat(answer.choices().getFirst().logprobs().orElseThrow().content().orElseThrow())
                .as("the first attempt's gathered parts are gone").extracting(l -> l.token()).containsExactly("t0 ", "t1 ", "t2 ");
        assertThat(answer.choices().getFirst().message().toolCalls().orElseThrow()).hasSize(1);
        assertThat(onlyTask().attempts()).isEqualTo(2);
    }

    @Test
    void chatCompletion_streamed_chunkByChunk() throws Exception {
        start(8, Script.tokens(4).delays(0, 30));

        StringBuilder text = new StringBuilder();
        int chunks = 0;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("hello").build())) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                chunks++;
                assertThat(chunk.usage()).isEmpty(); // the client did not ask for usage: QueueDeck's own request is hidden
                chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
            }
        }

        assertThat(text.toString()).isEqualTo("t0 t1 t2 t3 ");
        assertThat(chunks).isEqualTo(5); // the role chunk and one per token, exactly as the backend sent them
    }

    @Test
    void chatCompletion_streamed_withUsageAskedFor_getsTheUsageChunk() throws Exception {
        start(8, Script.tokens(4));
        List<ChatCompletionChunk> chunks = new ArrayList<>();

        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("hello")
                        .streamOptions(com.openai.models.chat.completions.ChatCompletionStreamOptions.builder()
                                .includeUsage(true).build()).build())) {
            stream.stream().forEach(chunks::add);
        }

        assertThat(chunks).hasSize(6);
        assertThat(chunks.getLast().choices()).isEmpty();
        assertThat(chunks.getLast().usage().orElseThrow().completionTokens()).isEqualTo(4);
    }

    @Test
    void completion_whole() throws Exception {
        start(8, Script.tokens(2));

        Completion answer = client.completions().create(CompletionCreateParams.builder()
                .model(MODEL).prompt("once upon").maxTokens(2).build());

        assertThat(answer.choices().getFirst().text()).isEqualTo("t0 t1 ");
        assertThat(fake.requests().getFirst().path("prompt").asText()).isEqualTo("once upon");
    }

    @Test
    void modelList_isWhatTheBackendsServe() throws Exception {
        start(8, Script.tokens(1));

        List<String> ids = client.models().list().data().stream().map(Model::id).toList();

        assertThat(ids).containsExactly(MODEL);
        assertThat(client.models().retrieve(MODEL).id()).isEqualTo(MODEL); // it was the REST API's 404
        assertThatThrownBy(() -> client.models().retrieve("no-such-model"))
                .isInstanceOf(com.openai.errors.NotFoundException.class);
    }

    @Test
    void unknownModel_is404_inOpenAisShape() throws Exception {
        start(8, Script.tokens(1));

        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o").addUserMessage("hi").build()))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("the model 'gpt-4o' is not served here");
    }

    @Test
    void fullQueue_is429_withRetryAfter() throws Exception {
        start(1, Script.tokens(400).delays(0, 20), 1);
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        try {
            callers.submit(() -> client.chat().completions().create(chat("running")));
            await().atMost(WAIT).until(() -> fake.openStreams() == 1);
            callers.submit(() -> client.chat().completions().create(chat("queued")));
            await().atMost(WAIT).until(() -> engine.latestSnapshot().queued() == 1);

            assertThatThrownBy(() -> client.chat().completions().create(chat("refused")))
                    .isInstanceOf(RateLimitException.class)
                    .satisfies(e -> assertThat(((RateLimitException) e).headers().values("Retry-After")).containsExactly("1"))
                    .hasMessageContaining("the queue holds 1 waiting tasks");
        } finally {
            callers.shutdownNow();
        }
    }

    /** A backend's 404 on a whole answer was followed by the API's own 404 body: two JSON objects, no client could read it. */
    @Test
    void aBackendsNotFound_isAnsweredWithOneBody() throws Exception {
        start(8, Script.error(404, "Not Found"));

        var answer = wholeChatOverHttp();

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.body().split("\\{\"error\"", -1)).as("one error object in the body: " + answer.body()).hasSize(2);
        assertThat(answer.json().path("error").path("message").asText()).isEqualTo("the backend refused the request (404): Not Found");
    }

    /**
     * A refusal that takes the backend longer than a keep-alive's interval still reaches a whole answer's
     * client with its own status: the first keep-alive space, which commits a 200, waited only 0.5 s,
     * and the client got a 200 with an error body, which OpenAI clients do not raise.
     */
    @Test
    void aRefusalAfterASecond_keepsItsStatus_forAWholeAnswer() throws Exception {
        start(8, Script.error(400, "This model's maximum context length is 4096 tokens").delays(1_500, 0));

        var answer = wholeChatOverHttp();

        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.json().path("error").path("message").asText()).contains("maximum context length");
    }

    /** A backend's 499 reached the client as this door's 499 {@code cancelled}, an operator's cancel. */
    @Test
    void aBackendsOwn499_isA502_notAnOperatorsCancel() throws Exception {
        start(8, Script.error(499, "client closed request"));

        var answer = wholeChatOverHttp();

        assertThat(answer.status()).isEqualTo(502);
        assertThat(answer.json().path("error").path("message").asText()).isEqualTo("the backend refused the request (499): client closed request");
    }

    /** An OpenAI client takes a 401 as its own key refused: a backend refusing QueueDeck's key is a 502. */
    @Test
    void aBackendRefusingQueueDecksKey_isA502_notTheClients401() throws Exception {
        // Its three attempts end in under a second, within the quiet seconds before a whole answer's
        // first keep-alive, which would commit its 200 (WholeAnswer.QUIET)
        started(FakeBackendRig.serving(MODEL).slots(8).script(Script.error(401, "Invalid API key")).discoverModels().api().start());

        assertThatThrownBy(() -> client.chat().completions().create(chat("hello")))
                .isInstanceOf(com.openai.errors.InternalServerException.class)
                .satisfies(e -> assertThat(((com.openai.errors.InternalServerException) e).statusCode()).isEqualTo(502))
                .hasMessageContaining("the backend refused QueueDeck's credentials (401): Invalid API key");
        assertThat(onlyTask().state()).isEqualTo(TaskState.DEAD_LETTERED);
    }

    /**
     * One slot, held by a slow request; ten priority-9 requests queue behind it, then one at
     * priority 0: the scheduler sends the urgent one to the backend first.
     */
    @Test
    void urgentRequest_sentAfterTenLowOnes_isAnsweredFirst() throws Exception {
        start(1, Script.tokens(2));
        var blocking = fake.holdNext();
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<ChatCompletion>> low = new ArrayList<>();
        try {
            Future<ChatCompletion> blocker = callers.submit(() -> client.chat().completions().create(chat("blocker", 5)));
            await().atMost(WAIT).until(() -> fake.openStreams() == 1);
            for (int i = 0; i < 10; i++) {
                String name = "low-" + i;
                low.add(callers.submit(() -> client.chat().completions().create(chat(name, 9))));
            }
            await().atMost(WAIT).until(() -> engine.latestSnapshot().queued() == 10);
            Future<ChatCompletion> urgent = callers.submit(() -> client.chat().completions().create(chat("urgent", 0)));
            await().atMost(WAIT).until(() -> engine.latestSnapshot().queued() == 11);
            blocking.countDown();

            urgent.get();
            blocker.get();
            for (Future<ChatCompletion> f : low) {
                f.get();
            }
        } finally {
            callers.shutdownNow();
        }

        List<String> order = fake.requests().stream().map(r -> r.path("messages").get(0).path("content").asText()).toList();
        assertThat(order).hasSize(12);
        assertThat(order.subList(0, 2)).containsExactly("blocker", "urgent");
    }

    @Test
    void simulatedGpus_answerTheFrontDoorToo_wholeAndStreamed() {
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(10)).build();
        engine.start();
        server = ApiServer.builder(engine).port(0).virtualThreads()
                .openAiFrontDoor(List.of(Engine.Builder.DEFAULT_MODEL))
                .build().start();
        client = OpenAIOkHttpClient.builder().baseUrl(server.baseUri() + "/v1").apiKey("unused").maxRetries(0).build();
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(Engine.Builder.DEFAULT_MODEL)
                .addUserMessage("hi").maxCompletionTokens(4).build();

        ChatCompletion whole = client.chat().completions().create(params);
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(c -> c.delta().content().ifPresent(streamed::append)));
        }

        assertThat(whole.choices().getFirst().message().content()).contains("simulated completion of 4 tokens");
        assertThat(whole.usage().orElseThrow().completionTokens()).isEqualTo(4);
        assertThat(streamed.toString()).isEqualTo("simulated completion of 4 tokens");
        assertThat(client.models().list().data().stream().map(Model::id).toList()).containsExactly(Engine.Builder.DEFAULT_MODEL);

        // usage asked for: its own last chunk, as a server sends it
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params.toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            chunks = stream.stream().toList();
        }
        assertThat(chunks.getLast().choices()).isEmpty();
        assertThat(chunks.getLast().usage().orElseThrow().completionTokens()).isEqualTo(4);

        // a completion streams completions' chunks (text), not chat deltas
        StringBuilder text = new StringBuilder();
        try (StreamResponse<Completion> stream = client.completions().createStreaming(CompletionCreateParams.builder()
                .model(Engine.Builder.DEFAULT_MODEL).prompt("hi").maxTokens(4).build())) {
            stream.stream().forEach(chunk -> {
                assertThat(chunk._object_()).isEqualTo(JsonValue.from("text_completion"));
                chunk.choices().forEach(c -> text.append(c.text()));
            });
        }
        assertThat(text.toString()).isEqualTo("simulated completion of 4 tokens");
    }

    /**
     * Front-door requests are classified as REST submissions are (decision 0031): X-Priority wins
     * (refused beyond the client's allowance, 403 as on REST), else the priority rules (here on the
     * request's OpenAI metadata, capped at the client's allowance), else the default; each task
     * records its rule and release.
     */
    @Test
    void requests_classifiedByThePriorityRules_likeRestSubmissions() throws Exception {
        fake = new FakeOpenAiServer(MODEL);
        fake.byDefault(Script.tokens(2));
        executor = OpenAiExecutor.builder().backend(Backend.at(fake.url()).withSlots(1)).build();
        RuleSet rules = new RuleSet(List.of(
                new PriorityRule("payments", Set.of("user_auth"), null, null, null, null, 1),
                new PriorityRule("batch-model", null, null, Set.of(MODEL), null, null, 7)));
        engine = Engine.builder().executor(executor).snapshotInterval(Duration.ofMillis(10))
                .classifier(new ReleaseClassifier(rules)).build();
        engine.start();
        String token = "front-door-token-0123456789abcdef0123";
        server = ApiServer.builder(engine).port(0).virtualThreads()
                .client(token, new ClientPolicy("capped", 2, 0, 0, "acme", EnumSet.of(Scope.SUBMIT, Scope.READ)))
                .openAiFrontDoor(executor.models(), executor.streams()).build().start();
        client = OpenAIOkHttpClient.builder().baseUrl(server.baseUri() + "/v1").apiKey(token).maxRetries(0)
                .timeout(Duration.ofSeconds(30)).build();

        TaskView byRule = taskOf(chat("pay").toBuilder()
                .metadata(ChatCompletionCreateParams.Metadata.builder().putAdditionalProperty("business_class",
                        JsonValue.from("user_auth")).build()).build());
        TaskView byModelRule = taskOf(chat("plain"));
        TaskView byHeader = taskOf(chat("own", 6));

        assertThat(byRule.priority()).isEqualTo(2); // the rule says 1; this client may use 2 to 9
        assertThat(byRule.spec().classification().rule()).isEqualTo("payments");
        assertThat(byRule.spec().classification().release()).isEqualTo("stable");
        assertThat(byRule.spec().classification().reason()).contains("capped at 2");
        assertThat(byRule.spec().tenant()).isEqualTo("acme");
        assertThat(byModelRule.priority()).isEqualTo(7);
        assertThat(byModelRule.spec().classification().rule()).isEqualTo("batch-model");
        assertThat(byHeader.priority()).isEqualTo(6);
        assertThat(byHeader.spec().classification().rule()).isEqualTo(TaskSpec.Classification.EXPLICIT);
        assertThatThrownBy(() -> client.chat().completions().create(chat("too urgent", 1)))
                .isInstanceOf(com.openai.errors.PermissionDeniedException.class);
    }

    /** Sends {@code params} and answers the task it became, read back from the engine. */
    private TaskView taskOf(ChatCompletionCreateParams params) {
        try (var response = client.chat().completions().withRawResponse().create(params)) {
            assertThat(response.statusCode()).isEqualTo(200);
            String id = response.headers().values(OpenAiFrontDoor.TASK_HEADER).getFirst();
            return engine.send(new Command.FindTask(id)).join().orElseThrow();
        }
    }

    @Test
    void chunkedGeneration_streamedAcrossDemotions_isOneUninterruptedStream_andWholeAnswersJoinTheChunks() throws Exception {
        // 14 tokens, 4 a chunk: four requests to the backend. Each chunk takes > 6 ms (3 gaps of 2 ms),
        // more than the 1, 2 and 4 ms quanta of levels 0..2, so MLFQ demotes the task after each of the
        // first three chunks; it waits its turn again and continues where it stopped.
        started(FakeBackendRig.serving(MODEL).slots(1).continuing().script(Script.tokens(14).delays(0, 2))
                .executor(e -> e.chunkedGeneration(4))
                .engine(e -> e.policy("mlfq").policyConfig(io.queuedeck.engine.policy.PolicyConfig.of(
                        java.util.Map.of("q0_ms", "1", "levels", "4", "prefill_tokens_per_s", "1000000000"))))
                .api().start());
        ChatCompletionCreateParams params = chat("hello").toBuilder().maxCompletionTokens(14)
                .streamOptions(com.openai.models.chat.completions.ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();

        StringBuilder streamed = new StringBuilder();
        List<String> finishes = new ArrayList<>();
        List<Long> usages = new ArrayList<>();
        List<String> roles = new ArrayList<>();
        java.util.Set<String> identities = new java.util.LinkedHashSet<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                identities.add(chunk.id() + " " + chunk.created() + " " + chunk.model());
                chunk.usage().ifPresent(u -> usages.add(u.completionTokens()));
                chunk.choices().forEach(c -> {
                    c.delta().content().ifPresent(streamed::append);
                    c.delta().role().ifPresent(r -> roles.add(r.toString()));
                    c.finishReason().ifPresent(f -> finishes.add(f.toString()));
                });
            });
        }

        assertThat(streamed.toString()).isEqualTo(text(14));
        assertThat(finishes).containsExactly("stop"); // no "length" at the seams
        assertThat(roles).hasSize(1); // one assistant turn, not one per chunk
        assertThat(usages).containsExactly(14L); // the whole answer's usage, once, at the end
        // one completion: the first request's id and created on every chunk, though four requests made it
        assertThat(identities).containsExactly("chatcmpl-1 1700000001 " + MODEL);
        assertThat(fake.requests()).hasSize(4);
        assertThat(fake.requests().get(3).path("messages").get(1).path("content").asText()).isEqualTo(text(12));
        TaskView task = tasks().getFirst();
        assertThat(task.level()).isEqualTo(3);
        assertThat(task.preemptions()).isPositive(); // demoted at the seams, it went back to the queue between chunks

        ChatCompletion whole = client.chat().completions().create(chat("hello").toBuilder().maxCompletionTokens(14).build());
        assertThat(whole.choices().getFirst().message().content()).hasValue(text(14));
        assertThat(whole.choices().getFirst().finishReason().toString()).isEqualTo("stop");
        assertThat(whole.usage().orElseThrow().completionTokens()).isEqualTo(14);
    }
}
