package io.queuedeck.console.alerts;

import io.queuedeck.engine.config.AlertSettings;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * When the console raises an alert: the config file's {@code alerts} section with the defaults
 * for what it leaves out. The defaults live here only, and equal the documented default file's
 * (decision 0049: quiet at the 90% demo load).
 *
 * @param oldestWait       the oldest waiting task has waited longer than this
 * @param p99ByTier        end-to-end p99 of one second's finished tasks of a class, per tier (core, normal, batch)
 * @param sustainedFor     a class's p99 must stay above its threshold in every second with finished tasks this long
 * @param deadLetters      this many tasks dead-lettered within {@code deadLetterWindow}
 * @param deadLetterWindow the window of the dead-letter count
 * @param gpuDown          whether a GPU that is not up alerts
 * @param saturatedFor     every slot busy for longer than this
 * @param hold             an alert stays this long after its condition last held (no flapping)
 */
public record AlertThresholds(Duration oldestWait, List<Duration> p99ByTier, Duration sustainedFor, int deadLetters,
                              Duration deadLetterWindow, boolean gpuDown, Duration saturatedFor, Duration hold) {
    public static final AlertThresholds DEFAULTS = new AlertThresholds(Duration.ofSeconds(60),
            List.of(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(300)), Duration.ofSeconds(30), 5,
            Duration.ofMinutes(1), true, Duration.ofMinutes(2), Duration.ofSeconds(10));

    public AlertThresholds {
        Objects.requireNonNull(oldestWait, "oldestWait");
        p99ByTier = List.copyOf(p99ByTier);
        if (p99ByTier.size() != 3) {
            throw new IllegalArgumentException("p99ByTier needs core, normal and batch, got " + p99ByTier.size());
        }
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
        return new AlertThresholds(or(s.oldestWait(), d.oldestWait),
                List.of(or(s.p99Core(), d.p99ByTier.get(0)), or(s.p99Normal(), d.p99ByTier.get(1)), or(s.p99Batch(), d.p99ByTier.get(2))),
                or(s.sustainedFor(), d.sustainedFor), or(s.deadLetters(), d.deadLetters), or(s.deadLetterWindow(), d.deadLetterWindow),
                or(s.gpuDown(), d.gpuDown), or(s.saturatedFor(), d.saturatedFor), or(s.hold(), d.hold));
    }

    /** This as the config file's {@code alerts} section, YAML, every key written. */
    public String toYaml() {
        return "alerts:\n"
                + "  oldest_wait: " + text(oldestWait) + "\n"
                + "  p99_latency:\n"
                + "    core: " + text(p99ByTier.get(0)) + "\n"
                + "    normal: " + text(p99ByTier.get(1)) + "\n"
                + "    batch: " + text(p99ByTier.get(2)) + "\n"
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
    public String replaceIn(String config) {
        String[] lines = config.split("\n", -1);
        StringBuilder out = new StringBuilder();
        boolean inside = false;
        boolean replaced = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            boolean topLevel = !line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && !line.startsWith("#");
            if (topLevel) {
                inside = line.startsWith("alerts:");
                if (inside) {
                    out.append(toYaml());
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
            out.append('\n').append(toYaml());
        }
        return out.toString();
    }

    /** {@code 90s} → {@code 90s}, {@code 2m} → {@code 2m}: seconds unless whole minutes or milliseconds. */
    static String text(Duration d) {
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
