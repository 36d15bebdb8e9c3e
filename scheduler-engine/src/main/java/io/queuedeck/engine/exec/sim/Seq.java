package io.queuedeck.engine.exec.sim;

import io.queuedeck.engine.task.Task;

/** A task admitted to an instance of {@link VllmGpuExecutor}: its share of the KV cache and of the step under way. */
final class Seq {
    final Task task;
    final long admitted;
    /** Tokens whose K and V are in the cache. */
    long computed;
    /** KV blocks allocated to it. */
    long blocks;
    /** Blocks its unprefilled context may still claim: kept free for it by admission. */
    long promised;
    /** Tokens scheduled in the step under way (0: not in it). */
    int scheduled;
    /** Whether the step under way ends with a new token for it. */
    boolean samples;
    /** When it produced its last token ({@link TokenGaps#NONE}: none yet). */
    long lastTokenAt = TokenGaps.NONE;
    /** Left the instance (finished, preempted, evicted); a step under way skips it. */
    boolean gone;
    /** In its instance's kept order. */
    boolean ordered;

    Seq(Task task, long admitted) {
        this.task = task;
        this.admitted = admitted;
    }
}
