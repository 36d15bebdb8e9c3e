package io.queuedeck.engine.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;

/**
 * {@link TaskStore} on an H2 MVStore file: task sequence to the task's record (JSON through
 * Jackson), and a small map of modes. Keyed by sequence, not id, so the tasks of one group commit
 * land in the last page or two of the index instead of one page each: a commit writes a few
 * pages, not one per task (ids are the clients' and in no order). Each {@link #write} is one {@link MVStore#commit()} (the batch's
 * pages and a new chunk written to the file, through the OS page cache) followed by
 * {@link MVStore#sync()} ({@code FileChannel.force(true)}: the file's data and metadata on the
 * disk). MVStore's background thread may also commit (every second, and when unsaved pages
 * pile up) and compacts the file; it never makes a record durable that a write has not put.
 * MVStore's file lock keeps a second process out of the directory.
 */
final class MvTaskStore implements TaskStore {
    /** The store's file inside the data directory. */
    static final String FILE_NAME = "tasks.mv.db";
    private static final String TASKS = "tasks-by-sequence";

    private static final System.Logger LOG = System.getLogger(MvTaskStore.class.getName());
    private static final ObjectMapper MAPPER = JsonMapper.builder().addModule(new JavaTimeModule()).build();

    private final MVStore store;
    private final MVMap<Long, byte[]> tasks;
    private final MVMap<String, String> modes;
    /** The audit trail (decision 0041): a sibling map in the same file, number to JSON record. */
    private final MVMap<Long, byte[]> audit;
    private boolean closed;

    private MvTaskStore(MVStore store) {
        this.store = store;
        this.tasks = store.openMap(TASKS, new MVMap.Builder<Long, byte[]>()
                .keyType(LongDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
        this.modes = store.openMap("modes");
        this.audit = store.openMap("audit", new MVMap.Builder<Long, byte[]>()
                .keyType(LongDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
        rekeyByIdMap();
    }

    /** A file written before records were keyed by sequence keeps them in a map keyed by id. */
    private void rekeyByIdMap() {
        if (!store.hasMap("tasks")) {
            return;
        }
        MVMap<String, byte[]> byId = store.openMap("tasks");
        for (byte[] record : byId.values()) {
            tasks.put(decode(record).sequence(), record);
        }
        store.removeMap(byId);
        store.commit();
    }

    static MvTaskStore open(Path dir) {
        return new MvTaskStore(MvFiles.open(dir, FILE_NAME));
    }

    @Override
    public synchronized StoreContents load(Instant now) {
        checkOpen();
        List<StoredTask> found = new ArrayList<>(tasks.size());
        List<Long> expired = new ArrayList<>();
        for (Map.Entry<Long, byte[]> entry : tasks.entrySet()) {
            StoredTask task;
            try {
                task = MAPPER.readValue(entry.getValue(), StoredTask.class);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "skipping unreadable record of the task with sequence "
                        + entry.getKey() + ": " + e.getMessage());
                continue;
            }
            if (task.expired(now)) {
                expired.add(entry.getKey());
            } else {
                found.add(task);
            }
        }
        if (!expired.isEmpty()) {
            for (Long sequence : expired) {
                tasks.remove(sequence);
            }
            store.commit();
        }
        return ModeKeys.contents(found, modes);
    }

    @Override
    public synchronized void write(List<StoreWrite> batch) {
        checkOpen();
        for (StoreWrite write : batch) {
            switch (write) {
                case StoreWrite.PutTask w -> tasks.put(w.task().sequence(), encode(w.task()));
                case StoreWrite.RemoveTask w -> tasks.remove(w.sequence());
                case StoreWrite.HandedOn w -> {
                    byte[] stored = tasks.get(w.sequence());
                    if (stored != null) {
                        tasks.put(w.sequence(), encode(decode(stored).withHandedOn()));
                    }
                }
                case StoreWrite.SetTierMode w -> modes.put(ModeKeys.tier(w.tier()), w.mode().name());
                case StoreWrite.SetLaneMode w -> modes.put(ModeKeys.lane(w.priority()), w.mode().name());
                case StoreWrite.SetDispatchPaused w -> modes.put(ModeKeys.DISPATCH, ModeKeys.paused(w.paused()));
            }
        }
        store.commit();
        store.sync();
    }

    private static StoredTask decode(byte[] stored) {
        try {
            return MAPPER.readValue(stored, StoredTask.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] encode(StoredTask task) {
        try {
            return MAPPER.writeValueAsBytes(task);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Committed and synced at once: operator actions are rare, and an audit record must outlive a crash. */
    @Override
    public synchronized void appendAudit(long number, byte[] record, int keep) {
        checkOpen();
        audit.put(number, record);
        while (audit.size() > keep) {
            audit.remove(audit.firstKey());
        }
        store.commit();
        store.sync();
    }

    @Override
    public synchronized List<byte[]> auditRecords() {
        checkOpen();
        return new ArrayList<>(audit.values());
    }

    @Override
    public long sizeBytes() {
        return store.getFileStore().size();
    }

    @Override
    public synchronized int taskCount() {
        checkOpen();
        return tasks.size();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the task store is closed");
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
