package io.queuedeck.engine.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.store.TaskStore;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Who did what to the queue, and when (decision 0041): operator actions from the console and every
 * state-changing API call but submissions. Kept with the task store when it keeps audit records
 * (the embedded store does, in the same file), in memory otherwise; the newest are kept, at most
 * {@value #KEEP} of them and {@link #MAX_BYTES} of their text, and a target or detail longer than
 * {@value #MAX_TEXT} characters is cut. Any thread: recording is rare (people act, not programs),
 * so one lock is plenty.
 */
public final class AuditTrail {
    /** Entries kept, in memory and in the store. */
    public static final int KEEP = 100_000;
    /** Text the kept entries may hold, counted two bytes a character with a fixed overhead each. */
    static final long MAX_BYTES = 16L << 20;
    /** Longest target or detail kept: a bulk filter may be 1,500 characters and a client repeats it at will. */
    static final int MAX_TEXT = 256;
    private long bytes;
    private static final System.Logger LOG = System.getLogger(AuditTrail.class.getName());
    private static final ObjectMapper MAPPER = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    private final EngineClock clock;
    private final TaskStore store;
    private final Executor writer;
    /** Entries recorded but not yet in the store. */
    private final java.util.concurrent.atomic.AtomicInteger unwritten = new java.util.concurrent.atomic.AtomicInteger();
    private final ArrayDeque<AuditEntry> entries = new ArrayDeque<>();
    private final CopyOnWriteArrayList<Consumer<AuditEntry>> listeners = new CopyOnWriteArrayList<>();
    private long next = 1;

    /** A trail stamped by {@code clock}, kept in {@code store} (null: in memory only), written on the caller's thread. */
    public AuditTrail(EngineClock clock, TaskStore store) {
        this(clock, store, Runnable::run);
    }

    /**
     * A trail stamped by {@code clock}, kept in {@code store} (null: in memory only), reading back
     * what it holds. {@code writer} runs the store writes, one at a time and in order: an entry
     * may be recorded on the scheduler's or the console's thread, which must not wait for a disk.
     */
    public AuditTrail(EngineClock clock, TaskStore store, Executor writer) {
        this.clock = clock;
        this.store = store;
        this.writer = writer;
        if (store != null) {
            for (byte[] record : store.auditRecords()) {
                try {
                    AuditEntry entry = MAPPER.readValue(record, AuditEntry.class);
                    keep(entry);
                    next = Math.max(next, entry.number() + 1);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "skipping an unreadable audit record: " + e.getMessage());
                }
            }
        }
    }

    /** Adds {@code entry} as the newest and drops the oldest past the bounds; under the lock. */
    private void keep(AuditEntry entry) {
        entries.addLast(entry);
        bytes += weight(entry);
        while ((entries.size() > KEEP || bytes > MAX_BYTES) && entries.size() > 1) {
            bytes -= weight(entries.removeFirst());
        }
    }

    private static long weight(AuditEntry e) {
        return 160 + 2L * (length(e.actor()) + length(e.source()) + length(e.action()) + length(e.target()) + length(e.detail()));
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    private static String cut(String text) {
        return text == null || text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT - 1) + "…";
    }

    /**
     * Records an action now and tells the listeners. A store that fails is logged, not thrown: the
     * action itself has happened already, and refusing to answer for it would mislead the caller.
     */
    public AuditEntry record(String actor, String source, String action, String target, int tasks, String detail) {
        AuditEntry entry;
        int kept;
        synchronized (this) {
            entry = new AuditEntry(next++, clock.toInstant(clock.nanos()), actor, source, action, cut(target), tasks, cut(detail));
            keep(entry);
            kept = entries.size();
        }
        if (store != null) {
            unwritten.incrementAndGet();
            writer.execute(() -> persist(entry, kept)); // the store keeps as many as memory does
        }
        for (Consumer<AuditEntry> listener : listeners) {
            listener.accept(entry);
        }
        return entry;
    }

    private void persist(AuditEntry entry, int keep) {
        try {
            store.appendAudit(entry.number(), MAPPER.writeValueAsBytes(entry), keep);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "audit entry " + entry.number() + " kept in memory only: " + e.getMessage());
        } finally {
            unwritten.decrementAndGet();
        }
    }

    /** Waits up to {@code nanos} (engine clock) for recorded entries to reach the store: before it is closed. */
    public void awaitWritten(long nanos) {
        long deadline = clock.nanos() + nanos;
        while (unwritten.get() > 0 && clock.nanos() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    /** The entries that pass the query, newest first. */
    public synchronized AuditPage find(AuditQuery query) {
        List<AuditEntry> page = new ArrayList<>(Math.min(query.limit(), 256));
        int total = 0;
        for (Iterator<AuditEntry> it = entries.descendingIterator(); it.hasNext(); ) {
            AuditEntry entry = it.next();
            if (query.matches(entry)) {
                if (total >= query.offset() && page.size() < query.limit()) {
                    page.add(entry);
                }
                total++;
            }
        }
        return new AuditPage(List.copyOf(page), total);
    }

    /** Told of every entry after it is recorded, on the recording thread; must return quickly. Answers how to stop telling it. */
    public Runnable onEntry(Consumer<AuditEntry> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
