package io.queuedeck.engine.policy;

import io.queuedeck.engine.tier.Tiers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The parameters of one policy, as text (from the command line, YAML or the console), read
 * through typed getters that fail with the parameter's name. A parameter the policy never
 * reads is an error too: a typo must not silently fall back to a default.
 */
public final class PolicyConfig {
    private final Map<String, String> values;
    private final Set<String> read = new TreeSet<>();
    /** Bad values met by the getters: each reads its default meanwhile, and {@link #checkAllRead} reports them all. */
    private final List<String> problems = new ArrayList<>();
    /** The engine's tier table: not a parameter, the context a tier-aware policy (MLFQ) orders in. */
    private final Tiers tiers;

    private PolicyConfig(Map<String, String> values) {
        this(values, Tiers.DEFAULT);
    }

    private PolicyConfig(Map<String, String> values, Tiers tiers) {
        this.values = new TreeMap<>(values);
        this.tiers = tiers;
    }

    public static PolicyConfig of(Map<String, String> values) {
        return new PolicyConfig(values);
    }

    public static PolicyConfig empty() {
        return new PolicyConfig(Map.of());
    }

    /** The same parameters for an engine with this tier table (decision 0070). */
    public PolicyConfig withTiers(Tiers table) {
        return new PolicyConfig(values, table);
    }

    /** The tier table the policy runs in; {@link Tiers#DEFAULT} unless the engine said otherwise. */
    public Tiers tiers() {
        return tiers;
    }

    /** Parses {@code "key=value,key=value"}. */
    public static PolicyConfig parse(String text) {
        Map<String, String> values = new TreeMap<>();
        if (text != null && !text.isBlank()) {
            for (String pair : text.split(",")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("policy parameter '" + pair.trim() + "' must look like key=value");
                }
                values.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return new PolicyConfig(values);
    }

    /** Every parameter, in key order (the same in every run: policies iterate it). */
    public Map<String, String> values() {
        return java.util.Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public long longValue(String key, long defaultValue, long min, long max) {
        String text = lookup(key);
        if (text == null) {
            return defaultValue;
        }
        try {
            long value = Long.parseLong(text);
            if (value < min || value > max) {
                return problem(key + " must be between " + min + " and " + max + ", got " + value, defaultValue);
            }
            return value;
        } catch (NumberFormatException e) {
            return problem(key + " must be a whole number, got '" + text + "'", defaultValue);
        }
    }

    public double doubleValue(String key, double defaultValue, double min, double max) {
        String text = lookup(key);
        if (text == null) {
            return defaultValue;
        }
        try {
            double value = Double.parseDouble(text);
            if (!(value >= min && value <= max)) {
                return problem(key + " must be between " + min + " and " + max + ", got " + value, defaultValue);
            }
            return value;
        } catch (NumberFormatException e) {
            return problem(key + " must be a number, got '" + text + "'", defaultValue);
        }
    }

    /**
     * {@code key} as 0 (off, its default) or a number from {@code min} to {@code max}: a value
     * between 0 and {@code min} is on but too small to mean anything (an aging step of 1e-320 s
     * turned priority into FIFO).
     */
    public double zeroOrBetween(String key, double min, double max) {
        double value = doubleValue(key, 0, 0, max);
        if (value > 0 && value < min) {
            return problem(key + " must be 0 (off) or between " + min + " and " + max + ", got " + value, 0.0);
        }
        return value;
    }

    public boolean bool(String key, boolean defaultValue) {
        String text = lookup(key);
        if (text == null) {
            return defaultValue;
        }
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> problem(key + " must be true or false, got '" + text + "'", defaultValue);
        };
    }

    /** A text parameter, or {@code defaultValue} when it is not given. */
    public String text(String key, String defaultValue) {
        String text = lookup(key);
        return text == null ? defaultValue : text;
    }

    /** Fails on every bad value the getters met and any parameter no getter asked for, all in one message. */
    void checkAllRead(String policy) {
        List<String> all = new ArrayList<>(problems);
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(read);
        if (!unknown.isEmpty()) {
            all.add("unknown parameter" + (unknown.size() > 1 ? "s " : " ") + unknown
                    + " for policy " + policy + (read.isEmpty() ? " (it takes none)" : "; it takes " + read));
        }
        if (!all.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", all));
        }
    }

    private <T> T problem(String message, T defaultValue) {
        problems.add(message);
        return defaultValue;
    }

    private String lookup(String key) {
        read.add(key);
        return values.get(key);
    }
}
