package io.queuedeck.engine.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.task.Holdings;
import io.queuedeck.engine.task.VisibleText;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * {@value #MAX_TEXT} characters is cut. Past either bound the oldest entry of the actor holding the
 * most entries goes first, so one client repeating a cheap call pushes out its own entries and no one
 * else's (decision 0133). Any thread: recording is rare (people act, not programs), so one lock is
 * plenty.
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
    /** Oldest first, by number. */
    private final LinkedHashMap<Long, AuditEntry> entries = new LinkedHashMap<>();
    /** Each actor's entries, oldest first, and how many. */
    private final Map<String, ArrayDeque<AuditEntry>> byActor = new HashMap<>();
    private final Holdings<String> actorEntries = new Holdings<>();
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
            List<Long> dropped = new ArrayList<>();
            byte[] last = null;
            for (byte[] record : store.auditRecords()) {
                try {
                    AuditEntry entry = MAPPER.readValue(record, AuditEntry.class);
                    dropped.addAll(keep(entry));
                    next = Math.max(next, entry.number() + 1);
                    last = record;
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "skipping an unreadable audit record: " + e.getMessage());
                }
            }
            if (!dropped.isEmpty()) { // kept past the bounds (as earlier versions counted them): the store lets them go too
                store.appendAudit(next - 1, last, dropped);
            }
        }
    }

    /**
     * Adds {@code entry} as the newest and, past the bounds, drops the oldest entries of the actor
     * holding the most text; under the lock. Answers the numbers dropped.
     */
    private List<Long> keep(AuditEntry entry) {
        entries.put(entry.number(), entry);
        String actor = String.valueOf(entry.actor());
        byActor.computeIfAbsent(actor, a -> new ArrayDeque<>()).addLast(entry);
        long weight = weight(entry);
        bytes += weight;
        actorEntries.add(actor, 1);
        List<Long> dropped = List.of();
        while ((entries.size() > KEEP || bytes > MAX_BYTES) && entries.size() > 1) {
            // the actor with the most entries (the earliest of equals): a flooder always, and an entry's text is
            // capped, so entries stand for text too; by text alone one long entry of an operator's went first
            AuditEntry gone = byActor.get(actorEntries.largest()).peekFirst();
            drop(gone);
            if (dropped.isEmpty()) {
                dropped = new ArrayList<>();
            }
            dropped.add(gone.number());
        }
        return dropped;
    }

    private void drop(AuditEntry gone) {
        entries.remove(gone.number());
        String actor = String.valueOf(gone.actor());
        ArrayDeque<AuditEntry> own = byActor.get(actor);
        own.remove(gone); // the actor's oldest, or near it: at the head
        long weight = weight(gone);
        bytes -= weight;
        actorEntries.add(actor, -1);
        if (own.isEmpty()) {
            byActor.remove(actor);
        }
    }

    private static long weight(AuditEntry e) {
        return 160 + 2L * (length(e.actor()) + length(e.source()) + length(e.action()) + length(e.target()) + length(e.detail()));
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    /**
     * {@code text} as the trail keeps it: its invisible characters as their code (a target or detail
     * may quote a client's filter, read later in the console and exports), at most {@value #MAX_TEXT}
     * characters, a surrogate pair never split.
     */
    private static String cut(String text) {
        text = VisibleText.of(text);
        if (text == null || text.length() <= MAX_TEXT) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_TEXT - 2)) ? MAX_TEXT - 2 : MAX_TEXT - 1;
        return text.substring(0, end) + "…";
    }

    /**
     * Records an action now and tells the listeners. A store that fails is logged, not thrown: the
     * action itself has happened already, and refusing to answer for it would mislead the caller.
     */
    public AuditEntry record(String actor, String source, String action, String target, int tasks, String detail) {
        AuditEntry entry;
        synchronized (this) {
            entry = new AuditEntry(next++, clock.toInstant(clock.nanos()), actor, source, action, cut(target), tasks, cut(detail));
            List<Long> dropped = keep(entry);
            if (store != null) {
                unwritten.incrementAndGet();
                // in the order numbered (the writer runs one at a time): a later entry's drop may name this one
                writer.execute(() -> persist(entry, dropped)); // the store keeps what memory does
            }
        }
        for (Consumer<AuditEntry> listener : listeners) {
            listener.accept(entry);
        }
        return entry;
    }

    private void persist(AuditEntry entry, List<Long> dropped) {
        try {
            store.appendAudit(entry.number(), MAPPER.writeValueAsBytes(entry), dropped);
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
        for (Iterator<AuditEntry> it = entries.sequencedValues().reversed().iterator(); it.hasNext(); ) {
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
