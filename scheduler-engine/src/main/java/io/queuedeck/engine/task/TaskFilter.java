package io.queuedeck.engine.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which tasks a search or a bulk action is about: every field that is set must hold (null is
 * "any"). The same filter selects the tasks of a bulk action and is checked again on the loop as
 * each one is changed, so a task that stopped matching meanwhile is left alone.
 *
 * @param id            the task's id, or the start of it (an id prefix)
 * @param model         only tasks for this model
 * @param tenant        only this tenant's tasks
 * @param businessClass only tasks of this business class
 * @param states        only tasks in one of these states; null or empty for any
 * @param minPriority   only priorities at or above this number (0..9)
 * @param maxPriority   only priorities at or below this number (0..9)
 * @param minAgeMillis  only tasks submitted at least this long ago
 * @param maxAgeMillis  only tasks submitted at most this long ago
 * @param text          text that a metadata key or value contains, ignoring case
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskFilter(String id, String model, String tenant, String businessClass, Set<TaskState> states,
                         Integer minPriority, Integer maxPriority, Long minAgeMillis, Long maxAgeMillis, String text) {
    /** Longest id filter: a tenant's name, its colon and an id. */
    public static final int MAX_ID_LENGTH = TaskSpecValidator.MAX_METADATA_KEY + 1 + TaskSpecValidator.MAX_ID_LENGTH;

    /** Every task. */
    public static final TaskFilter ANY = new TaskFilter(null, null, null, null, null, null, null, null, null, null);

    public TaskFilter {
        id = blankToNull(id);
        model = blankToNull(model);
        tenant = blankToNull(tenant);
        businessClass = blankToNull(businessClass);
        text = blankToNull(text);
        states = states == null || states.isEmpty() ? null : Set.copyOf(EnumSet.copyOf(states));
        // nothing longer than the field it is matched against can match: refused, not stored in an audit entry
        checkLength("id", id, MAX_ID_LENGTH);
        checkLength("model", model, TaskSpecValidator.MAX_ID_LENGTH);
        checkLength("tenant", tenant, TaskSpecValidator.MAX_METADATA_KEY);
        checkLength("business_class", businessClass, TaskSpecValidator.MAX_METADATA_KEY);
        checkLength("text", text, TaskSpecValidator.MAX_METADATA_VALUE);
        checkPriority("min_priority", minPriority);
        checkPriority("max_priority", maxPriority);
        if (minPriority != null && maxPriority != null && minPriority > maxPriority) {
            throw new InvalidTaskException("min_priority", "min_priority " + minPriority + " is above max_priority " + maxPriority);
        }
        if (minAgeMillis != null && minAgeMillis < 0 || maxAgeMillis != null && maxAgeMillis < 0) {
            throw new InvalidTaskException(minAgeMillis != null && minAgeMillis < 0 ? "min_age_ms" : "max_age_ms",
                    "an age cannot be negative");
        }
        if (minAgeMillis != null && maxAgeMillis != null && minAgeMillis > maxAgeMillis) {
            // no task is that old and that young: refused as an inverted priority range is, never "nothing matched"
            throw new InvalidTaskException("min_age_ms", "min_age_ms " + minAgeMillis + " is above max_age_ms " + maxAgeMillis);
        }
    }

    /** This filter restricted to {@code onlyTenant} (a tenant-bound client's view of it). */
    public TaskFilter withTenant(String onlyTenant) {
        return new TaskFilter(id, model, onlyTenant, businessClass, states, minPriority, maxPriority, minAgeMillis,
                maxAgeMillis, text);
    }

    /** This filter for tasks in exactly one state (or any, for null). */
    public TaskFilter withStates(Set<TaskState> only) {
        return new TaskFilter(id, model, tenant, businessClass, only, minPriority, maxPriority, minAgeMillis,
                maxAgeMillis, text);
    }

    /** The one state the filter names, or null when it names none or several. */
    public TaskState singleState() {
        return states != null && states.size() == 1 ? states.iterator().next() : null;
    }

    /** Whether the task passes every filter; {@code ageNanos} is how long ago it was submitted. */
    public boolean matches(TaskView task, long ageNanos) {
        return matches(task.id(), task.spec(), task.state(), task.priority(), ageNanos);
    }

    /** Whether a task with these fields passes every filter. */
    public boolean matches(String taskId, TaskSpec spec, TaskState state, int priority, long ageNanos) {
        if (states != null && !states.contains(state)
                || minPriority != null && priority < minPriority || maxPriority != null && priority > maxPriority
                || model != null && !model.equals(spec.model())
                || tenant != null && !tenant.equals(spec.tenant())
                || businessClass != null && !businessClass.equals(spec.businessClass())
                || id != null && !taskId.startsWith(id)) {
            return false;
        }
        long ageMillis = ageNanos / 1_000_000;
        if (minAgeMillis != null && ageMillis < minAgeMillis || maxAgeMillis != null && ageMillis > maxAgeMillis) {
            return false;
        }
        return text == null || metadataContains(spec.metadata(), text.toLowerCase(Locale.ROOT));
    }

    private static boolean metadataContains(Map<String, String> metadata, String lowerText) {
        if (metadata == null) {
            return false;
        }
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            if (entry.getKey().toLowerCase(Locale.ROOT).contains(lowerText)
                    || entry.getValue() != null && entry.getValue().toLowerCase(Locale.ROOT).contains(lowerText)) {
                return true;
            }
        }
        return false;
    }

    private static void checkLength(String field, String value, int max) {
        if (value != null && value.length() > max) {
            throw new InvalidTaskException(field, field + " is at most " + max + " characters, got " + value.length());
        }
    }

    private static void checkPriority(String field, Integer priority) {
        if (priority != null && (priority < TaskSpec.MIN_PRIORITY || priority > TaskSpec.MAX_PRIORITY)) {
            throw new InvalidTaskException(field, field + " must be between " + TaskSpec.MIN_PRIORITY + " and "
                    + TaskSpec.MAX_PRIORITY + ", got " + priority);
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
