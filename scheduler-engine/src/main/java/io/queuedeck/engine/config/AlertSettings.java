package io.queuedeck.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.tier.Tiers;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The config file's {@code alerts} section as written (null where a key is left out): when the
 * console raises an alert. The engine checks the section with the rest of the file and does not
 * otherwise use it; the console reads it here and keeps the defaults (docs/configuration.md).
 *
 * @param oldestWait       the oldest waiting task has waited longer than this
 * @param p99ByTier        per tier of the engine's table, by name, in the file's order: end-to-end p99 of one
 *                         second's finished tasks of a class of that tier (only the tiers written; decision 0080)
 * @param sustainedFor     a latency or saturation condition alerts only once it has held this long
 * @param deadLetters      this many tasks dead-lettered within {@code deadLetterWindow}
 * @param deadLetterWindow the window of that count
 * @param gpuDown          whether a GPU that is not up alerts
 * @param saturatedFor     every slot has been busy (the engine saturated) for longer than this
 * @param hold             an alert stays this long after its condition last held
 */
public record AlertSettings(Duration oldestWait, Map<String, Duration> p99ByTier,
                            Duration sustainedFor, Integer deadLetters, Duration deadLetterWindow, Boolean gpuDown,
                            Duration saturatedFor, Duration hold) {
    /** No key set. */
    public static final AlertSettings NONE = new AlertSettings(null, Map.of(), null, null, null, null, null, null);

    public AlertSettings {
        p99ByTier = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(p99ByTier, "p99ByTier")));
    }

    /**
     * The {@code alerts} section of config text ({@link #NONE} without one), its latency keys
     * checked against {@code table}, the tier table of the engine that runs the text.
     *
     * @throws ConfigException with every problem of the section, each with its key path and line
     */
    public static AlertSettings read(String name, String text, Tiers table) {
        YamlText yaml = YamlText.parse(name, text, "config file");
        JsonNode root = yaml.root();
        Problems problems = yaml.problems();
        if (root == null || !root.isObject() || root.get("alerts") == null) {
            return NONE;
        }
        AlertSettings settings = read(Section.of(problems, "", root).section("alerts"), table);
        problems.throwIfAny();
        return settings;
    }

    /** Reads the section (problems go to its {@link Problems}); null section: {@link #NONE}. */
    static AlertSettings read(Section s, Tiers table) {
        if (s == null) {
            return NONE;
        }
        Duration oldestWait = s.duration("oldest_wait");
        Map<String, Duration> p99ByTier = new LinkedHashMap<>();
        Section p99 = s.section("p99_latency");
        if (p99 != null) {
            for (String tier : p99.keys()) {
                if (table.named(tier).isEmpty()) {
                    p99.raw(tier);
                    p99.problem(p99.at(tier), "is not a tier of the engine's table (tiers: " + table.names() + ")");
                    continue;
                }
                Duration limit = p99.duration(tier);
                if (limit != null) {
                    p99ByTier.put(tier, limit);
                }
            }
            p99.finish();
        }
        Duration sustained = s.duration("sustained_for");
        Integer deadLetters = s.integer("dead_letters", 1, Integer.MAX_VALUE);
        Duration window = s.duration("dead_letter_window");
        Boolean gpuDown = s.flag("gpu_down");
        Duration saturatedFor = s.duration("saturated_for");
        Duration hold = s.duration("hold");
        if (window != null && window.isZero()) {
            s.problem(s.at("dead_letter_window"), "must be positive, got 0");
            window = null;
        }
        s.finish();
        return new AlertSettings(oldestWait, p99ByTier, sustained, deadLetters, window, gpuDown, saturatedFor, hold);
    }
}
