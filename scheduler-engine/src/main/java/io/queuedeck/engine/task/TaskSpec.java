package io.queuedeck.engine.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a client submits: the JSON contract of a task (snake_case on the wire). Every field but
 * {@code model} and {@code input} is optional; {@link TaskSpecValidator} checks the values and
 * fills the defaults, so the engine only ever holds validated, complete specs.
 *
 * @param taskId        client-chosen id; generated when absent
 * @param model         the model that must serve the task
 * @param input         the prompt text
 * @param priority      0 (most urgent) to 9; 5 when absent, as in vLLM and Triton
 * @param callbackUrl   where the result is posted, if anywhere
 * @param tenant        who pays for it, for quotas and fair share
 * @param businessClass a free label (for example "interactive", "batch") for rules and reports
 * @param deadline      when the result stops being useful
 * @param maxTokens     upper bound on generated tokens
 * @param promptTokens  prompt length in tokens; estimated from {@code input} when absent
 * @param metadata      client key/value pairs, kept and returned as they are
 * @param classification set by the engine, never by the client: the priority rule that classified the
 *                      task and the release (stable or canary) whose rules did; stored with the task
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskSpec(
        @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = NoNullId.class) String taskId,
        String model,
        String input,
        Integer priority,
        String callbackUrl,
        String tenant,
        String businessClass,
        Instant deadline,
        Integer maxTokens,
        Integer promptTokens,
        Map<String, String> metadata,
        Classification classification) {

    /** Priority of a task that does not say. */
    public static final int DEFAULT_PRIORITY = 5;
    /** Most and least urgent priorities. */
    public static final int MIN_PRIORITY = 0, MAX_PRIORITY = 9;

    public TaskSpec {
        // no metadata and {} say the same, so a resubmission with either is the same task
        metadata = metadata == null || metadata.isEmpty() ? null : Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    /** A spec as a client sends it: not classified yet. */
    public TaskSpec(String taskId, String model, String input, Integer priority, String callbackUrl, String tenant,
                    String businessClass, Instant deadline, Integer maxTokens, Integer promptTokens,
                    Map<String, String> metadata) {
        this(taskId, model, input, priority, callbackUrl, tenant, businessClass, deadline, maxTokens, promptTokens,
                metadata, null);
    }

    /**
     * How a task got its priority.
     *
     * @param rule    the name of the priority rule that matched, {@code explicit} when the client gave a
     *                priority, {@code default} when no rule matched
     * @param release {@code stable}, or {@code canary} when a candidate config's rules classified it
     * @param reason  why, in a few words (what matched, and any cap by the client's allowance)
     */
    public record Classification(String rule, String release, String reason) {
        /** The rule name of a priority the client gave itself. */
        public static final String EXPLICIT = "explicit";
        /** The rule name when no rule matched. */
        public static final String DEFAULT = "default";
        /** The release of tasks classified by the running config. */
        public static final String STABLE = "stable";
        /** The release of tasks classified by a candidate config. */
        public static final String CANARY = "canary";
        /** Without priority rules: the client's own priority, or the default one (shared by every such task). */
        static final Classification GIVEN = new Classification(EXPLICIT, STABLE, "the client gave it");
        static final Classification UNMATCHED = new Classification(DEFAULT, STABLE, Classification.NO_RULES);
        /**
         * The reason of a task that gave no priority where no priority rules are configured: its
         * priority is then the default one exactly, as if the client had given it.
         */
        public static final String NO_RULES = "no priority given and no priority rules";
    }

    /** The same spec, classified. */
    public TaskSpec withClassification(Classification value) {
        return new TaskSpec(taskId, model, input, priority, callbackUrl, tenant, businessClass, deadline,
                maxTokens, promptTokens, metadata, value);
    }

    /**
     * The spec as its client sent it, for comparing a resubmission of the same task id: no
     * classification, and no priority when a rule chose it (rules may choose differently later).
     * Without priority rules, no priority is the default one: the same request as one that gave it.
     */
    public TaskSpec asRequested() {
        if (classification == null) {
            return this;
        }
        boolean given = Classification.EXPLICIT.equals(classification.rule())
                || Classification.NO_RULES.equals(classification.reason()) && priority != null && priority == DEFAULT_PRIORITY;
        Integer requested = given ? priority : null;
        return new TaskSpec(taskId, model, input, requested, callbackUrl, tenant, businessClass, deadline,
                maxTokens, promptTokens, metadata, null);
    }

    /** A minimal spec, for code that builds tasks rather than parsing them. */
    public static TaskSpec of(String model, String input, int priority, int maxTokens) {
        return new TaskSpec(null, model, input, priority, null, null, null, null, maxTokens, null, null);
    }

    public TaskSpec withTaskId(String id) {
        return new TaskSpec(id, model, input, priority, callbackUrl, tenant, businessClass, deadline,
                maxTokens, promptTokens, metadata, classification);
    }

    public TaskSpec withPriority(int newPriority) {
        return new TaskSpec(taskId, model, input, newPriority, callbackUrl, tenant, businessClass, deadline,
                maxTokens, promptTokens, metadata, classification);
    }

    public TaskSpec withMaxTokens(int tokens) {
        return new TaskSpec(taskId, model, input, priority, callbackUrl, tenant, businessClass, deadline,
                tokens, promptTokens, metadata, classification);
    }

    public TaskSpec withPromptTokens(int tokens) {
        return new TaskSpec(taskId, model, input, priority, callbackUrl, tenant, businessClass, deadline,
                maxTokens, tokens, metadata, classification);
    }

    /** The same task with equal model and tenant names given as other (shared) instances. */
    TaskSpec withNames(String sameModel, String sameTenant) {
        return new TaskSpec(taskId, sameModel, input, priority, callbackUrl, sameTenant, businessClass, deadline,
                maxTokens, promptTokens, metadata, classification);
    }

    public TaskSpec withTenant(String newTenant) {
        return new TaskSpec(taskId, model, input, priority, callbackUrl, newTenant, businessClass, deadline,
                maxTokens, promptTokens, metadata, classification);
    }

    /**
     * {@code "task_id": null} is refused, not read as absent: a script whose id variable is unset
     * would otherwise make a new task at each retry, the duplicate an idempotency key is there to
     * prevent. Left out, the id is made by the server as before.
     */
    static final class NoNullId extends com.fasterxml.jackson.databind.deser.std.StringDeserializer {
        @Override
        public String getNullValue(com.fasterxml.jackson.databind.DeserializationContext ctxt)
                throws com.fasterxml.jackson.databind.JsonMappingException {
            throw com.fasterxml.jackson.databind.exc.InvalidNullException.from(ctxt,
                    com.fasterxml.jackson.databind.PropertyName.construct("task_id"), ctxt.constructType(String.class));
        }

        @Override
        public Object getAbsentValue(com.fasterxml.jackson.databind.DeserializationContext ctxt) {
            return null;
        }
    }
}
