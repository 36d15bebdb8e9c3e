package io.queuedeck.engine.exec;

/**
 * One executor instance at one moment.
 *
 * @param id               instance number, 0-based
 * @param model            the model it serves
 * @param state            its health
 * @param running          tasks in its batch (including those joining at the next step)
 * @param batchCapacity    most tasks it runs at once
 * @param kvUsedTokens     KV-cache tokens reserved by its tasks
 * @param kvCapacityTokens KV-cache size in tokens
 * @param slowdown         step-time multiplier (1 = normal)
 * @param draining         takes no new work; what runs there finishes
 * @param backend          the real inference server behind it and how busy it is, or null on a simulated GPU
 */
public record InstanceStatus(int id, String model, InstanceState state, int running, int batchCapacity,
                             long kvUsedTokens, long kvCapacityTokens, double slowdown, boolean draining,
                             BackendLoad backend) {

    /** A simulated instance, not draining. */
    public InstanceStatus(int id, String model, InstanceState state, int running, int batchCapacity,
                          long kvUsedTokens, long kvCapacityTokens, double slowdown) {
        this(id, model, state, running, batchCapacity, kvUsedTokens, kvCapacityTokens, slowdown, false, null);
    }
}
