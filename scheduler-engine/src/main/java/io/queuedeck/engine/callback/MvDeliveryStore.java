package io.queuedeck.engine.callback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.queuedeck.engine.store.MvFiles;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@link DeliveryStore} on an H2 MVStore file: two maps, task id to delivery (JSON) and task id to
 * the sequence number of its first put (for {@link #all()}'s order). A thread of its own commits
 * and syncs what changed every {@value #COMMIT_DELAY_MILLIS} ms, and close does, so a crash can
 * lose at most that much of the latest state; a clean stop loses nothing. {@link #flush()} commits
 * and syncs at once: the completion feed calls it once per batch of new callbacks, before the task
 * store learns they are recorded. Its file lock keeps a second process out of the directory.
 *
 * <p>Every commit is synced before the next is written, so the space of a chunk no version since
 * the last synced one uses can be written again at once. MVStore keeps it 45 s by default, a margin
 * for commits the operating system has not written yet: with a commit per batch the file grew by
 * about 3 MB a second under load, to 168 MB for a few hundred callbacks in flight (decision 0113).
 */
final class MvDeliveryStore implements DeliveryStore {
    /** How often changes since the last commit are committed and synced. */
    static final int COMMIT_DELAY_MILLIS = 200;
    /** The store's file inside the data directory. */
    static final String FILE_NAME = "callbacks.mv.db";

    private static final System.Logger LOG = System.getLogger(MvDeliveryStore.class.getName());
    private static final ObjectMapper MAPPER = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    /** What one map entry holds: the delivery, body as base64 (Jackson's byte[] form). */
    private record Stored(String url, byte[] body, Instant finishedAt, int attempts, String lastError, Instant deadAt) {}

    /** Compaction runs every this many commits of the committer (once a second). */
    private static final int COMPACT_EVERY_RUNS = 1_000 / COMMIT_DELAY_MILLIS;
    /** Chunks less live than this (percent) are rewritten, up to {@link #COMPACT_WRITE_BYTES} a time. */
    private static final int COMPACT_BELOW_PERCENT = 80;
    private static final int COMPACT_WRITE_BYTES = 4 << 20;

    /** Changes kept for a store that failed, at most: the oldest are dropped beyond (their records are lost). */
    static final int MAX_UNSAVED = 100_000;

    private MVStore store;
    private final Path dir;
    private final Path file;
    private MVMap<String, byte[]> deliveries;
    private MVMap<String, Long> order;
    private long nextSequence;
    private boolean closed;
    /** Whether anything was put since the last flush. */
    private boolean dirty;
    /**
     * Changes since the last commit that reached the file (a removal as null): H2 closes a store
     * whose write failed (a full disk), and what it had not committed is gone with it. The next
     * flush opens the file again and puts these back, so the file catches up once it has room.
     */
    private final Map<String, Delivery> unsaved = new LinkedHashMap<>();
    /** Failures since the last success (0: writing). */
    private long failures;
    /** Commits what changed between batches (retries, deliveries done); started once the file is read. */
    private ScheduledExecutorService committer;
    private long committerRuns;

    private MvDeliveryStore(MVStore store, Path dir) {
        this.dir = dir;
        this.file = dir.resolve(FILE_NAME);
        use(store);
        long max = -1;
        for (Long sequence : order.values()) {
            max = Math.max(max, sequence);
        }
        this.nextSequence = max + 1;
    }

    private void use(MVStore opened) {
        store = opened;
        store.setAutoCommitDelay(0); // MVStore's own commits are not synced: the committer's are
        store.setRetentionTime(0);
        deliveries = store.openMap("deliveries");
        order = store.openMap("order");
    }

    static MvDeliveryStore open(Path dir) {
        MVStore store = MvFiles.open(dir, FILE_NAME);
        MvDeliveryStore opened;
        try {
            opened = new MvDeliveryStore(store, dir);
        } catch (MVStoreException | ClassCastException e) {
            store.closeImmediately();
            throw new IllegalArgumentException("cannot read the callback store " + dir.resolve(FILE_NAME) + ": "
                    + e.getMessage() + "; move the file aside to start without the callbacks it holds");
        }
        opened.committer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("queuedeck-callback-commit").daemon().factory());
        opened.committer.scheduleWithFixedDelay(opened::commitAndCompact, COMMIT_DELAY_MILLIS, COMMIT_DELAY_MILLIS,
                TimeUnit.MILLISECONDS);
        return opened;
    }

    @Override
    public synchronized void put(Delivery d) {
        if (closed) {
            return;
        }
        byte[] value = bytes(d);
        remember(d.taskId(), d);
        try {
            apply(d.taskId(), value);
        } catch (RuntimeException e) { // a full disk, or a store H2 closed after one: delivery goes on; the next flush tries again
            failed(e);
        }
    }

    private void apply(String taskId, byte[] value) {
        if (value == null) {
            deliveries.remove(taskId);
            order.remove(taskId);
            return;
        }
        if (order.putIfAbsent(taskId, nextSequence) == null) {
            nextSequence++;
        }
        deliveries.put(taskId, value);
    }

    private void remember(String taskId, Delivery d) {
        dirty = true;
        unsaved.remove(taskId); // re-inserted last: the order of changes is kept
        unsaved.put(taskId, d);
        if (unsaved.size() > MAX_UNSAVED) {
            unsaved.remove(unsaved.keySet().iterator().next());
        }
    }

    private static byte[] bytes(Delivery d) {
        try {
            return MAPPER.writeValueAsBytes(new Stored(d.url(), d.body(), d.finishedAt(), d.attempts(), d.lastError(), d.deadAt()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The first failure with its cause, then the 10th, 100th, 1,000th… with the count: on a full disk
     * there are hundreds a second (three lines a callback before). By count, not time: no clock here.
     */
    private void failed(RuntimeException e) {
        if (isPowerOfTen(++failures)) {
            LOG.log(System.Logger.Level.WARNING, "callback state not saved (" + failures + " failures so far; deliveries go on,"
                    + " and the file catches up once it can be written): " + e.getMessage());
        }
    }

    /** One commit and sync for everything put since the last: called once per batch of finished tasks, and every 200 ms. */
    @Override
    public synchronized boolean flush() {
        if (closed || !dirty) {
            return !closed;
        }
        try {
            if (store.isClosed()) { // H2 closed it after a failed write: open the file again and put back what was lost
                use(MvFiles.open(dir, FILE_NAME));
                unsaved.forEach((taskId, d) -> apply(taskId, d == null ? null : bytes(d)));
            }
            store.commit();
            store.sync();
            dirty = false;
            unsaved.clear();
            if (failures > 0) {
                LOG.log(System.Logger.Level.INFO, "callback state is saved again, after " + failures + " failures");
                failures = 0;
            }
            return true;
        } catch (RuntimeException e) {
            failed(e);
            return false;
        }
    }

    /**
     * The committer's turn: what changed, and once a second the chunks that are less than 80% live
     * rewritten. A chunk is written over only when nothing in it is live, and a callback that stays
     * (a dead letter, one waiting to retry) keeps the chunk it was written in: with a receiver down
     * the file grew by 0.8 MB a second, to 51 MB for 3,555 dead letters, where it holds about 10.
     */
    private synchronized void commitAndCompact() {
        flush();
        if (++committerRuns % COMPACT_EVERY_RUNS != 0 || closed || store.isClosed()) {
            return;
        }
        try {
            if (store.getFileStore().getChunksFillRate() < COMPACT_BELOW_PERCENT
                    && store.compact(COMPACT_BELOW_PERCENT, COMPACT_WRITE_BYTES)) {
                store.commit();
                store.sync();
            }
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** What H2 does to a store whose write failed: closes it at once. For tests. */
    synchronized void breakAsOnAFailedWrite() {
        store.closeImmediately();
    }

    private static boolean isPowerOfTen(long n) {
        while (n >= 10 && n % 10 == 0) {
            n /= 10;
        }
        return n == 1;
    }

    @Override
    public synchronized void remove(String taskId) {
        if (closed) {
            return;
        }
        remember(taskId, null);
        try {
            apply(taskId, null);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public synchronized List<Delivery> all() {
        if (closed) {
            throw new IllegalStateException("the delivery store is closed");
        }
        List<Map.Entry<Long, Delivery>> found = new ArrayList<>(deliveries.size());
        try {
            read(found);
        } catch (MVStoreException | ClassCastException e) { // a page damaged in a crash: one sentence, not a trace
            throw new IllegalArgumentException("cannot read the callback store " + file + ": " + e.getMessage()
                    + "; move the file aside to start without the callbacks it holds (the tasks are in their own store)");
        }
        found.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
        List<Delivery> result = new ArrayList<>(found.size());
        for (Map.Entry<Long, Delivery> entry : found) {
            result.add(entry.getValue());
        }
        return result;
    }

    private void read(List<Map.Entry<Long, Delivery>> found) {
        for (Map.Entry<String, byte[]> entry : deliveries.entrySet()) {
            Stored s;
            try {
                s = entry.getValue() == null ? null : MAPPER.readValue(entry.getValue(), Stored.class);
            } catch (IOException e) {
                s = null;
            }
            if (s == null) {
                LOG.log(System.Logger.Level.WARNING, "skipping unreadable callback delivery for task " + entry.getKey());
                continue;
            }
            Long sequence = order.get(entry.getKey());
            found.add(Map.entry(sequence == null ? Long.MAX_VALUE : sequence, new Delivery(entry.getKey(), s.url(),
                    s.body(), s.finishedAt(), s.attempts(), s.lastError(), s.deadAt())));
        }
    }

    @Override
    public void close() {
        committer.shutdown(); // outside the lock: a commit under way ends first
        try {
            committer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (!closed) {
                flush(); // what a failed write left owed gets its last chance: a stop dropped it
                closed = true;
                String lost = dirty ? "the last save failed (the log has why)" : null;
                try {
                    store.close();
                } catch (RuntimeException e) { // the file lock must go, and the operator learn what the failure costs
                    store.closeImmediately();
                    lost = MvFiles.reason(e);
                }
                if (lost != null) {
                    throw new IllegalStateException(lost + "; callbacks changed since the last save may be sent again after a restart");
                }
            }
        }
    }
}
