package io.queuedeck.console.alerts;

import io.queuedeck.engine.config.AlertSettings;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.Tiers;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * When the console raises an alert: the config file's {@code alerts} section with the defaults
 * for what it leaves out. The defaults live here only, and equal the documented default file's
 * (decision 0049: quiet at the 90% demo load).
 *
 * @param oldestWait       the oldest waiting task has waited longer than this
 * @param p99ByTier        end-to-end p99 of one second's finished tasks of a class, by tier name; a tier
 *                         not named here answers to the default of its place ({@link #p99For})
 * @param sustainedFor     a class's p99 must stay above its threshold in every second with finished tasks this long
 * @param deadLetters      this many tasks dead-lettered within {@code deadLetterWindow}
 * @param deadLetterWindow the window of the dead-letter count
 * @param gpuDown          whether a GPU that is not up alerts
 * @param saturatedFor     every slot busy for longer than this
 * @param hold             an alert stays this long after its condition last held (no flapping)
 */
public record AlertThresholds(Duration oldestWait, Map<String, Duration> p99ByTier, Duration sustainedFor, int deadLetters,
                              Duration deadLetterWindow, boolean gpuDown, Duration saturatedFor, Duration hold) {
    /** The p99 default of a tier by place: the first tier's, those between, the last one's (the default table's core, normal, batch). */
    private static final Duration FIRST = Duration.ofSeconds(30);
    private static final Duration BETWEEN = Duration.ofSeconds(60);
    private static final Duration LAST = Duration.ofSeconds(300);
    public static final AlertThresholds DEFAULTS = new AlertThresholds(Duration.ofSeconds(60),
            Map.of("core", FIRST, "normal", BETWEEN, "batch", LAST), Duration.ofSeconds(30), 5,
            Duration.ofMinutes(1), true, Duration.ofMinutes(2), Duration.ofSeconds(10));

    public AlertThresholds {
        Objects.requireNonNull(oldestWait, "oldestWait");
        p99ByTier = Collections.unmodifiableMap(new LinkedHashMap<>(p99ByTier));
        if (deadLetters < 1) {
            throw new IllegalArgumentException("deadLetters must be at least 1, got " + deadLetters);
        }
        Objects.requireNonNull(sustainedFor, "sustainedFor");
        Objects.requireNonNull(deadLetterWindow, "deadLetterWindow");
        Objects.requireNonNull(saturatedFor, "saturatedFor");
        Objects.requireNonNull(hold, "hold");
    }

    /** The section as written, the defaults where it is silent. */
    public static AlertThresholds from(AlertSettings s) {
        AlertThresholds d = DEFAULTS;
        Map<String, Duration> p99 = new LinkedHashMap<>(d.p99ByTier);
        p99.putAll(s.p99ByTier());
        return new AlertThresholds(or(s.oldestWait(), d.oldestWait), p99,
                or(s.sustainedFor(), d.sustainedFor), or(s.deadLetters(), d.deadLetters), or(s.deadLetterWindow(), d.deadLetterWindow),
                or(s.gpuDown(), d.gpuDown), or(s.saturatedFor(), d.saturatedFor), or(s.hold(), d.hold));
    }

    /**
     * The p99 threshold of {@code tier}'s classes in {@code table}: its own key, else the default of
     * its place (the first tier 30 s, the last 300 s, those between 60 s; decision 0080).
     */
    public Duration p99For(Tier tier, Tiers table) {
        Duration own = p99ByTier.get(tier.name());
        if (own != null) {
            return own;
        }
        return tier.index() == 0 ? FIRST : tier.index() == table.size() - 1 ? LAST : BETWEEN;
    }

    /** This as the config file's {@code alerts} section, YAML, every key written: a latency key per tier of {@code table}. */
    public String toYaml(Tiers table) {
        StringBuilder p99 = new StringBuilder();
        for (Tier tier : table.list()) {
            p99.append("    ").append(tier.name()).append(": ").append(text(p99For(tier, table))).append('\n');
        }
        return "alerts:\n"
                + "  oldest_wait: " + text(oldestWait) + "\n"
                + "  p99_latency:\n"
                + p99
                + "  sustained_for: " + text(sustainedFor) + "\n"
                + "  dead_letters: " + deadLetters + "\n"
                + "  dead_letter_window: " + text(deadLetterWindow) + "\n"
                + "  gpu_down: " + gpuDown + "\n"
                + "  saturated_for: " + text(saturatedFor) + "\n"
                + "  hold: " + text(hold) + "\n";
    }

    /**
     * {@code config} with its top-level {@code alerts} section (and the comments inside it) replaced
     * by this one, or this one appended; every other line stays as written.
     */
    public String replaceIn(String config, Tiers table) {
        String[] lines = io.queuedeck.engine.config.ConfigChange.editable(config).split("\n", -1);
        StringBuilder out = new StringBuilder();
        boolean inside = false;
        boolean replaced = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            boolean topLevel = !line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && !line.startsWith("#");
            if (topLevel) {
                inside = line.startsWith("alerts:");
                if (inside) {
                    out.append(toYaml(table));
                    replaced = true;
                    continue;
                }
            }
            if (!inside) {
                out.append(line);
                if (i < lines.length - 1) {
                    out.append('\n');
                }
            }
        }
        if (!replaced) {
            if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
                out.append('\n');
            }
            out.append('\n').append(toYaml(table));
        }
        return out.toString();
    }

    /** {@code 90s} → {@code 90s}, {@code 2m} → {@code 2m}: seconds unless whole minutes or milliseconds. */
    public static String text(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        return s != 0 && s % 3600 == 0 ? s / 3600 + "h" : s != 0 && s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    private static <T> T or(T value, T otherwise) {
        return value != null ? value : otherwise;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "alerts(oldest %s, p99 %s, sustained %s)", text(oldestWait), p99ByTier, text(sustainedFor));
    }
}
