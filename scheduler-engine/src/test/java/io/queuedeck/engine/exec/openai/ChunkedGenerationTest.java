package io.queuedeck.engine.exec.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer.Script;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Chunked generation against a fake backend that behaves like a deterministic model (it honours
 * max_tokens and continues a prompt that ends with its own tokens): demotions between chunks, a
 * more urgent task taking the slot at a boundary, and the final text being the concatenation.
 */
class ChunkedGenerationTest {
    private static final String MODEL = "fake-model";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private FakeOpenAiServer fake;
    private OpenAiExecutor executor;
    private Engine engine;

    private FakeBackendRig rig;

    @AfterEach
    void tearDown() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void longTask_runsInChunks_isDemotedBetweenThem_andItsTextIsTheConcatenation() throws Exception {
        // 14 tokens, 4 a chunk: chunks of 4, 4, 4, 2. Each chunk takes > 6 ms (3 gaps of 2 ms), more
        // than the 1, 2 and 4 ms quanta of levels 0..2, so MLFQ demotes the task after each of the
        // first three chunks, and it continues from the bottom level.
        start(1, 4, Script.tokens(14).delays(0, 2));

        TaskView done = finished(submit(TaskSpec.of(MODEL, "hello ", 0, 14)));

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.output()).isEqualTo(text(0, 14));
        assertThat(done.generatedTokens()).isEqualTo(14);
        assertThat(done.level()).isEqualTo(3);
        assertThat(done.preemptions()).isEqualTo(3); // a demoted chunk yields its slot and queues again
        assertThat(done.generation().finishReason()).isEqualTo("stop");
        assertThat(done.generation().usage().completionTokens()).isEqualTo(14);
        List<JsonNode> requests = fake.requests();
        assertThat(requests).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(requests.get(i).path("prompt").asText()).isEqualTo("hello " + text(0, 4 * i));
            assertThat(requests.get(i).path("max_tokens").asInt()).isEqualTo(i < 3 ? 4 : 2);
        }
    }

    @Test
    void urgentTask_arrivingDuringAChunk_runsAtTheNextBoundary_beforeTheLongTaskEnds() throws Exception {
        start(1, 4, Script.tokens(12).delays(0, 2));
        var gate = fake.holdNext();
        String longTask = submit(TaskSpec.of(MODEL, "long ", 5, 12));
        await().atMost(WAIT).until(() -> fake.openStreams() == 1);
        String shortTask = submit(TaskSpec.of(MODEL, "short ", 5, 2));
        gate.countDown();

        TaskView shortDone = finished(shortTask);
        TaskView longDone = finished(longTask);

        // one slot: without chunks the long task would hold it for all its 12 tokens
        assertThat(shortDone.output()).isEqualTo(text(0, 2));
        assertThat(shortDone.finishedAt()).isLessThan(longDone.finishedAt());
        assertThat(longDone.output()).isEqualTo(text(0, 12));
        assertThat(fake.requests().get(1).path("prompt").asText()).isEqualTo("short ");
        assertThat(fake.requests().get(2).path("prompt").asText()).isEqualTo("long " + text(0, 4));
    }

    @Test
    void chat_continuesAsAFinalAssistantMessage() throws Exception {
        start(1, 3, Script.tokens(5));
        TaskSpec spec = new TaskSpec(null, MODEL, "[{\"role\":\"user\",\"content\":\"hi\"}]", 5, null, null, null, null, 5,
                null, Map.of(OpenAiInput.METADATA_KEY, OpenAiInput.MESSAGES));

        TaskView done = finished(submit(spec));

        assertThat(done.output()).isEqualTo(text(0, 5));
        JsonNode second = fake.requests().get(1);
        JsonNode last = second.path("messages").get(1);
        assertThat(last.path("role").asText()).isEqualTo("assistant");
        assertThat(last.path("content").asText()).isEqualTo(text(0, 3));
        assertThat(second.path("continue_final_message").asBoolean()).isTrue();
        assertThat(second.path("add_generation_prompt").asBoolean(true)).isFalse();
    }

    @Test
    void answerEndingInsideAChunk_endsTheTask_withoutAnotherRequest() throws Exception {
        start(1, 4, Script.tokens(6));

        TaskView done = finished(submit(TaskSpec.of(MODEL, "p", 5, 100)));

        assertThat(done.output()).isEqualTo(text(0, 6));
        assertThat(fake.requests()).hasSize(2); // 4 + 2, the second ended with "stop"
    }

    @Test
    void withoutChunking_oneRequestCarriesTheWholeTask() throws Exception {
        start(1, 0, Script.tokens(14).delays(0, 2));

        TaskView done = finished(submit(TaskSpec.of(MODEL, "hello ", 5, 14)));

        assertThat(done.output()).isEqualTo(text(0, 14));
        assertThat(fake.requests()).hasSize(1);
        assertThat(done.preemptions()).isZero();
    }

    // ---------------------------------------------------------------- helpers

    private void start(int slots, int quantumTokens, Script script) throws Exception {
        rig = FakeBackendRig.serving(MODEL).continuing().script(script).slots(slots)
                .executor(e -> {
                    if (quantumTokens > 0) {
                        e.chunkedGeneration(quantumTokens);
                    }
                })
                .engine(e -> e.policy("mlfq")
                        .policyConfig(PolicyConfig.of(Map.of("q0_ms", "1", "levels", "4", "prefill_tokens_per_s", "1000000000"))))
                .start();
        fake = rig.fake();
        executor = rig.executor();
        engine = rig.engine();
    }

    private static String text(int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < to; i++) {
            b.append('t').append(i).append(' ');
        }
        return b.toString();
    }

    private String submit(TaskSpec spec) {
        return engine.send(new Command.Submit(spec)).join().task().id();
    }

    private TaskView finished(String id) {
        return await().atMost(WAIT).until(() -> engine.send(new Command.FindTask(id)).join().orElseThrow(),
                v -> v.state().isFinal());
    }
}
