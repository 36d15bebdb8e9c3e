package io.queuedeck.console.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.console.alerts.AlertThresholds;
import io.queuedeck.engine.config.AlertSettings;
import io.queuedeck.engine.config.ConfigException;
import io.queuedeck.engine.config.ServeConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The alert thresholds as the Control screen edits them: read from and written into the config's alerts section. */
class AlertsFormTest {

    @Test
    void defaultFile_thresholdsAreTheConsoleDefaults() {
        assertThat(AlertThresholds.from(AlertSettings.read("default", ServeConfig.defaultText()))).isEqualTo(AlertThresholds.DEFAULTS);
        assertThat(AlertThresholds.from(AlertSettings.NONE)).isEqualTo(AlertThresholds.DEFAULTS);
    }

    @Test
    void edit_replacesOnlyTheAlertsSection_andReadsBack() {
        AlertsForm form = new AlertsForm();
        form.fields().get("p99_latency.core").set("45s");
        form.fields().get("sustained_for").set("1m");
        form.fields().get("dead_letters").set("9");
        String text = form.applyTo(ServeConfig.defaultText());

        AlertThresholds read = AlertThresholds.from(AlertSettings.read("edited", text));
        assertThat(read.p99ByTier().getFirst()).isEqualTo(Duration.ofSeconds(45));
        assertThat(read.sustainedFor()).isEqualTo(Duration.ofMinutes(1));
        assertThat(read.deadLetters()).isEqualTo(9);
        // everything before the alerts section is as written, comments included
        String before = ServeConfig.defaultText().substring(0, ServeConfig.defaultText().indexOf("\nalerts:"));
        assertThat(text).startsWith(before);
        assertThat(text.split("\nalerts:", -1)).hasSize(2);
    }

    @Test
    void edit_aFileWithoutAlerts_appendsTheSection() {
        AlertsForm form = new AlertsForm();
        String text = form.applyTo("policy: {name: fifo}\n");
        assertThat(text).startsWith("policy: {name: fifo}\n\nalerts:\n");
        assertThat(AlertThresholds.from(AlertSettings.read("x", text))).isEqualTo(AlertThresholds.DEFAULTS);
    }

    @Test
    void edit_badValue_isRefusedNamingTheKey() {
        AlertsForm form = new AlertsForm();
        form.fields().get("oldest_wait").set("soon");
        form.fields().get("dead_letters").set("0");
        assertThatThrownBy(() -> form.applyTo(ServeConfig.defaultText())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.oldest_wait must be a duration").hasMessageContaining("alerts.dead_letters");
    }

    @Test
    void show_fillsTheFieldsFromThresholds() {
        AlertsForm form = new AlertsForm();
        assertThat(form.fields().get("p99_latency.batch").get()).isEqualTo("5m");
        assertThat(form.fields().get("gpu_down").get()).isEqualTo("true");
        assertThat(form.fields().get("saturated_for").get()).isEqualTo("2m");
    }
}
