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

    /** A key left out keeps its documented default: a four-line file listed 27 keys of the full one as removed. */
    @Test
    void keysLeftOutAtTheirDefault_areNoChange_andPolicyIsToldFirst() throws Exception {
        String full;
        try (java.io.InputStream in = ConfigDiff.class.getResourceAsStream(io.queuedeck.engine.config.ServeConfig.DEFAULT_RESOURCE)) {
            full = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        JsonNode partial = yaml("policy:\n  name: mlfq\nalerts:\n  oldest_wait: 600s\n");

        assertThat(ConfigDiff.between(yaml(full), partial)).extracting(ConfigDiff.Change::path)
                .containsExactly("policy.name", "alerts.oldest_wait");
        assertThat(ConfigDiff.between(partial, yaml(full))).extracting(c -> c.path() + " " + c.from() + " → " + c.to())
                .containsExactly("policy.name \"mlfq\" → \"priority\"", "alerts.oldest_wait \"600s\" → \"60s\"");
        assertThat(ConfigDiff.between(yaml("tenants:\n  weights:\n    x: 1\n"), yaml("policy:\n  name: priority\n")))
                .as("a tenant's weight is 1 unless given").isEmpty();
        assertThat(ConfigDiff.label(ConfigDiff.between(yaml("alerts:\n  hold: 2m\nserver:\n  port: 9\n"),
                yaml("policy:\n  name: fifo\n")))).startsWith("policy.name → fifo, alerts.hold → ");
    }
}
