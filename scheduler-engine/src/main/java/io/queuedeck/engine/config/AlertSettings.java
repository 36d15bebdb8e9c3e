package io.queuedeck.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * The config file's {@code alerts} section as written (null where a key is left out): when the
 * console raises an alert. The engine checks the section with the rest of the file and does not
 * otherwise use it; the console reads it here and keeps the defaults (docs/configuration.md).
 *
 * @param oldestWait       the oldest waiting task has waited longer than this
 * @param p99Core          end-to-end p99 of a core class (P0-P2), one second's finished tasks
 * @param p99Normal        the same for normal classes (P3-P6)
 * @param p99Batch         the same for batch classes (P7-P9)
 * @param sustainedFor     a latency or saturation condition alerts only once it has held this long
 * @param deadLetters      this many tasks dead-lettered within {@code deadLetterWindow}
 * @param deadLetterWindow the window of that count
 * @param gpuDown          whether a GPU that is not up alerts
 * @param saturatedFor     every slot has been busy (the engine saturated) for longer than this
 * @param hold             an alert stays this long after its condition last held
 */
public record AlertSettings(Duration oldestWait, Duration p99Core, Duration p99Normal, Duration p99Batch,
                            Duration sustainedFor, Integer deadLetters, Duration deadLetterWindow, Boolean gpuDown,
                            Duration saturatedFor, Duration hold) {
    /** No key set. */
    public static final AlertSettings NONE = new AlertSettings(null, null, null, null, null, null, null, null, null, null);

    /**
     * The {@code alerts} section of config text ({@link #NONE} without one).
     *
     * @throws ConfigException with every problem of the section, each with its key path and line
     */
    public static AlertSettings read(String name, String text) {
        YamlText yaml = YamlText.parse(name, text, "config file");
        JsonNode root = yaml.root();
        Problems problems = yaml.problems();
        if (root == null || !root.isObject() || root.get("alerts") == null) {
            return NONE;
        }
        AlertSettings settings = read(Section.of(problems, "", root).section("alerts"));
        problems.throwIfAny();
        return settings;
    }

    /** Reads the section (problems go to its {@link Problems}); null section: {@link #NONE}. */
    static AlertSettings read(Section s) {
        if (s == null) {
            return NONE;
        }
        Duration oldestWait = s.duration("oldest_wait");
        Duration core = null;
        Duration normal = null;
        Duration batch = null;
        Section p99 = s.section("p99_latency");
        if (p99 != null) {
            core = p99.duration("core");
            normal = p99.duration("normal");
            batch = p99.duration("batch");
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
        return new AlertSettings(oldestWait, core, normal, batch, sustained, deadLetters, window, gpuDown, saturatedFor, hold);
    }
}
