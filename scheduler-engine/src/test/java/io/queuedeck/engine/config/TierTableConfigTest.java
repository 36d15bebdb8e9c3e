package io.queuedeck.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.tier.FlowSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.Tiers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tier table in the {@code tiers} section (decision 0061): bands, their errors with key path and line, reload. */
class TierTableConfigTest {
    @TempDir
    Path dir;

    private FlowSettings read(String yaml) throws Exception {
        return ServeConfig.load(Files.writeString(dir.resolve("q.yaml"), yaml), Map.<String, String>of()::get).flow();
    }

    private List<String> problems(String yaml) {
        try {
            read(yaml);
        } catch (ConfigException e) {
            return e.problems().stream().map(p -> p.replace(dir + "/", "")).toList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("accepted: " + yaml);
    }

    @Test
    void tiersWithPriorities_defineTheTable_inTheFilesOrder() throws Exception {
        FlowSettings flow = read("""
                tiers:
                  realtime: {priorities: 0-1, max_concurrency: 4}
                  interactive: {priorities: 2-4}
                  standard: {priorities: 5-7, degrade: spill}
                  bulk: {priorities: 8-9, share: 1}
                """);

        assertThat(flow.table().list()).containsExactly(new Tier("realtime", 0, 0, 1), new Tier("interactive", 1, 2, 4),
                new Tier("standard", 2, 5, 7), new Tier("bulk", 3, 8, 9));
        assertThat(flow.table().of(3).name()).isEqualTo("interactive");
        assertThat(flow.of(flow.table().named("realtime").orElseThrow()).maxConcurrency()).isEqualTo(4);
        assertThat(flow.of(flow.table().named("bulk").orElseThrow()).share()).isEqualTo(1.0);
    }

    @Test
    void oneTierOfOnePriority_isABand() throws Exception {
        FlowSettings flow = read("tiers: {urgent: {priorities: 0}, rest: {priorities: 1-9}}");

        assertThat(flow.table().toString()).isEqualTo("urgent 0, rest 1-9");
    }

    @Test
    void noPriorities_keepsTheDefaultTiers() throws Exception {
        assertThat(read("tiers: {core: {share: 2}}").table()).isEqualTo(Tiers.DEFAULT);
        assertThat(read("engine: {}").table()).isEqualTo(Tiers.DEFAULT);
    }

    @Test
    void aGap_isNamedWithItsKeyPathAndLine() {
        assertThat(problems("""
                tiers:
                  fast: {priorities: 0-2}
                  slow: {priorities: 4-9}
                """)).containsExactly("q.yaml: tiers.slow.priorities leaves priorities 3 in no tier: bands cover 0-9 in tier"
                + " order without gaps, got 4-9 (line 3)");
    }

    @Test
    void anOverlap_isNamedWithItsKeyPathAndLine() {
        assertThat(problems("""
                tiers:
                  fast: {priorities: 0-3}
                  slow: {priorities: 3-9}
                """)).singleElement().asString().startsWith("q.yaml: tiers.slow.priorities overlaps tiers.fast.priorities")
                .endsWith("got 3-9 (line 3)");
    }

    @Test
    void bandsThatStopShortOf9_orRunBackwards_areRefused() {
        assertThat(problems("tiers: {fast: {priorities: 0-3}, slow: {priorities: 4-8}}"))
                .containsExactly("q.yaml: tiers leaves priorities 9 in no tier: the last tier's band must end at 9 (line 1)");
        assertThat(problems("tiers: {fast: {priorities: 5-9}, slow: {priorities: 0-4}}"))
                .anyMatch(p -> p.startsWith("q.yaml: tiers.fast.priorities leaves priorities 0-4 in no tier"));
        assertThat(problems("tiers: {fast: {priorities: 3-1}, slow: {priorities: 4-9}}"))
                .anyMatch(p -> p.contains("tiers.fast.priorities must run from a lower to a higher priority within 0-9"));
        assertThat(problems("tiers: {fast: {priorities: low}, slow: {priorities: 4-9}}"))
                .anyMatch(p -> p.contains("tiers.fast.priorities must be a band of priorities such as 0-2"));
    }

    @Test
    void aTierWithoutPriorities_inATableOfOnesOwn_isRefused() {
        assertThat(problems("tiers: {fast: {priorities: 0-4}, core: {share: 1}}"))
                .anyMatch(p -> p.startsWith("q.yaml: tiers.core.priorities is missing: when one tier sets its priorities,"
                        + " every tier does"));
    }

    @Test
    void anUnknownTier_withTheDefaultTable_isRefused() {
        assertThat(problems("tiers:\n  core: {share: 1}\n  realtime: {share: 2}\n"))
                .containsExactly("q.yaml: tiers.realtime is not a tier: the tiers are core, normal, batch (a tiers table of"
                        + " your own gives every tier its priorities, e.g. priorities: 0-1) (line 3)");
    }

    @Test
    void theDeadLetterTier_takesNoPriorities_andStaysLast() {
        assertThat(problems("tiers:\n  fast: {priorities: 0-9}\n  dead_letter: {priorities: 0}\n"))
                .anyMatch(p -> p.startsWith("q.yaml: tiers.dead_letter takes no limits and no priorities") && p.endsWith("(line 3)"));
    }

    @Test
    void reservedOrMalformedNames_areRefused() {
        assertThat(problems("tiers: {all: {priorities: 0-4}, slow: {priorities: 5-9}}"))
                .anyMatch(p -> p.startsWith("q.yaml: tiers.all is not a usable tier name"));
        assertThat(problems("tiers: {p1: {priorities: 0-4}, Slow: {priorities: 5-9}}"))
                .anyMatch(p -> p.startsWith("q.yaml: tiers.p1 is not a usable tier name"))
                .anyMatch(p -> p.startsWith("q.yaml: tiers.Slow is not a usable tier name"));
    }

    @Test
    void theLastTierOfATable_cannotSpillOrDemote() {
        assertThat(problems("tiers: {fast: {priorities: 0-4}, slow: {priorities: 5-9, degrade: spill}}"))
                .anyMatch(p -> p.contains("tiers.slow.degrade cannot be spill in the last tier (slow)"));
    }

    @Test
    void aReloadThatChangesTheTable_isRefused_limitsOfTheSameTiersReload() throws Exception {
        String running = "tiers: {fast: {priorities: 0-4}, slow: {priorities: 5-9}}\n";
        ServeConfig config = ServeConfig.load(Files.writeString(dir.resolve("q.yaml"), running), Map.<String, String>of()::get);

        assertThatThrownBy(() -> ConfigChange.read("PUT /v1/config", "tiers: {fast: {priorities: 0-3}, slow: {priorities: 4-9}}\n",
                dir, Map.<String, String>of()::get, config))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tiers the tier table (names, order, priorities) cannot change while the engine runs"
                        + " (fast 0-4, slow 5-9 → fast 0-3, slow 4-9)")
                .hasMessageContaining("restart");
        ServeConfig next = ConfigChange.read("PUT /v1/config", "tiers: {fast: {priorities: 0-4, share: 2}, slow: {priorities: 5-9}}\n",
                dir, Map.<String, String>of()::get, config);
        assertThat(next.flow().table()).isEqualTo(config.flow().table());
    }

    /** A reloadable key with a wrong value was also said to need a restart; so was a section whose value is wrong. */
    @Test
    void aKeyWithAWrongValue_isToldThat_notAlsoThatItNeedsARestart() throws Exception {
        ServeConfig config = ServeConfig.load(Files.writeString(dir.resolve("w.yaml"), "tenants: {weights: {acme: 2}}\n"),
                Map.<String, String>of()::get);

        for (String text : new String[] {"tenants:\n  weights: [1, 2]\n", "tenants: 5\n"}) {
            assertThatThrownBy(() -> ConfigChange.read("PUT /v1/config", text, dir, Map.<String, String>of()::get, config,
                    "tenants: {weights: {acme: 2}}\n"))
                    .isInstanceOf(ConfigException.class)
                    .satisfies(e -> assertThat(((ConfigException) e).problems()).as(text).hasSize(1)
                            .allMatch(p -> p.contains("must be a mapping")));
        }
    }

    /** The refusal printed Java's record text, [Backend[http://…, models=[m], slots=2, key=***, …]], saying which had keys. */
    @Test
    void aChangedBackend_isShownAsTheFileWritesIt_noRecordText() throws Exception {
        Files.writeString(dir.resolve("k.key"), "sk-1\n");
        String running = "executor:\n  backends:\n    - {url: \"http://gpu1:8000\", models: [m], slots: 2, api_key_file: k.key}\n";
        ServeConfig config = ServeConfig.load(Files.writeString(dir.resolve("b.yaml"), running), Map.<String, String>of()::get);

        assertThatThrownBy(() -> ConfigChange.read("PUT /v1/config", running.replace("slots: 2", "slots: 4"), dir,
                Map.<String, String>of()::get, config))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("executor.backends cannot change while the engine runs ([http://gpu1:8000 (2 slots)]"
                        + " → [http://gpu1:8000 (4 slots)])")
                .hasMessageNotContaining("Backend[").hasMessageNotContaining("key=");
    }
}
