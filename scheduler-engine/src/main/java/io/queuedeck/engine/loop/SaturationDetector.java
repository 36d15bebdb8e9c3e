package io.queuedeck.engine.loop;

import io.queuedeck.engine.exec.BackendLoad;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;

/**
 * Decides when work is held in QueueDeck's queue rather than pushed to busy servers, and when the
 * engine as a whole is saturated (docs/flow-control.md). Two signals, as the Gateway API
 * Inference Extension's detector has: the slots the loop counts itself, and what a backend
 * reports ({@link Executor#reportedLoad}). Loop thread only; the slot count is re-read when an
 * instance changes, never per dispatch.
 */
final class SaturationDetector {
    /** A backend with this many requests queued inside it takes no more from us. */
    static final int QUEUE_DEPTH_THRESHOLD = 5;
    /** A backend with this much of its KV cache in use takes no more from us. */
    static final double KV_CACHE_THRESHOLD = 0.8;

    private final Executor executor;
    private int slots = -1;

    SaturationDetector(Executor executor) {
        this.executor = executor;
    }

    /** Whether {@code instance} reports itself too busy to be given more work now. */
    boolean holds(int instance) {
        BackendLoad load = executor.reportedLoad(instance);
        return load != null && (load.serverWaiting() != null && load.serverWaiting() >= QUEUE_DEPTH_THRESHOLD
                || load.kvCacheUsage() != null && load.kvCacheUsage() >= KV_CACHE_THRESHOLD);
    }

    /** Whether every slot is taken (or every instance holds): new work can only wait. */
    boolean saturated(int running) {
        if (running >= slots()) {
            return true;
        }
        for (int i = 0; i < executor.instanceCount(); i++) {
            if (!holds(i)) {
                return false;
            }
        }
        return executor.instanceCount() > 0;
    }

    /** Tasks all healthy instances run at once. */
    int slots() {
        if (slots < 0) {
            int sum = 0;
            for (InstanceStatus status : executor.status()) {
                if (status.state() == InstanceState.UP || status.state() == InstanceState.SLOW) {
                    sum += status.batchCapacity();
                }
            }
            slots = Math.max(1, sum);
        }
        return slots;
    }

    /** An instance changed (crashed, went offline, came back): count the slots again when next asked. */
    void instanceChanged() {
        slots = -1;
    }
}
