package io.queuedeck.engine.fault;

import io.queuedeck.engine.store.ForwardingTaskStore;
import io.queuedeck.engine.store.StoreWrite;
import io.queuedeck.engine.store.TaskStore;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * A task store that fails its writes while a {@link FaultKind#STORE_FULL} fault acts, as a full
 * disk would: the write throws, nothing of the batch is stored, and the changes it carried are not
 * acknowledged (new submissions are answered 503 {@code store_unavailable}). When the fault is
 * cleared (space returns) writes go through again. Wrap the real store with it where the engine
 * is built and register it with {@link FaultCatalogue#registerStore}. Every other method of the
 * store is passed on as it is; audit entries are not refused: the trail records what operators do
 * about the fault.
 */
public final class FaultyStore extends ForwardingTaskStore {
    private volatile boolean full;

    public FaultyStore(TaskStore inner) {
        super(inner);
    }

    /** Whether writes fail now. */
    public boolean full() {
        return full;
    }

    void setFull(boolean value) {
        full = value;
    }

    @Override
    public void write(List<StoreWrite> batch) {
        if (full) {
            throw new IllegalStateException("disk full (an injected store fault)", new IOException("No space left on device"));
        }
        super.write(batch);
    }

    /** Deletes nothing while the disk is full (a write, as far as the disk is concerned); the next sweep does. */
    @Override
    public int forgetExpired(Instant now) {
        return full ? 0 : super.forgetExpired(now);
    }
}
