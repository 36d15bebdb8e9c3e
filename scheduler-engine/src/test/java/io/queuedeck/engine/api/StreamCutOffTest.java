package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.BackendLoad;
import io.queuedeck.engine.exec.openai.FakeBackendRig;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer.Script;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A backend's stream cut off while it runs, and the tokens it had: real HTTP on both sides (the fake
 * backend, the official OpenAI client at the front door).
 */
class StreamCutOffTest {
    private static final String MODEL = "fake-model";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private FakeBackendRig rig;
    private OpenAIClient client;

    @BeforeEach
    void start() throws Exception {
        rig = FakeBackendRig.serving(MODEL).slots(8).script(Script.tokens(1_000).delays(0, 20)).discoverModels().api().start();
        client = OpenAIOkHttpClient.builder().baseUrl(rig.baseUri() + "/v1").apiKey("unused").maxRetries(0)
                .timeout(Duration.ofSeconds(30)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        rig.close();
    }

    private TaskView task(String id) {
        return rig.engine().send(new Command.FindTask(id)).join().orElseThrow();
    }

    /**
     * Why: taking the backend offline requeued the task, and when it came back online the answer ran
     * again into the same open stream: the client read part of one answer, then a whole second one,
     * and no error.
     */
    @Test
    void backendTakenOffline_whileStreaming_endsTheClientsStreamWithAnError_andNeverRunsItAgain() throws Exception {
        List<String> chunks = new CopyOnWriteArrayList<>();
        Throwable[] ended = new Throwable[1];
        Thread reader = Thread.ofVirtual().start(() -> {
            try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                    ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("long").build())) {
                stream.stream().forEach(chunk -> chunks.add(chunk.id()));
            } catch (RuntimeException e) {
                ended[0] = e;
            }
        });
        TaskView running = await().atMost(WAIT).until(() -> rig.engine().send(new Command.ListTasks(
                new TaskQuery(null, null, -1, 10))).join().tasks(), t -> !t.isEmpty() && t.getFirst().generatedTokens() > 0).getFirst();

        rig.engine().send(new Command.SetInstanceOnline(0, false)).join();

        reader.join(WAIT);
        assertThat(chunks).isNotEmpty();
        assertThat(ended[0]).isNotNull().hasMessageContaining("its backend was taken offline").hasMessageContaining("not run again");
        rig.engine().send(new Command.SetInstanceOnline(0, true)).join();
        assertThat(task(running.id()).state()).isEqualTo(TaskState.DEAD_LETTERED); // a failure not retried, as any such
        assertThat(task(running.id()).attempts()).isEqualTo(1);
        await().atMost(WAIT).until(() -> rig.fake().closedByClient() == 1);
        assertThat(rig.fake().requests()).hasSize(1); // nothing sent again once the backend was back
        // nor by a retry: nobody would read its answer (it used to be cancelled at once, without a word)
        assertThatThrownBy(() -> rig.engine().send(new Command.RetryDeadLetter(running.id())).join())
                .hasCauseInstanceOf(TaskConflictException.class).hasMessageContaining("came through the OpenAI front door");
        assertThat(task(running.id()).state()).isEqualTo(TaskState.DEAD_LETTERED);
    }

    /**
     * Why: tokens counted only when a request ended read 0 tok/s on a backend streaming two answers,
     * and a task showed "1 generated" while 40 had arrived, and kept that when cancelled.
     */
    @Test
    void streamingTask_itsTokensAndItsBackendsRate_countAsTheyArrive_andStayWhenCancelled() {
        String id = rig.engine().send(new Command.Submit(TaskSpec.of(MODEL, "long", 5, 1_000))).join().task().id();

        await().atMost(WAIT).until(() -> task(id).generatedTokens() >= 20);
        BackendLoad streaming = await().atMost(WAIT).until(() -> rig.engine().send(new Command.TakeSnapshot()).join()
                .instances().getFirst().backend(), l -> l.tokensPerSecond() != null && l.tokensPerSecond() > 0);
        assertThat(task(id).state()).isEqualTo(TaskState.RUNNING); // the rate comes from a stream still open
        assertThat(streaming.inFlight()).isEqualTo(1);

        rig.engine().send(new Command.Cancel(id)).join();

        assertThat(task(id).state()).isEqualTo(TaskState.CANCELLED);
        assertThat(task(id).generatedTokens()).isGreaterThanOrEqualTo(20);
    }
}
