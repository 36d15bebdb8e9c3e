package io.queuedeck.engine.exec.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.task.TaskSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenAiInputTest {
    private static TaskSpec spec(String input, String format) {
        return new TaskSpec(null, "m", input, 5, null, null, null, null, 16, null,
                Map.of(OpenAiInput.METADATA_KEY, format));
    }

    @Test
    void inputThatIsNotJsonIsRefusedWithWhereItStopsNotWithTheInputQuotedBack() {
        String input = "{\"messages\": [ secret-looking-token-" + "x".repeat(300) + " ]}";

        String problem = OpenAiInput.problem(spec(input, OpenAiInput.CHAT_REQUEST)).orElseThrow();

        assertThat(problem).isEqualTo("input: not valid JSON for input_format=openai_chat"
                + " (it stops parsing at line 1, column 16 of the input)");
    }

    @Test
    void theOtherFormatsSayWhatTheInputMustBe() {
        assertThat(OpenAiInput.problem(spec("{\"role\":\"user\"}", OpenAiInput.MESSAGES)))
                .contains("input: with metadata input_format=messages the input must be a JSON array of messages");
        assertThat(OpenAiInput.problem(spec("[1]", OpenAiInput.CHAT_REQUEST)))
                .contains("input: with metadata input_format=openai_chat the input must be a JSON object");
        assertThat(OpenAiInput.problem(spec("{\"messages\":[]}", OpenAiInput.CHAT_REQUEST)))
                .contains("input.messages: messages must be a non-empty array");
        assertThat(OpenAiInput.problem(spec("{\"messages\":[null]}", OpenAiInput.CHAT_REQUEST)))
                .contains("input.messages: messages[0] must be an object with a role, got null");
        assertThat(OpenAiInput.problem(spec("[{\"role\":\"user\",\"content\":\"a\"},{\"role\":7}]", OpenAiInput.MESSAGES)))
                .contains("input: messages[1].role is required: a string such as \"user\", got a number");
        assertThat(OpenAiInput.problem(spec("[\"hi\"]", OpenAiInput.MESSAGES)))
                .contains("input: messages[0] must be an object with a role, got a string");
        assertThat(OpenAiInput.problem(spec("hello", "yaml"))).get().asString()
                .startsWith("metadata.input_format: unknown format 'yaml'");
        assertThat(OpenAiInput.problem(spec("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                OpenAiInput.CHAT_REQUEST))).isEmpty();
    }
}
