package io.queuedeck.console.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.console.alerts.AlertThresholds;
import io.queuedeck.engine.config.AlertSettings;
import io.queuedeck.engine.config.ConfigException;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.Tiers;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The alert thresholds as the Control screen edits them: read from and written into the config's alerts section. */
class AlertsFormTest {

    @Test
    void defaultFile_thresholdsAreTheConsoleDefaults() {
        assertThat(AlertThresholds.from(AlertSettings.read("default", ServeConfig.defaultText(), Tiers.DEFAULT))).isEqualTo(AlertThresholds.DEFAULTS);
        assertThat(AlertThresholds.from(AlertSettings.NONE)).isEqualTo(AlertThresholds.DEFAULTS);
    }

    @Test
    void edit_replacesOnlyTheAlertsSection_andReadsBack() {
        AlertsForm form = new AlertsForm(Tiers.DEFAULT);
        form.fields().get("p99_latency.core").set("45s");
        form.fields().get("sustained_for").set("1m");
        form.fields().get("dead_letters").set("9");
        String text = form.applyTo(ServeConfig.defaultText());

        AlertThresholds read = AlertThresholds.from(AlertSettings.read("edited", text, Tiers.DEFAULT));
        assertThat(read.p99ByTier().get("core")).isEqualTo(Duration.ofSeconds(45));
        assertThat(read.sustainedFor()).isEqualTo(Duration.ofMinutes(1));
        assertThat(read.deadLetters()).isEqualTo(9);
        // everything before the alerts section is as written, comments included
        String before = ServeConfig.defaultText().substring(0, ServeConfig.defaultText().indexOf("\nalerts:"));
        assertThat(text).startsWith(before);
        assertThat(text.split("\nalerts:", -1)).hasSize(2);
    }

    @Test
    void edit_aFileWithoutAlerts_appendsTheSection() {
        AlertsForm form = new AlertsForm(Tiers.DEFAULT);
        String text = form.applyTo("policy: {name: fifo}\n");
        assertThat(text).startsWith("policy: {name: fifo}\n\nalerts:\n");
        assertThat(AlertThresholds.from(AlertSettings.read("x", text, Tiers.DEFAULT))).isEqualTo(AlertThresholds.DEFAULTS);
    }

    /** A JSON config (a PUT /v1/config body) is one flow mapping: the section appended after it made it invalid YAML. */
    @Test
    void edit_aJsonConfig_isWrittenInBlockStyle_withTheNewAlerts_andItsOtherSections() {
        AlertsForm form = new AlertsForm(Tiers.DEFAULT);
        form.fields().get("oldest_wait").set("3m");
        String text = form.applyTo("{\"policy\":{\"name\":\"mlfq\",\"parameters\":{}},\"alerts\":{\"oldest_wait\":\"1m\"}}");

        assertThat(AlertThresholds.from(AlertSettings.read("x", text, Tiers.DEFAULT)).oldestWait()).isEqualTo(Duration.ofMinutes(3));
        assertThat(text).contains("policy:\n  name: \"mlfq\"").doesNotStartWith("{");
    }

    @Test
    void edit_badValue_isRefusedNamingTheKey() {
        AlertsForm form = new AlertsForm(Tiers.DEFAULT);
        form.fields().get("oldest_wait").set("soon");
        form.fields().get("dead_letters").set("0");
        assertThatThrownBy(() -> form.applyTo(ServeConfig.defaultText())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.oldest_wait must be a duration").hasMessageContaining("alerts.dead_letters");
    }

    @Test
    void show_fillsTheFieldsFromThresholds() {
        AlertsForm form = new AlertsForm(Tiers.DEFAULT);
        assertThat(form.fields().get("p99_latency.batch").get()).isEqualTo("5m");
        assertThat(form.fields().get("gpu_down").get()).isEqualTo("true");
        assertThat(form.fields().get("saturated_for").get()).isEqualTo("2m");
    }

    /** {@code urgent, core, normal, batch}. */
    private static final Tiers FOUR = new Tiers(java.util.List.of(new Tier("urgent", 0, 0, 0), new Tier("core", 1, 1, 2),
            new Tier("normal", 2, 3, 6), new Tier("batch", 3, 7, 9)));

    @Test
    void fourTierTable_aFieldPerTierOfTheEngine_inItsOrder() {
        AlertsForm form = new AlertsForm(FOUR);
        assertThat(form.fields().keySet().stream().filter(k -> k.startsWith("p99_latency."))).containsExactly(
                "p99_latency.urgent", "p99_latency.core", "p99_latency.normal", "p99_latency.batch");
        // urgent has no default of its own: the first tier's
        assertThat(form.fields().get("p99_latency.urgent").get()).isEqualTo("30s");
        assertThat(form.hint("p99_latency.urgent")).isEqualTo(" (tier urgent: classes P0)");
        assertThat(form.hint("p99_latency.normal")).isEqualTo(" (tier normal: classes P3-P6)");
    }

    @Test
    void fourTierTable_edit_writesEveryTiersKey_andReadsBack() {
        AlertsForm form = new AlertsForm(FOUR);
        form.fields().get("p99_latency.urgent").set("5s");
        String text = form.applyTo("policy: {name: fifo}\n");

        assertThat(text).contains("  p99_latency:\n    urgent: 5s\n    core: 30s\n    normal: 1m\n    batch: 5m\n");
        AlertThresholds read = AlertThresholds.from(AlertSettings.read("x", text, FOUR));
        assertThat(read.p99For(FOUR.named("urgent").orElseThrow(), FOUR)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void edit_aTierTheEngineLacks_isRefusedWithItsPath() {
        // the form names only the engine's tiers; a file written for another table is refused the same way
        assertThatThrownBy(() -> AlertSettings.read("x", "alerts:\n  p99_latency: {urgent: 5s}\n", Tiers.DEFAULT))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.p99_latency.urgent is not a tier of the engine's table (tiers: core, normal, batch) (line 2)");
    }
}
