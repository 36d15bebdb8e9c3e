package io.queuedeck.engine.fault;

import io.queuedeck.engine.store.StoreContents;
import io.queuedeck.engine.store.StoreWrite;
import io.queuedeck.engine.store.StoredTask;
import io.queuedeck.engine.store.TaskStore;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A task store that fails its writes while a {@link FaultKind#STORE_FULL} fault acts, as a full
 * disk would: the write throws, nothing of the batch is stored, and the changes it carried are not
 * acknowledged (new submissions are answered 503 {@code store_unavailable}). When the fault is
 * cleared (space returns) writes go through again. Wrap the real store with it where the engine
 * is built and register it with {@link FaultCatalogue#registerStore}. Every other method of the
 * store is passed on as it is: a method left to its interface default would silently switch off
 * what the store does behind it (the audit trail, finished-task look-ups).
 */
public final class FaultyStore implements TaskStore {
    private final TaskStore inner;
    private volatile boolean full;

    public FaultyStore(TaskStore inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    /** Whether writes fail now. */
    public boolean full() {
        return full;
    }

    void setFull(boolean value) {
        full = value;
    }

    @Override
    public StoreContents load(Instant now) {
        return inner.load(now);
    }

    @Override
    public StoreContents load(Instant now, long wholeFinishedBytes) {
        return inner.load(now, wholeFinishedBytes);
    }

    @Override
    public void write(List<StoreWrite> batch) {
        if (full) {
            throw new IllegalStateException("disk full (an injected store fault)", new IOException("No space left on device"));
        }
        inner.write(batch);
    }

    @Override
    public boolean findsFinished() {
        return inner.findsFinished();
    }

    @Override
    public StoredTask findFinished(String id, Instant now) {
        return inner.findFinished(id, now);
    }

    /** Deletes nothing while the disk is full (a write, as far as the disk is concerned); the next sweep does. */
    @Override
    public int forgetExpired(Instant now) {
        return full ? 0 : inner.forgetExpired(now);
    }

    /** Audit entries are not refused by the fault: the trail records what operators do about it. */
    @Override
    public void appendAudit(long number, byte[] record, int keep) {
        inner.appendAudit(number, record, keep);
    }

    @Override
    public List<byte[]> auditRecords() {
        return inner.auditRecords();
    }

    @Override
    public int taskCount() {
        return inner.taskCount();
    }

    @Override
    public long sizeBytes() {
        return inner.sizeBytes();
    }

    @Override
    public void close() {
        inner.close();
    }
}
