package io.queuedeck.engine.exec.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A backend's stream with the line endings the SSE format allows besides LF: CRLF, a lone CR, and a
 * stream cut between a CR and its LF. A lone CR kept OkHttp's event reader spinning on a carrier
 * thread for ever: no timeout fired and the whole server stopped answering. And a stream that opens
 * with a byte-order mark, which the format says to drop: kept, it hid the first event.
 */
class LineEndingsTest {
    private static final String MODEL = "m";
    private MockWebServer backend;
    private OpenAiExecutor executor;
    private Engine engine;

    @AfterEach
    void stop() throws Exception {
        if (engine != null) {
            engine.close();
        }
        if (executor != null) {
            executor.close();
        }
        backend.close();
    }

    private static String chunk(String text, String finish) {
        return "{\"id\":\"c1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"" + text + "\",\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    @ParameterizedTest(name = "line ending {0}")
    @ValueSource(strings = {"LF", "CRLF", "CR", "CR at the very end", "LF after a byte-order mark", "CRLF after a byte-order mark"})
    void everyLineEndingTheFormatAllows_endsTheTask(String ending) throws Exception {
        String eol = switch (ending) {
            case "CRLF", "CRLF after a byte-order mark" -> "\r\n";
            case "LF", "LF after a byte-order mark" -> "\n";
            default -> "\r";
        };
        String body = (ending.contains("byte-order mark") ? "\uFEFF" : "") + "data: " + chunk("a ", null) + eol + eol + "data: " + chunk("b", "stop") + eol + eol
                + (ending.equals("CR at the very end") ? "data: [DONE]\r" : "data: [DONE]" + eol + eol);
        backend = new MockWebServer();
        backend.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getUrl().encodedPath().endsWith("/completions")) {
                    return new MockResponse.Builder().code(200).setHeader("Content-Type", "text/event-stream").body(body).build();
                }
                return new MockResponse.Builder().code(200).body("{\"data\":[{\"id\":\"m\"}]}").build();
            }
        });
        backend.start(InetAddress.getLoopbackAddress(), 0);
        executor = OpenAiExecutor.builder().healthInterval(Duration.ofMinutes(10))
                .backend(Backend.at(backend.url("/").toString()).withModels(List.of(MODEL)).withSlots(1)
                        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10))).build();
        engine = Engine.builder().executor(executor).build();
        engine.start();

        String id = engine.send(new Command.Submit(TaskSpec.of(MODEL, "q", 5, 8))).join().task().id();

        TaskView done = await().atMost(Duration.ofSeconds(15))
                .until(() -> engine.send(new Command.FindTask(id)).join().orElseThrow(), v -> v.state().isFinal());
        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.output()).isEqualTo("a b");
    }
}
