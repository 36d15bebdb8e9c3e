package io.queuedeck.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The console's {@code alerts} section: read as written, every problem with its key path and line. */
class AlertSettingsTest {

    @Test
    void defaultFile_readsTheDocumentedDefaults() {
        AlertSettings alerts = AlertSettings.read("default", ServeConfig.defaultText());
        assertThat(alerts).isEqualTo(new AlertSettings(Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(60),
                Duration.ofSeconds(300), Duration.ofSeconds(30), 5, Duration.ofMinutes(1), true, Duration.ofMinutes(2),
                Duration.ofSeconds(10)));
    }

    @Test
    void noSection_isNone() {
        assertThat(AlertSettings.read("f.yaml", "policy: {name: fifo}\n")).isEqualTo(AlertSettings.NONE);
    }

    @Test
    void badValues_everyProblemWithPathAndLine() {
        String text = "policy: {name: fifo}\nalerts:\n  dead_letters: 0\n  p99_latency: {batch: soon}\n";
        assertThatThrownBy(() -> AlertSettings.read("f.yaml", text)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.dead_letters must be between 1 and")
                .hasMessageContaining("(line 3)")
                .hasMessageContaining("alerts.p99_latency.batch must be a duration")
                .hasMessageContaining("(line 4)");
    }
}
