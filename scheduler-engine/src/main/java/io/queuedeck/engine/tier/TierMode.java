package io.queuedeck.engine.tier;

/** What an operator set for one tier's queue. */
public enum TierMode {
    /** Takes submissions and dispatches them. */
    ACTIVE,
    /** Takes submissions, dispatches none: its waiting tasks stay put; running ones go on. */
    PAUSED,
    /** Refuses new submissions and dispatches what it holds until it is empty. */
    DRAINING
}
