package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.openai.FakeBackendRig;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer.Script;
import io.queuedeck.engine.exec.openai.OpenAiExecutor;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskView;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * A front door with the official OpenAI Java SDK as its client and a real (fake) OpenAI-compatible
 * server behind the executor, shared by the front door's tests: started by each test, closed after it.
 */
abstract class OpenAiFrontDoorFixture {
    static final String MODEL = "fake-model";
    static final Duration WAIT = Duration.ofSeconds(20);

    FakeOpenAiServer fake;
    OpenAiExecutor executor;
    Engine engine;
    ApiServer server;
    OpenAIClient client;
    FakeBackendRig rig;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (rig != null) {
            rig.close();
            return;
        }
        if (server != null) {
            server.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (executor != null) {
            executor.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    static String text(int tokens) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < tokens; i++) {
            b.append('t').append(i).append(' ');
        }
        return b.toString();
    }

    void start(int slots, Script script) throws Exception {
        start(slots, script, 1_000_000);
    }

    void start(int slots, Script script, int maxQueued) throws Exception {
        started(FakeBackendRig.serving(MODEL).slots(slots).script(script).discoverModels()
                .api(a -> a.maxQueued(maxQueued)).start());
    }

    void started(FakeBackendRig value) {
        rig = value;
        fake = rig.fake();
        executor = rig.executor();
        engine = rig.engine();
        server = rig.server();
        client = OpenAIOkHttpClient.builder().baseUrl(server.baseUri() + "/v1").apiKey("unused").maxRetries(0)
                .timeout(Duration.ofSeconds(30)).build();
    }

    /** A whole chat answer asked for with plain HTTP: its status and body as they are, not as the SDK reads them. */
    Http.Response wholeChatOverHttp() {
        return new Http(server.baseUri()).post("/v1/chat/completions",
                "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    static ChatCompletionCreateParams chat(String content) {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(content).build();
    }

    /** A chat request sent with {@code X-Priority: p}, as any OpenAI client can add a header. */
    static ChatCompletionCreateParams chat(String content, int p) {
        return chat(content).toBuilder().putAdditionalHeader("X-Priority", Integer.toString(p)).build();
    }

    List<TaskView> tasks() {
        return engine.send(new Command.ListTasks(new TaskQuery(null, null, -1, 100))).join().tasks();
    }

    TaskView onlyTask() {
        List<TaskView> all = tasks();
        assertThat(all).hasSize(1);
        return all.getFirst();
    }
}
