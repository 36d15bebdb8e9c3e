package io.queuedeck.engine.command;

import java.util.Map;

/**
 * What a canary's tasks get of their own: the policy that orders them in a queue of their own
 * (decision 0051) and the tier limits they are held to (decision 0081).
 *
 * @param policy     its name; null for none (canary tasks wait with the others)
 * @param parameters its parameters as text
 * @param limits     the candidate's tier limits (its {@code max_queue}, {@code queue_ttl},
 *                   {@code timeout_action}, {@code degrade} and retries apply to canary tasks);
 *                   null for none (canary tasks are held to the running limits)
 */
public record CanaryPolicy(String policy, Map<String, String> parameters, io.queuedeck.engine.tier.FlowSettings limits) {
    /** No canary policy or limits: canary tasks are ordered by the running policy, held to the running limits. */
    public static final CanaryPolicy END = new CanaryPolicy(null, Map.of(), null);

    public CanaryPolicy {
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }
}
