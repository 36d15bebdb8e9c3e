package io.queuedeck.engine.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;

/**
 * The task file of earlier versions (an H2 MVStore file), read once so that {@link SqliteTaskStore}
 * can import it: records keyed by sequence in {@code tasks-by-sequence} (or, older still, by id in
 * {@code tasks}), and modes in {@code modes}.
 */
final class MvTaskFile {
    static final String FILE_NAME = "tasks.mv.db";
    static final String TASKS_BY_SEQUENCE = "tasks-by-sequence";
    static final String TASKS_BY_ID = "tasks";

    private static final System.Logger LOG = System.getLogger(MvTaskFile.class.getName());

    private MvTaskFile() {}

    /** Everything in {@code dir/tasks.mv.db} that has not expired at {@code now}. */
    static StoreContents read(Path dir, Instant now) {
        try (MVStore store = MvFiles.open(dir, FILE_NAME)) {
            List<StoredTask> found = new ArrayList<>();
            MVMap<Long, byte[]> bySequence = store.openMap(TASKS_BY_SEQUENCE, new MVMap.Builder<Long, byte[]>()
                    .keyType(LongDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
            bySequence.values().forEach(record -> keep(record, now, found));
            if (store.hasMap(TASKS_BY_ID)) {
                MVMap<String, byte[]> byId = store.openMap(TASKS_BY_ID);
                byId.values().forEach(record -> keep(record, now, found));
            }
            return ModeKeys.contents(found, store.openMap("modes"));
        }
    }

    private static void keep(byte[] record, Instant now, List<StoredTask> found) {
        StoredTask task;
        try {
            task = StoredTaskJson.fromBytes(record);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "skipping an unreadable task record: " + e.getMessage());
            return;
        }
        if (!task.expired(now)) {
            found.add(task);
        }
    }
}
