package io.queuedeck.engine.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A task store that passes every call on to another, for one that changes a few of them. Every
 * method is passed on, none left to its interface default: a default would silently switch off
 * what the store does behind it (the audit trail, finished-task look-ups).
 */
public abstract class ForwardingTaskStore implements TaskStore {
    private final TaskStore inner;

    protected ForwardingTaskStore(TaskStore inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
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

    @Override
    public int forgetExpired(Instant now) {
        return inner.forgetExpired(now);
    }

    @Override
    public void appendAudit(long number, byte[] record, List<Long> dropped) {
        inner.appendAudit(number, record, dropped);
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
