package io.queuedeck.engine.control;

import io.queuedeck.engine.task.TaskSpec;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;

/**
 * Which new tasks a canary takes: a fraction of them by a stable hash of the task id (the same id
 * always lands on the same side, on every node and after a restart), or those whose label has one
 * of the given values.
 *
 * @param by       {@code task_id}, {@code tenant}, {@code business_class} or {@code metadata.KEY}
 * @param fraction with {@code task_id}: the share of tasks routed to the canary, above 0 and below 1
 * @param values   with a label: the values routed to the canary
 */
public record CanarySplit(String by, double fraction, Set<String> values) {
    /** Route by a hash of the task id. */
    public static final String TASK_ID = "task_id";

    public CanarySplit {
        Objects.requireNonNull(by, "by");
        if (values != null && values.stream().anyMatch(v -> v == null || v.isBlank() || v.chars().anyMatch(Character::isISOControl))) {
            // a task with no tenant has none, and no name holds a control character
            throw new IllegalArgumentException("values must not be empty, null or hold control characters: name each " + by
                    + " routed to the canary");
        }
        values = values == null ? Set.of() : Set.copyOf(values);
        if (by.equals(TASK_ID)) {
            if (!values.isEmpty()) { // they were ignored unsaid
                throw new IllegalArgumentException("values are for a canary by label (tenant, business_class, metadata.KEY);"
                        + " by task_id takes a fraction");
            }
            if (!(fraction > 0 && fraction < 1)) {
                throw new IllegalArgumentException("fraction must be above 0 and below 1, got " + fraction);
            }
        } else if (by.equals("tenant") || by.equals("business_class") || by.startsWith("metadata.") && by.length() > 9) {
            if (values.isEmpty()) {
                throw new IllegalArgumentException("values must name at least one " + by + " routed to the canary");
            }
            if (by.equals("tenant")) { // a value no task can carry routes nothing, unsaid
                for (String value : values) {
                    io.queuedeck.engine.task.TaskSpecValidator.tenantProblem(value).ifPresent(bad -> {
                        throw new IllegalArgumentException("values must be tenant names a task can carry: '" + value + "' " + bad);
                    });
                }
            }
        } else {
            throw new IllegalArgumentException("by must be task_id, tenant, business_class or metadata.KEY, got '" + by + "'");
        }
    }

    /** A fraction of tasks by their ids' hash. */
    public static CanarySplit byTaskId(double fraction) {
        return new CanarySplit(TASK_ID, fraction, Set.of());
    }

    /** Whether {@code spec} (its id already given) goes to the canary. */
    public boolean routesToCanary(TaskSpec spec) {
        return switch (by) {
            case TASK_ID -> unit(spec.taskId()) < fraction;
            case "tenant" -> PriorityRule.in(values, spec.tenant());
            case "business_class" -> PriorityRule.in(values, PriorityRule.businessClass(spec));
            default -> spec.metadata() != null && PriorityRule.in(values, spec.metadata().get(by.substring("metadata.".length())));
        };
    }

    /**
     * The id's place in [0, 1): FNV-1a over its UTF-8 bytes, then SplitMix64's finalizer so that
     * ids differing only in their last characters spread evenly. Independent of the JVM's hashCode.
     */
    static double unit(String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return (h >>> 11) * 0x1.0p-53;
    }
}
