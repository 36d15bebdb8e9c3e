package io.queuedeck.engine.control;

import io.queuedeck.engine.task.TaskSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One entry of {@code priority_rules}: the conditions a task must meet, all of them, and the
 * priority it then gets. A condition left out (null) holds for every task.
 *
 * @param name           shown on the task ({@code priority_rule}) and in explanations; unique in a rule set
 * @param businessClasses the task's business class is one of these ({@code business_class}, or
 *                       the metadata key {@code business_class} when the field is absent)
 * @param tenants        the task's tenant is one of these
 * @param models         the task's model is one of these
 * @param deadlineWithin the task has a deadline at most this far away when it arrives
 * @param weightAbove    the task's business weight (metadata {@code weight}, a number) is above this
 * @param priority       the priority it gets, 0 (most urgent) to 9
 */
public record PriorityRule(String name, Set<String> businessClasses, Set<String> tenants, Set<String> models,
                           Duration deadlineWithin, Double weightAbove, int priority) {
    /** The metadata key read as a task's business weight. */
    public static final String WEIGHT_KEY = "weight";
    /** The metadata key read as a task's business class when its {@code business_class} field is absent. */
    public static final String CLASS_KEY = "business_class";

    public PriorityRule {
        Objects.requireNonNull(name, "name");
        businessClasses = businessClasses == null ? null : Set.copyOf(businessClasses);
        tenants = tenants == null ? null : Set.copyOf(tenants);
        models = models == null ? null : Set.copyOf(models);
        if (priority < TaskSpec.MIN_PRIORITY || priority > TaskSpec.MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be between 0 and 9, got " + priority);
        }
    }

    /** The task's business class: its field, else its metadata's. */
    static String businessClass(TaskSpec spec) {
        if (spec.businessClass() != null) {
            return spec.businessClass();
        }
        Map<String, String> metadata = spec.metadata();
        return metadata == null ? null : metadata.get(CLASS_KEY);
    }

    /** Whether every condition holds for {@code spec}: the submission path's check, with no words built. */
    boolean matches(TaskSpec spec, Instant now) {
        if (businessClasses != null && !in(businessClasses, businessClass(spec))
                || tenants != null && !in(tenants, spec.tenant())
                || models != null && !in(models, spec.model())) {
            return false;
        }
        if (deadlineWithin != null && (spec.deadline() == null
                || Duration.between(now, spec.deadline()).compareTo(deadlineWithin) > 0)) {
            return false;
        }
        if (weightAbove != null) {
            Double weight = weight(spec);
            return weight != null && weight > weightAbove;
        }
        return true;
    }

    /**
     * What this rule says of {@code spec}: the conditions that held and those that did not, each
     * in a few words (what {@code rules test} prints and what a task's classification records).
     */
    Verdict judge(TaskSpec spec, Instant now) {
        List<String> held = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        if (businessClasses != null) {
            String value = businessClass(spec);
            sort(in(businessClasses, value), "business_class " + shown(value) + (in(businessClasses, value)
                    ? " is" : " is not") + " in " + sorted(businessClasses), held, failed);
        }
        if (tenants != null) {
            boolean in = in(tenants, spec.tenant());
            sort(in, "tenant " + shown(spec.tenant()) + (in ? " is" : " is not") + " in " + sorted(tenants), held, failed);
        }
        if (models != null) {
            boolean in = in(models, spec.model());
            sort(in, "model " + shown(spec.model()) + (in ? " is" : " is not") + " in " + sorted(models), held, failed);
        }
        if (deadlineWithin != null) {
            if (spec.deadline() == null) {
                failed.add("no deadline");
            } else {
                Duration left = Duration.between(now, spec.deadline());
                boolean within = left.compareTo(deadlineWithin) <= 0;
                sort(within, "deadline in " + human(left) + (within ? " is within " : " is not within ") + human(deadlineWithin),
                        held, failed);
            }
        }
        if (weightAbove != null) {
            Double weight = weight(spec);
            if (weight == null) {
                failed.add("no numeric metadata " + WEIGHT_KEY);
            } else {
                boolean above = weight > weightAbove;
                sort(above, WEIGHT_KEY + " " + plain(weight) + (above ? " is above " : " is not above ") + plain(weightAbove),
                        held, failed);
            }
        }
        if (held.isEmpty() && failed.isEmpty()) {
            held.add("no conditions: matches every task");
        }
        return new Verdict(name, failed.isEmpty(), priority, held, failed);
    }

    /**
     * One rule's judgement of one task.
     *
     * @param rule     the rule's name
     * @param matches  whether every condition held
     * @param priority the priority the rule gives
     * @param held     the conditions that held
     * @param failed   those that did not
     */
    public record Verdict(String rule, boolean matches, int priority, List<String> held, List<String> failed) {
        public Verdict {
            held = List.copyOf(held);
            failed = List.copyOf(failed);
        }
    }

    /** Membership that a missing value (a task without a tenant) never has: immutable sets refuse to look up null. */
    static boolean in(Set<String> values, String value) {
        return value != null && values.contains(value);
    }

    private static Double weight(TaskSpec spec) {
        String text = spec.metadata() == null ? null : spec.metadata().get(WEIGHT_KEY);
        if (text == null) {
            return null;
        }
        try {
            double value = Double.parseDouble(text.trim());
            return Double.isFinite(value) ? value : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void sort(boolean holds, String text, List<String> held, List<String> failed) {
        (holds ? held : failed).add(text);
    }

    private static String shown(String value) {
        return value == null ? "(none)" : "'" + value + "'";
    }

    private static List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }

    private static String plain(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    /** {@code 1h 30m}, {@code 45s}, {@code -2m} (already past). */
    static String human(Duration d) {
        long seconds = d.toSeconds();
        String sign = seconds < 0 ? "-" : "";
        seconds = Math.abs(seconds);
        if (seconds >= 3600) {
            return sign + seconds / 3600 + "h" + (seconds % 3600 / 60 == 0 ? "" : " " + seconds % 3600 / 60 + "m");
        }
        if (seconds >= 60) {
            return sign + seconds / 60 + "m" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + "s");
        }
        return sign + seconds + "s";
    }
}
