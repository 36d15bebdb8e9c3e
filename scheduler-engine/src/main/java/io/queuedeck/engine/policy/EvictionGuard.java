package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;

/**
 * Which waiting tasks may evict a running one under a preemptive policy: priority
 * 0..{@code preempt_through} (default 2, the classes with the 1 s objective). Shared by
 * {@code priority} and {@code mlfq} (decisions 0076 and 0082b): a bulk task that evicts another
 * gains little against its 5–60 s objective while the evicted one pays its recompute, and under a
 * preemption storm a backlog of such evictions thrashes long after the storm.
 * {@code preempt_through: 9} lets every class evict.
 *
 * @param through the least urgent priority that may evict
 */
record EvictionGuard(int through) {
    /** The parameter's name in a policy's config. */
    static final String PARAMETER = "preempt_through";

    /** Reads {@code preempt_through} (0..9, default 2). */
    static EvictionGuard of(PolicyConfig config) {
        return new EvictionGuard((int) config.longValue(PARAMETER, 2, 0, 9));
    }

    /** Whether {@code waiting} is urgent enough to evict anyone. */
    boolean mayEvict(Task waiting) {
        return waiting.priority() <= through;
    }
}
