package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.task.VisibleText;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A refusal quotes what the client sent: a bell, an escape sequence, a right-to-left override, a
 * zero-width space or a line separator in a rejected value, a field's or a key's name reached the
 * reader's terminal as itself. Every error path writes them as their code instead, the message,
 * the field and each detail alike.
 */
class InvisibleCharactersInErrorsTest {
    private static Engine engine;
    private static ApiServer server;
    private static Http http;

    @BeforeAll
    static void start() {
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        engine.start();
        server = ApiServer.builder(engine).port(0).build().start();
        http = new Http(server.baseUri());
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // what is sent, with \\uXXXX JSON escapes                          | a visible form the answer must show
        "an unknown field's name    | POST /v1/tasks {'input':'x','pri\\u0007ority':3}                     | pri\\u0007ority",
        "a metadata key             | POST /v1/tasks {'input':'x','metadata':{'k\\u200b':1}}               | k\\u200B",
        "a rejected value           | POST /v1/tasks {'input':'x','model':'m\\u202egnp.exe'}               | m\\u202Egnp.exe",
        "a line separator           | POST /v1/tasks {'input':'x','model':'a\\u2028b'}                     | a\\u2028b",
        "an escape sequence         | POST /v1/tasks {'input':'x','tenant':'\\u001b[31mred'}               | \\u001B[31mred",
        "a batch's task             | POST /v1/tasks:batch {'tasks':[{'input':'x','\\u0085k':1}]}          | \\u0085k",
        "several errors, in details | POST /v1/tasks {'input':'x','priority':42,'model':'m\\u0007'}        | m\\u0007",
        "a task id in the path      | GET /v1/tasks/ab%07c                                                 | ab\\u0007c",
        "a query parameter's name   | GET /v1/tasks?st%E2%80%AEate=queued                                  | st\\u202Eate",
    })
    void invisibleCharacters_areWrittenAsTheirCode_inTheMessageAndField(String label, String request, String visible) {
        String method = request.substring(0, request.indexOf(' '));
        String rest = request.substring(request.indexOf(' ') + 1);
        Http.Response answer = method.equals("GET") ? http.get(rest)
                : http.post(rest.substring(0, rest.indexOf(' ')), rest.substring(rest.indexOf(' ') + 1).replace('\'', '"'));

        // a batch answers each task's refusal in its results
        JsonNode error = answer.json().has("error") ? answer.json().path("error") : answer.json().path("results").path(0).path("error");
        assertThat(error.path("code").asText()).as(answer.body()).isNotEmpty();
        String everything = texts(error);
        assertThat(everything.codePoints().filter(VisibleText::invisible).toArray()).as(everything).isEmpty();
        assertThat(everything).contains(visible);
    }

    /** Every string in {@code node}, decoded, keys and values, between bars. */
    private static String texts(JsonNode node) {
        StringBuilder all = new StringBuilder();
        if (node.isTextual()) {
            all.append(node.asText()).append(" | ");
        } else if (node.isObject()) {
            node.fields().forEachRemaining(e -> all.append(e.getKey()).append(" | ").append(texts(e.getValue())));
        } else {
            node.elements().forEachRemaining(e -> all.append(texts(e)));
        }
        return all.toString();
    }
}
