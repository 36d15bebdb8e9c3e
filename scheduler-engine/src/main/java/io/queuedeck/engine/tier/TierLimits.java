package io.queuedeck.engine.tier;

import java.time.Duration;

/**
 * One tier's flow-control settings (the {@code tiers.<tier>} config section, decision 0028).
 * Zero means "no limit" for every count and byte size, and a zero TTL means none.
 *
 * @param maxConcurrency   running tasks of the tier at most; 0 for no cap
 * @param share            weight of the tier's guaranteed share of all slots under contention; 0 for no guarantee
 * @param maxQueueTasks    waiting tasks of the tier at most; 0 for no limit
 * @param maxQueueBytes    counted body bytes of the tier's waiting tasks at most; 0 for no limit
 * @param queueTtl         longest a task may wait in the tier; zero for no limit
 * @param timeoutAction    what a task past {@code queueTtl} becomes
 * @param maxAttempts      runs in all for a failing task of the tier; 0 for the engine's retry rule
 * @param retryBaseDelay   backoff before the second attempt, with {@code maxAttempts}; null for the engine's
 * @param retryMaxDelay    the backoff's cap; null for the engine's
 * @param degrade          what a new task meets when the tier's queue is full
 * @param fairness         how the tier's slots are shared between tenants
 * @param evictLower       under saturation, whether a waiting task of this tier may take the slot of a running
 *                         task of a lower tier (which queues again and recomputes)
 */
public record TierLimits(int maxConcurrency, double share, int maxQueueTasks, long maxQueueBytes, Duration queueTtl,
                         TimeoutAction timeoutAction, int maxAttempts, Duration retryBaseDelay, Duration retryMaxDelay,
                         Degrade degrade, Fairness fairness, boolean evictLower) {

    /** No limit at all: today's behaviour. */
    public static final TierLimits NONE = new TierLimits(0, 0, 0, 0, Duration.ZERO, TimeoutAction.REJECT, 0, null, null,
            Degrade.REJECT, Fairness.NONE, false);

    public TierLimits {
        if (maxConcurrency < 0 || share < 0 || !Double.isFinite(share) || maxQueueTasks < 0 || maxQueueBytes < 0 || maxAttempts < 0) {
            throw new IllegalArgumentException("tier limits must not be negative");
        }
        if (queueTtl == null || queueTtl.isNegative()) {
            throw new IllegalArgumentException("queue TTL must be zero or positive");
        }
        if (timeoutAction == null || degrade == null || fairness == null) {
            throw new NullPointerException("timeout action, degrade and fairness must be given");
        }
    }

    /** What a task that waited past its tier's {@code queue_ttl} becomes. */
    public enum TimeoutAction {
        /** It leaves the queue as TIMED_OUT; its callback hears so. */
        REJECT,
        /** It moves to the next tier, keeping its place in time; past the last tier it times out. */
        DEMOTE
    }

    /** What a new task meets when its tier's queue is full (or, for {@link #REJECT_LOWEST}, the engine is saturated). */
    public enum Degrade {
        /** It is refused: 429 {@code queue_full}. */
        REJECT,
        /**
         * As {@link #REJECT}; and while the engine is saturated, new work at the tier's least urgent
         * priority is refused at once: 503 {@code saturated}.
         */
        REJECT_LOWEST,
        /** It joins the next tier instead, if that has room. */
        SPILL,
        /** It is held in the dead-letter tier, to be replayed later. */
        PARK
    }

    /** How a tier's slots are shared between its tenants. */
    public enum Fairness {
        /** The policy's order alone. */
        NONE,
        /** Tenants take turns, a tenant of weight w taking w turns per round. */
        ROUND_ROBIN,
        /** Virtual token counters (VTC): each tenant is charged its tasks' tokens divided by its weight. */
        VTC
    }

    /** Whether the tier needs its own queue, apart from the other tiers', to be enforced. */
    public boolean needsOwnQueue() {
        return maxConcurrency > 0 || share > 0 || fairness != Fairness.NONE;
    }
}
