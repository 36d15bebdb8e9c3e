package io.queuedeck.engine.store;

import io.queuedeck.engine.tier.TierMode;
import java.util.Objects;

/** One change to a {@link TaskStore}; the loop makes them, the store writer applies them in batches. */
public sealed interface StoreWrite {

    /** Stores a task's record, replacing the one with the same id. */
    record PutTask(StoredTask task) implements StoreWrite {
        public PutTask {
            Objects.requireNonNull(task, "task");
        }
    }

    /** Forgets a task (its idempotency record expired); {@code sequence} is the task's. */
    record RemoveTask(String id, long sequence) implements StoreWrite {
        public RemoveTask {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * The final view of a finished task has reached the completion feed's listeners, and what
     * they keep of it is durable: a restart need not hand it on again. Nothing if the task is unknown.
     * {@code sequence} is the task's.
     */
    record HandedOn(String id, long sequence) implements StoreWrite {
        public HandedOn {
            Objects.requireNonNull(id, "id");
        }
    }

    /** A tier's mode, by the tier's name (decision 0061: a mode outlives a renamed tier in the store). */
    record SetTierMode(String tier, TierMode mode) implements StoreWrite {
        public SetTierMode {
            Objects.requireNonNull(tier, "tier");
            Objects.requireNonNull(mode, "mode");
        }
    }

    /** A priority lane's mode. */
    record SetLaneMode(int priority, TierMode mode) implements StoreWrite {
        public SetLaneMode {
            Objects.requireNonNull(mode, "mode");
        }
    }

    /** Whether all dispatch is paused. */
    record SetDispatchPaused(boolean paused) implements StoreWrite {}

    /**
     * An instance as an operator left it: taken offline, draining, or neither (back in service).
     * {@code model} and {@code url} (empty for a simulated GPU) say which instance it was, so a hold
     * is not put on another instance after the config changed.
     */
    record SetInstanceHold(int instance, StoreContents.InstanceHold hold) implements StoreWrite {
        public SetInstanceHold {
            Objects.requireNonNull(hold, "hold");
        }
    }
}
