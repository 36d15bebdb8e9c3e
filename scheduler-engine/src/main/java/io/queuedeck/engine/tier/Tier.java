package io.queuedeck.engine.tier;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Pattern;

/**
 * A service tier: a name, its place in the tier order and its band of priorities. A waiting
 * task's tier follows from its priority through the engine's {@link Tiers} table (the
 * {@code tiers} config section; default {@link #CORE}, {@link #NORMAL}, {@link #BATCH});
 * dead-lettered tasks sit in {@link #DEAD_LETTER}, always after every other tier, until an
 * operator replays them.
 *
 * @param name  lower case, as in config keys, URLs and metric labels
 * @param index place in the tier order, 0 first (most urgent); {@link Integer#MAX_VALUE} for dead letters
 * @param first the band's most urgent priority (a task spilled or demoted here takes it); -1 for dead letters
 * @param last  the band's least urgent priority; -1 for dead letters
 */
public record Tier(String name, int index, int first, int last) {
    /** What a tier may be called: a config key and a URL segment. */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    /** The default table's first tier, priorities 0-2: interactive, latency-critical traffic. */
    public static final Tier CORE = new Tier("core", 0, 0, 2);
    /** The default table's second tier, priorities 3-6: the default. */
    public static final Tier NORMAL = new Tier("normal", 1, 3, 6);
    /** The default table's last tier, priorities 7-9: bulk work that may wait. */
    public static final Tier BATCH = new Tier("batch", 2, 7, 9);
    /** Tasks that exhausted their attempts, or were parked at admission. */
    public static final Tier DEAD_LETTER = new Tier("dead_letter", Integer.MAX_VALUE, -1, -1);

    public Tier {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a tier's name must match " + NAME + ", got " + name);
        }
        boolean deadLetter = index == Integer.MAX_VALUE;
        if (!deadLetter && (index < 0 || first < 0 || last < first || last > 9)) {
            throw new IllegalArgumentException("tier " + name + ": band " + first + "-" + last + " at " + index);
        }
    }

    /** Whether this is the dead-letter tier. */
    public boolean deadLetter() {
        return index == Integer.MAX_VALUE;
    }

    /** Whether {@code priority} is in this tier's band. */
    public boolean holds(int priority) {
        return priority >= first && priority <= last;
    }

    /** The band as the config writes it: {@code 0-2}, or {@code 5} for a band of one. */
    public String band() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }

    /** The stable JSON form (a command journal's, also as a map key): {@code core@0:0-2}, or {@code dead_letter}. */
    @JsonValue
    public String json() {
        return deadLetter() ? name : name + "@" + index + ":" + first + "-" + last;
    }

    /** Reads {@link #json()}'s form back. */
    @JsonCreator
    public static Tier valueOf(String json) {
        if (json.equals(DEAD_LETTER.name)) {
            return DEAD_LETTER;
        }
        try {
            int at = json.indexOf('@');
            int colon = json.indexOf(':', at);
            int dash = json.indexOf('-', colon);
            return new Tier(json.substring(0, at), Integer.parseInt(json.substring(at + 1, colon)),
                    Integer.parseInt(json.substring(colon + 1, dash)), Integer.parseInt(json.substring(dash + 1)));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("a tier is written name@index:first-last, got '" + json + "'", e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
