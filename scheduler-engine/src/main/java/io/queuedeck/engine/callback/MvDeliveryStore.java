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
import java.util.List;
import java.util.Map;

/**
 * {@link DeliveryStore} on an H2 MVStore file: two maps, task id to delivery (JSON) and task id to
 * the sequence number of its first put (for {@link #all()}'s order). MVStore commits in the
 * background every {@value #COMMIT_DELAY_MILLIS} ms and on close, so a crash can lose at most
 * that much of the latest state; a clean stop loses nothing. {@link #flush()} commits and syncs
 * at once: the completion feed calls it once per batch of new callbacks, before the task store
 * learns they are recorded. Its file lock keeps a second process
 * out of the directory.
 */
final class MvDeliveryStore implements DeliveryStore {
    /** How often buffered writes are committed to the file. */
    static final int COMMIT_DELAY_MILLIS = 200;
    /** The store's file inside the data directory. */
    static final String FILE_NAME = "callbacks.mv.db";

    private static final System.Logger LOG = System.getLogger(MvDeliveryStore.class.getName());
    private static final ObjectMapper MAPPER = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    /** What one map entry holds: the delivery, body as base64 (Jackson's byte[] form). */
    private record Stored(String url, byte[] body, Instant finishedAt, int attempts, String lastError, Instant deadAt) {}

    private final MVStore store;
    private final Path file;
    private final MVMap<String, byte[]> deliveries;
    private final MVMap<String, Long> order;
    private long nextSequence;
    private boolean closed;
    /** Whether anything was put since the last flush. */
    private boolean dirty;

    private MvDeliveryStore(MVStore store, Path file) {
        this.store = store;
        this.file = file;
        this.deliveries = store.openMap("deliveries");
        this.order = store.openMap("order");
        long max = -1;
        for (Long sequence : order.values()) {
            max = Math.max(max, sequence);
        }
        this.nextSequence = max + 1;
    }

    static MvDeliveryStore open(Path dir) {
        MVStore store = MvFiles.open(dir, FILE_NAME);
        store.setAutoCommitDelay(COMMIT_DELAY_MILLIS);
        try {
            return new MvDeliveryStore(store, dir.resolve(FILE_NAME));
        } catch (MVStoreException | ClassCastException e) {
            store.closeImmediately();
            throw new IllegalArgumentException("cannot read the callback store " + dir.resolve(FILE_NAME) + ": "
                    + e.getMessage() + "; move the file aside to start without the callbacks it holds");
        }
    }

    @Override
    public synchronized void put(Delivery d) {
        if (closed) {
            return;
        }
        byte[] value;
        try {
            value = MAPPER.writeValueAsBytes(new Stored(d.url(), d.body(), d.finishedAt(), d.attempts(), d.lastError(),
                    d.deadAt()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            if (order.putIfAbsent(d.taskId(), nextSequence) == null) {
                nextSequence++;
            }
            deliveries.put(d.taskId(), value);
            dirty = true;
        } catch (RuntimeException e) {
            // a full disk or a store H2 closed after an error: delivery goes on, only its record is lost
            LOG.log(System.Logger.Level.WARNING, "callback state for task " + d.taskId() + " not saved: " + e.getMessage());
        }
    }

    /** One commit and sync for everything put since the last: called once per batch of finished tasks. */
    @Override
    public synchronized void flush() {
        if (!closed && dirty) {
            dirty = false;
            store.commit();
            store.sync();
        }
    }

    @Override
    public synchronized void remove(String taskId) {
        if (closed) {
            return;
        }
        try {
            deliveries.remove(taskId);
            order.remove(taskId);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "callback state for task " + taskId + " not removed: " + e.getMessage());
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
    public synchronized void close() {
        if (!closed) {
            closed = true;
            store.close();
        }
    }
}
