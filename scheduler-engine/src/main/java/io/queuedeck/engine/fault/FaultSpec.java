package io.queuedeck.engine.fault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A fault to inject: its kind, its blast radius, its parameters (missing ones take the kind's
 * defaults) and how long it lasts (null: until cleared).
 */
public record FaultSpec(FaultKind kind, BlastRadius radius, Map<String, Double> parameters, Duration duration) {

    public FaultSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(radius, "radius");
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        List<String> problems = problems(kind, radius, parameters, duration);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
    }

    public FaultSpec(FaultKind kind, BlastRadius radius) {
        this(kind, radius, Map.of(), null);
    }

    /** The parameter's value, or the kind's default. */
    public double parameter(String name) {
        Double value = parameters.get(name);
        return value != null ? value : kind.defaults().getOrDefault(name, 0.0);
    }

    /** Whether the parameter was given. */
    public boolean has(String name) {
        return parameters.containsKey(name);
    }

    /** A short label for charts and logs: {@code slow ×3 on instance:1 for 60 s}. */
    public String label() {
        StringBuilder text = new StringBuilder(kind.wireName());
        new TreeMap<>(parameters).forEach((k, v) -> text.append(' ').append(k).append('=').append(trim(v)));
        text.append(" on ").append(radius);
        if (duration != null) {
            text.append(" for ").append(trim(duration.toMillis() / 1000.0)).append(" s");
        }
        return text.toString();
    }

    private static String trim(double v) {
        // a whole number past a long's range (1e308) read as 9223372036854775807
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /**
     * The most tasks a second a load fault submits, given or worked out from a burst's factor: a
     * flood at a billion a second held the catalogue for minutes and starved the scheduler loop.
     */
    public static final double MAX_LOAD_RATE = 10_000;

    /** The longest delay a fault may add: past it the timers of the callers decide, not the fault. */
    static final double MAX_DELAY_MS = 600_000;
    /** The longest flap period: a day (1e12 s was taken, and its nanoseconds overflowed). */
    static final double MAX_FLAP_PERIOD_S = 86_400;

    /** Every problem, field by field ({@code parameters.factor must be ...}). */
    private static List<String> problems(FaultKind kind, BlastRadius radius, Map<String, Double> parameters, Duration duration) {
        List<String> problems = new ArrayList<>();
        if (!kind.scopes().contains(radius.scope())) {
            problems.add("target: " + kind.wireName() + " hits " + kind.scopes().stream()
                    .map(s -> s.name().toLowerCase(java.util.Locale.ROOT)).toList() + ", not " + radius);
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            problems.add("duration: must be positive, got " + duration);
        }
        // Each range check fails NaN and the infinities too, so a value out of range gets its own range's
        // words ("between 1 and 1000"), not a general "at least 0".
        for (Map.Entry<String, Double> p : parameters.entrySet()) {
            String at = "parameters." + p.getKey();
            double v = p.getValue() == null ? Double.NaN : p.getValue();
            if (!kind.defaults().containsKey(p.getKey())) {
                problems.add(at + ": " + kind.wireName() + " takes " + new TreeMap<>(kind.defaults()).keySet());
            } else if (p.getKey().equals("fraction") && !(v > 0 && v <= 1)) {
                problems.add(at + ": must be above 0 and at most 1, got " + trim(v));
            } else if (p.getKey().equals("status") && kind == FaultKind.CALLBACK_5XX && !(v >= 500 && v <= 599)) {
                problems.add(at + ": must be 500..599, got " + trim(v));
            } else if (p.getKey().equals("status") && kind == FaultKind.NETWORK && !(v == 0 || v == 429 || v >= 500 && v <= 599)) {
                problems.add(at + ": must be 0 (none), 429 or 500..599, got " + trim(v));
            } else if (p.getKey().equals("status") && kind != FaultKind.NETWORK && !(v == 429 || v >= 500 && v <= 599)) {
                problems.add(at + ": must be 429 or 500..599, got " + trim(v));
            } else if (p.getKey().equals("rate") && !(v == 0 && kind == FaultKind.BURST) && !(v >= 0.1 && v <= MAX_LOAD_RATE)) {
                problems.add(at + ": must be from 0.1 to " + trim(MAX_LOAD_RATE) + " tasks/s"
                        + (kind == FaultKind.BURST ? " (or 0: factor × the base load)" : "") + ", got " + trim(v));
            } else if ((p.getKey().equals("prompt_tokens") || p.getKey().equals("output_tokens"))
                    && !(v >= 1 && v <= io.queuedeck.engine.task.TaskSpecValidator.MAX_TOKENS_LIMIT && v == Math.rint(v))) {
                problems.add(at + ": must be a whole number from 1 to " + io.queuedeck.engine.task.TaskSpecValidator.MAX_TOKENS_LIMIT
                        + " (a task's limit), got " + trim(v));
            } else if (p.getKey().equals("factor") && !(v >= 1 && v <= 1000)) {
                problems.add(at + ": must be between 1 and 1000, got " + trim(v));
            } else if (p.getKey().endsWith("_ms") && !(v >= 0 && v <= MAX_DELAY_MS)) {
                problems.add(at + ": must be from 0 to " + (long) MAX_DELAY_MS + " (10 minutes; longer is an outage: use"
                        + " callback_5xx or a network blackhole), got " + trim(v));
            } else if (p.getKey().equals("period_s") && !(v >= 1 && v <= MAX_FLAP_PERIOD_S)) {
                problems.add(at + ": must be from 1 to " + (long) MAX_FLAP_PERIOD_S + " (a day; longer is an outage: use crash), got "
                        + trim(v));
            } else if (!(v >= 0 && Double.isFinite(v))) {
                problems.add(at + ": must be a number of at least 0, got " + trim(v));
            }
        }
        return problems;
    }
}
