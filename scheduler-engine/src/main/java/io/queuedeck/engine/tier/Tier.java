package io.queuedeck.engine.tier;

/**
 * Service tiers. A task's tier follows from its priority (see {@link #of(int)}); dead-lettered
 * tasks sit in their own tier until an operator replays them.
 */
public enum Tier {
    /** Priorities 0-2: interactive, latency-critical traffic. */
    CORE,
    /** Priorities 3-6: the default. */
    NORMAL,
    /** Priorities 7-9: bulk work that may wait. */
    BATCH,
    /** Tasks that exhausted their attempts. */
    DEAD_LETTER;

    /** The tier of a waiting task with this priority. */
    public static Tier of(int priority) {
        if (priority <= 2) {
            return CORE;
        }
        return priority <= 6 ? NORMAL : BATCH;
    }

    /** The most urgent priority of this tier's band (a task spilled or demoted here takes it); -1 for dead letters. */
    public int firstPriority() {
        return switch (this) {
            case CORE -> 0;
            case NORMAL -> 3;
            case BATCH -> 7;
            case DEAD_LETTER -> -1;
        };
    }

    /** The next, less urgent tier of waiting work; null after {@link #BATCH}. */
    public Tier next() {
        return switch (this) {
            case CORE -> NORMAL;
            case NORMAL -> BATCH;
            case BATCH, DEAD_LETTER -> null;
        };
    }
}
