package io.queuedeck.engine.testing;

import io.queuedeck.engine.store.StoreContents;
import io.queuedeck.engine.store.StoreWrite;
import io.queuedeck.engine.store.TaskStore;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The in-memory task store with every write held until {@link #gate} is counted down (up to 10 s,
 * then the write fails), and told to fail with {@link #failing}: a commit that is slow, or a disk
 * that is full, at a moment a test chooses.
 */
public final class GatedStore implements TaskStore {
    private final TaskStore inner = TaskStore.inMemory();
    /** Counted down, it lets every write through. */
    public final CountDownLatch gate = new CountDownLatch(1);
    /** Set, every write fails (after the gate), as on a full disk. */
    public volatile boolean failing;

    @Override
    public StoreContents load(Instant now) {
        return inner.load(now);
    }

    @Override
    public void write(List<StoreWrite> batch) {
        try {
            if (!gate.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (failing) {
            throw new IllegalStateException("disk full");
        }
        inner.write(batch);
    }

    @Override
    public int taskCount() {
        return inner.taskCount();
    }

    @Override
    public void close() {
        inner.close();
    }
}
