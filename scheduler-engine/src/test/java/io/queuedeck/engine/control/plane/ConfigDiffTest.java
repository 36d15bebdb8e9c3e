package io.queuedeck.engine.control.plane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {
    private static JsonNode yaml(String text) {
        return ConfigPlane.tree(text);
    }

    @Test
    void aDurationWrittenAnotherWay_isNoChange_andAnotherDurationIs() {
        JsonNode before = yaml("alerts:\n  oldest_wait: 300s\n  hold: 1m\n");

        assertThat(ConfigDiff.between(before, yaml("alerts:\n  oldest_wait: 5m\n  hold: 60000ms\n"))).isEmpty();
        assertThat(ConfigDiff.between(before, yaml("alerts:\n  oldest_wait: 6m\n  hold: 1m\n")))
                .extracting(ConfigDiff.Change::path).containsExactly("alerts.oldest_wait");
    }

    @Test
    void textThatIsNoDuration_isComparedAsWritten() {
        assertThat(ConfigDiff.between(yaml("policy:\n  name: fifo\n"), yaml("policy:\n  name: ' fifo'\n"))).hasSize(1);
        assertThat(ConfigDiff.between(yaml("a: 99999999999999h\n"), yaml("a: 99999999999999h\n"))).isEmpty();
    }
}
