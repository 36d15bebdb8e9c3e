package io.queuedeck.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.Tiers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's {@code alerts} section: read as written, every problem with its key path and line. */
class AlertSettingsTest {
    /** A table of one's own with a tier before core: {@code urgent, core, normal, batch}. */
    static final Tiers FOUR = new Tiers(List.of(new Tier("urgent", 0, 0, 0), new Tier("core", 1, 1, 2),
            new Tier("normal", 2, 3, 6), new Tier("batch", 3, 7, 9)));

    @TempDir
    Path dir;

    @Test
    void defaultFile_readsTheDocumentedDefaults() {
        AlertSettings alerts = AlertSettings.read("default", ServeConfig.defaultText(), Tiers.DEFAULT);
        assertThat(alerts).isEqualTo(new AlertSettings(Duration.ofSeconds(60), Map.of("core", Duration.ofSeconds(30),
                "normal", Duration.ofSeconds(60), "batch", Duration.ofSeconds(300)), Duration.ofSeconds(30), 5,
                Duration.ofMinutes(1), true, Duration.ofMinutes(2), Duration.ofSeconds(10)));
        assertThat(alerts.p99ByTier().keySet()).containsExactly("core", "normal", "batch");
    }

    @Test
    void noSection_isNone() {
        assertThat(AlertSettings.read("f.yaml", "policy: {name: fifo}\n", Tiers.DEFAULT)).isEqualTo(AlertSettings.NONE);
    }

    @Test
    void badValues_everyProblemWithPathAndLine() {
        String text = "policy: {name: fifo}\nalerts:\n  dead_letters: 0\n  p99_latency: {batch: soon}\n";
        assertThatThrownBy(() -> AlertSettings.read("f.yaml", text, Tiers.DEFAULT)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.dead_letters must be between 1 and")
                .hasMessageContaining("(line 3)")
                .hasMessageContaining("alerts.p99_latency.batch must be a duration")
                .hasMessageContaining("(line 4)");
    }

    @Test
    void fourTierTable_everyTierHasItsOwnKey() {
        String text = "alerts:\n  p99_latency:\n    urgent: 5s\n    core: 20s\n    normal: 1m\n    batch: 10m\n";
        assertThat(AlertSettings.read("f.yaml", text, FOUR).p99ByTier()).containsExactly(Map.entry("urgent", Duration.ofSeconds(5)),
                Map.entry("core", Duration.ofSeconds(20)), Map.entry("normal", Duration.ofMinutes(1)), Map.entry("batch", Duration.ofMinutes(10)));
    }

    @Test
    void aTierTheTableLacks_isRefusedWithPathLineAndTheTiers() {
        String text = "alerts:\n  p99_latency:\n    core: 20s\n    urgent: 5s\n";
        assertThatThrownBy(() -> AlertSettings.read("f.yaml", text, Tiers.DEFAULT)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.p99_latency.urgent is not a tier of the engine's table (tiers: core, normal, batch) (line 4)");
    }

    @Test
    void serveConfig_checksTheLatencyKeysAgainstTheFilesOwnTable() throws Exception {
        String tiers = "tiers:\n  urgent: {priorities: 0}\n  core: {priorities: 1-2}\n  normal: {priorities: 3-6}\n  batch: {priorities: 7-9}\n";
        Path good = Files.writeString(dir.resolve("good.yaml"), tiers + "alerts:\n  p99_latency: {urgent: 5s}\n");
        ServeConfig.load(good, Map.<String, String>of()::get); // accepted: urgent is a tier of this file

        Path bad = Files.writeString(dir.resolve("bad.yaml"), tiers + "alerts:\n  p99_latency:\n    urgnet: 5s\n");
        assertThatThrownBy(() -> ServeConfig.load(bad, Map.<String, String>of()::get)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.p99_latency.urgnet is not a tier of the engine's table (tiers: urgent, core, normal, batch) (line 8)");
    }
}
