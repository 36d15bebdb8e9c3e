package io.queuedeck.engine.control.plane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A config text with its policy block replaced, the rest as written. */
class PolicyTextTest {
    @Test
    void theBlockIsReplaced_commentsAndOtherSectionsStay() {
        String text = "# head\nengine:\n  x: 1\n\npolicy:\n  name: priority   # the policy\n  parameters: {}\n\n# next\nclients: []\n";
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("q0_ms", "20");
        parameters.put("label", "a b");

        assertThat(PolicyText.withPolicy(text, "mlfq", parameters)).isEqualTo("# head\nengine:\n  x: 1\n\npolicy:\n  name: mlfq\n"
                + "  parameters:\n    q0_ms: 20\n    label: \"a b\"\n\n# next\nclients: []\n");
    }

    /** A JSON body of PUT /v1/config is one flow mapping: a block after it made the text invalid YAML. */
    @Test
    void aJsonText_isWrittenInBlockStyle_withTheNewPolicy_andItsOtherValues() throws Exception {
        String json = "{\"policy\":{\"name\":\"priority\",\"parameters\":{}},\"alerts\":{\"oldest_wait\":\"3m\"},\"engine\":{\"instances\":4}}";

        String edited = PolicyText.withPolicy(json, "fifo", Map.of());

        com.fasterxml.jackson.databind.JsonNode read = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(edited);
        assertThat(read.at("/policy/name").asText()).isEqualTo("fifo");
        assertThat(read.at("/alerts/oldest_wait").asText()).isEqualTo("3m");
        assertThat(read.at("/engine/instances").asInt()).isEqualTo(4);
        assertThat(edited).startsWith("policy:\n  name: fifo\n");
    }

    @Test
    void aTextWithoutPolicy_getsOneAtTheEnd() {
        assertThat(PolicyText.withPolicy("engine: {}\n", "fifo", Map.of()))
                .isEqualTo("engine: {}\n\npolicy:\n  name: fifo\n  parameters: {}\n");
    }
}
