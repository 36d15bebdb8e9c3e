package io.queuedeck.engine.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The embedded {@link TaskStore}: a SQLite database in WAL mode (decision 0045). A task's record
 * (JSON) is one row keyed by its sequence; tier, lane and dispatch modes are rows of a small table,
 * and the audit trail's entries (decision 0041) rows of a third.
 * Each {@link #write} is one transaction; its commit appends the changed pages to the write-ahead
 * log and fsyncs it ({@code synchronous=FULL}) before returning, so a batch is either wholly on the
 * device or not at all. A {@link WalCheckpointer} copies the log back into the database file on
 * a thread of its own; every {@value #CHECKPOINT_PAGES} pages the writer checkpoints what is left
 * and the log starts over, so the files stay near the size of what is stored. A lock on
 * {@value #LOCK_FILE_NAME}, held while the store is open, refuses a second process opening the same
 * directory.
 */
final class SqliteTaskStore implements TaskStore {
    /** The database inside the data directory; SQLite keeps its log beside it ({@code tasks.db-wal}). */
    static final String FILE_NAME = "tasks.db";
    /** Locked while a process has the store open (the operating system drops the lock when it dies). */
    static final String LOCK_FILE_NAME = "tasks.lock";
    /** What an imported file of an earlier version is renamed to: kept, never read again. */
    static final String IMPORTED_MV_FILE = MvTaskFile.FILE_NAME + ".imported";

    private final Path file;
    private Connection connection;
    private final StoreLock lock;
    private volatile WalCheckpointer checkpointer;
    /**
     * Log pages between checkpoints (SQLite's default is 1,000). A group commit of a few tasks
     * rewrites the same few leaf pages, so a longer log copies each page back once for many commits,
     * and the extra fsyncs of a checkpoint come a tenth as often. Durability is the same: every
     * commit still syncs the log. At most about 40 MB of log, read once when the store opens.
     */
    static final int CHECKPOINT_PAGES = 10_000;
    /** Expired idempotency records deleted per transaction, so a sweep never holds the writer long. */
    static final int SWEEP_CHUNK = 10_000;

    private PreparedStatement insert, update, delete, select, putMode, putAudit, trimAudit, findFinished, sweep;
    private volatile int taskCount;
    private boolean closed;
    /**
     * A statement failed (a full disk, a failing device): SQLite may have rolled back on its own, and
     * the driver then refuses the connection's statements for good ("statement is not executing").
     * The next call opens a fresh connection, so writes succeed again once the disk has room.
     */
    private boolean broken;

    private SqliteTaskStore(Path file, Connection connection, StoreLock lock) throws SQLException {
        this.file = file;
        this.lock = lock;
        prepare(connection);
        try (Statement statement = connection.createStatement();
             ResultSet count = statement.executeQuery("SELECT count(*) FROM tasks")) {
            taskCount = count.next() ? count.getInt(1) : 0;
        }
    }

    private void prepare(Connection connection) throws SQLException {
        this.connection = connection;
        insert = connection.prepareStatement("INSERT OR IGNORE INTO tasks(sequence, record, id, expires_at) VALUES (?, ?, ?, ?)");
        update = connection.prepareStatement("UPDATE tasks SET record = ?, id = ?, expires_at = ? WHERE sequence = ?");
        // both through the partial indexes: only finished tasks (an expiry) are in them. By id, named: the
        // planner would otherwise take the expiry index for "expires_at > ?" and walk every unexpired
        // record. At most one unexpired record has an id (a resubmission within the window is answered, not stored).
        findFinished = connection.prepareStatement("SELECT record FROM tasks INDEXED BY tasks_finished_id"
                + " WHERE id = ? AND expires_at IS NOT NULL AND expires_at > ? LIMIT 1");
        sweep = connection.prepareStatement("DELETE FROM tasks WHERE sequence IN (SELECT sequence FROM tasks"
                + " WHERE expires_at IS NOT NULL AND expires_at < ? LIMIT " + SWEEP_CHUNK + ")");
        delete = connection.prepareStatement("DELETE FROM tasks WHERE sequence = ?");
        select = connection.prepareStatement("SELECT record FROM tasks WHERE sequence = ?");
        putMode = connection.prepareStatement("INSERT INTO modes(key, value) VALUES (?, ?)"
                + " ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        putAudit = connection.prepareStatement("INSERT OR REPLACE INTO audit(number, record) VALUES (?, ?)");
        trimAudit = connection.prepareStatement("DELETE FROM audit WHERE number = ?");
    }

    private static Connection connect(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        // Otherwise the driver runs "SELECT last_insert_rowid()" (prepared anew) after every insert.
        config.setGetGeneratedKeys(false);
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA journal_mode = WAL");
            statement.execute("PRAGMA synchronous = FULL");
            statement.execute("PRAGMA wal_autocheckpoint = " + CHECKPOINT_PAGES);
        } catch (SQLException e) {
            closeQuietly(connection);
            throw e;
        }
        return connection;
    }

    /**
     * Opens (or creates) the store in {@code dir}; a task file of an earlier version found there
     * ({@code tasks.mv.db}) is imported once and renamed.
     */
    static SqliteTaskStore open(Path dir) {
        Path file = PrivateFiles.prepare(dir, FILE_NAME);
        StoreLock lock = StoreLock.acquire(dir, LOCK_FILE_NAME, FILE_NAME);
        Connection connection = null;
        SqliteTaskStore store = null;
        try {
            connection = connect(file);
            try (Statement statement = connection.createStatement()) {
                statement.execute("BEGIN EXCLUSIVE");
                statement.execute("CREATE TABLE IF NOT EXISTS tasks (sequence INTEGER PRIMARY KEY, record BLOB NOT NULL)");
                addFinishedColumns(statement);
                statement.execute("CREATE TABLE IF NOT EXISTS modes (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
                statement.execute("CREATE TABLE IF NOT EXISTS audit (number INTEGER PRIMARY KEY, record BLOB NOT NULL)");
                statement.execute("COMMIT");
            }
            connection.setAutoCommit(false);
            store = new SqliteTaskStore(file, connection, lock);
            store.importEarlierFile(dir);
            store.checkpointer = WalCheckpointer.start(file);
            return store;
        } catch (SQLException | RuntimeException e) {
            if (store != null) {
                store.close();
            } else {
                closeQuietly(connection);
                lock.close();
            }
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e instanceof SQLiteException sqlite && (sqlite.getResultCode() == SQLiteErrorCode.SQLITE_BUSY
                    || sqlite.getResultCode() == SQLiteErrorCode.SQLITE_LOCKED)) {
                throw StoreLock.inUse(dir, FILE_NAME); // an earlier version's exclusive lock
            }
            throw new IllegalArgumentException(openRefusal(file, (SQLException) e));
        }
    }

    /** Why {@code file} cannot be opened, in the operator's words where SQLite's code says more than its message. */
    static String openRefusal(Path file, SQLException e) {
        String known = reason(e);
        return "cannot open " + file + ": " + (known.equals(UNKNOWN_FAILURE) ? e.getMessage() : known + "; start again once that is fixed");
    }

    /**
     * A finished task's id and expiry (epoch milliseconds) are columns of their own, indexed only
     * where an expiry is set: a lookup by id and the expiry sweep read the index, never the records,
     * and the writes of active tasks never touch it. A file of an earlier version gets the columns
     * here, filled from its finished records once.
     */
    private static void addFinishedColumns(Statement statement) throws SQLException {
        boolean hasId = false;
        try (ResultSet columns = statement.executeQuery("PRAGMA table_info(tasks)")) {
            while (columns.next()) {
                hasId |= "id".equals(columns.getString("name"));
            }
        }
        if (!hasId) {
            statement.execute("ALTER TABLE tasks ADD COLUMN id TEXT");
            statement.execute("ALTER TABLE tasks ADD COLUMN expires_at INTEGER");
            Connection connection = statement.getConnection();
            try (Statement reading = connection.createStatement();
                 ResultSet rows = reading.executeQuery("SELECT sequence, record FROM tasks");
                 PreparedStatement fill = connection.prepareStatement("UPDATE tasks SET id = ?, expires_at = ? WHERE sequence = ?")) {
                while (rows.next()) {
                    StoredTask task;
                    try {
                        task = StoredTaskJson.fromBytes(rows.getBytes(2));
                    } catch (IllegalArgumentException unreadable) {
                        continue; // load() skips it with a warning
                    }
                    if (task.expiresAt() != null) {
                        fill.setString(1, task.id());
                        fill.setLong(2, epochMillis(task.expiresAt()));
                        fill.setLong(3, rows.getLong(1));
                        fill.executeUpdate();
                    }
                }
            }
        }
        statement.execute("CREATE INDEX IF NOT EXISTS tasks_finished_id ON tasks(id) WHERE expires_at IS NOT NULL");
        statement.execute("CREATE INDEX IF NOT EXISTS tasks_expiry ON tasks(expires_at) WHERE expires_at IS NOT NULL");
    }

    /** Milliseconds since the epoch, saturated: an expiry centuries away must not overflow. */
    static long epochMillis(Instant instant) {
        try {
            return instant.toEpochMilli();
        } catch (ArithmeticException tooFar) {
            return instant.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** Earlier versions kept tasks in an H2 MVStore file: its records come over in one transaction. */
    private void importEarlierFile(Path dir) {
        Path earlier = dir.resolve(MvTaskFile.FILE_NAME);
        if (!Files.exists(earlier)) {
            return;
        }
        StoreContents contents = MvTaskFile.read(dir, Instant.now());
        List<StoreWrite> writes = new ArrayList<>();
        contents.tasks().forEach(task -> writes.add(new StoreWrite.PutTask(task)));
        contents.tierModes().forEach((tier, mode) -> writes.add(new StoreWrite.SetTierMode(tier, mode)));
        contents.laneModes().forEach((lane, mode) -> writes.add(new StoreWrite.SetLaneMode(lane, mode)));
        writes.add(new StoreWrite.SetDispatchPaused(contents.dispatchPaused()));
        write(writes);
        try {
            // Only after the import is committed: a crash before this imports again, which overwrites alike.
            Files.move(earlier, dir.resolve(IMPORTED_MV_FILE), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("imported " + earlier + " but could not rename it", e);
        }
    }

    @Override
    public synchronized StoreContents load(Instant now) {
        return load(now, Long.MAX_VALUE);
    }

    /** Reads the newest first, so that those past {@code wholeFinishedBytes} are the oldest finished. */
    @Override
    public synchronized StoreContents load(Instant now, long wholeFinishedBytes) {
        checkOpen();
        List<StoredTask> found = new ArrayList<>(taskCount);
        List<StoreContents.FinishedId> finishedIds = new ArrayList<>();
        long finishedBytes = 0;
        List<StoreWrite> expired = new ArrayList<>();
        Map<String, String> modes = new HashMap<>();
        try (Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT sequence, record FROM tasks ORDER BY sequence DESC")) {
                while (rows.next()) {
                    StoredTask task;
                    byte[] record = rows.getBytes(2);
                    try {
                        task = StoredTaskJson.fromBytes(record);
                    } catch (IllegalArgumentException e) {
                        System.getLogger(SqliteTaskStore.class.getName()).log(System.Logger.Level.WARNING,
                                "skipping unreadable record of the task with sequence " + rows.getLong(1) + ": " + e.getMessage());
                        continue;
                    }
                    if (task.expired(now)) {
                        expired.add(new StoreWrite.RemoveTask(task.id(), task.sequence()));
                    } else if (task.expiresAt() != null && task.handedOn()
                            && (finishedBytes += record.length) > wholeFinishedBytes) {
                        finishedIds.add(new StoreContents.FinishedId(task.id(), task.sequence(), task.expiresAt()));
                    } else {
                        found.add(task);
                    }
                }
            }
            try (ResultSet rows = statement.executeQuery("SELECT key, value FROM modes")) {
                while (rows.next()) {
                    modes.put(rows.getString(1), rows.getString(2));
                }
            }
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!expired.isEmpty()) {
            write(expired);
        }
        return ModeKeys.contents(found, modes, finishedIds);
    }

    @Override
    public synchronized void write(List<StoreWrite> batch) {
        checkOpen();
        int added = 0;
        try {
            for (StoreWrite write : lastPerTask(batch)) {
                switch (write) {
                    case StoreWrite.PutTask w -> added += put(w.task());
                    case StoreWrite.RemoveTask w -> {
                        delete.setLong(1, w.sequence());
                        added -= delete.executeUpdate();
                    }
                    case StoreWrite.HandedOn w -> {
                        StoredTask stored = read(w.sequence());
                        if (stored != null) {
                            put(stored.withHandedOn());
                        }
                    }
                    case StoreWrite.SetTierMode w -> putMode(ModeKeys.tier(w.tier()), w.mode().name());
                    case StoreWrite.SetLaneMode w -> putMode(ModeKeys.lane(w.priority()), w.mode().name());
                    case StoreWrite.SetDispatchPaused w -> putMode(ModeKeys.DISPATCH, ModeKeys.paused(w.paused()));
                    case StoreWrite.SetInstanceHold w -> putMode(ModeKeys.instance(w.instance()), ModeKeys.hold(w.hold()));
                }
            }
            connection.commit();
        } catch (SQLException e) {
            rollbackQuietly(e);
            throw new IllegalStateException("task store write of " + batch.size() + " changes failed: " + reason(e), e);
        }
        taskCount += added;
    }

    /**
     * The batch with only the last write of each task (a task queued, dispatched and finished
     * within one group commit is written once): the batch is one transaction, so only its end
     * state is ever seen. Modes keep their order, after the tasks.
     */
    private static List<StoreWrite> lastPerTask(List<StoreWrite> batch) {
        Map<Long, StoreWrite> last = new LinkedHashMap<>();
        List<StoreWrite> modes = new ArrayList<>();
        for (StoreWrite write : batch) {
            switch (write) {
                case StoreWrite.PutTask w -> last.put(w.task().sequence(), w);
                case StoreWrite.RemoveTask w -> last.put(w.sequence(), w);
                case StoreWrite.HandedOn w -> {
                    StoreWrite before = last.get(w.sequence());
                    if (before instanceof StoreWrite.PutTask put) {
                        last.put(w.sequence(), new StoreWrite.PutTask(put.task().withHandedOn()));
                    } else if (before == null) {
                        last.put(w.sequence(), w); // marks the stored record
                    } // after a removal: nothing left to mark
                }
                default -> modes.add(write);
            }
        }
        List<StoreWrite> result = new ArrayList<>(last.values());
        result.addAll(modes);
        return result;
    }

    /** Committed and synced at once, in its own transaction: operator actions are rare, and an entry must outlive a crash. */
    @Override
    public synchronized void appendAudit(long number, byte[] record, List<Long> dropped) {
        checkOpen();
        try {
            putAudit.setLong(1, number);
            putAudit.setBytes(2, record);
            putAudit.executeUpdate();
            for (long gone : dropped) {
                trimAudit.setLong(1, gone);
                trimAudit.executeUpdate();
            }
            connection.commit();
        } catch (SQLException e) {
            rollbackQuietly(e);
            throw new IllegalStateException("audit entry " + number + " could not be stored: " + reason(e), e);
        }
    }

    @Override
    public synchronized List<byte[]> auditRecords() {
        checkOpen();
        List<byte[]> records = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT record FROM audit ORDER BY number")) {
            while (rows.next()) {
                records.add(rows.getBytes(1));
            }
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the audit trail from " + file + ": " + e.getMessage(), e);
        }
        return records;
    }

    /**
     * Caps the database at {@code pages} pages on the connection in use, as a full disk would: what
     * the store does when it cannot grow, for tests. A fresh connection has no cap.
     */
    synchronized void limitPages(long pages) throws SQLException {
        checkOpen();
        try (Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA max_page_count = " + pages);
        }
    }

    /** After a failed statement: rolled back if SQLite has not done so, and the connection set aside for a fresh one. */
    private void rollbackQuietly(SQLException cause) {
        try {
            connection.rollback();
        } catch (SQLException suppressed) {
            cause.addSuppressed(suppressed);
        }
        closeQuietly(connection);
        broken = true;
    }

    private static final String UNKNOWN_FAILURE = "the store failed (the server's log has the cause)";

    /** What went wrong, in the operator's words; the driver's own message stays with the cause, for the log. */
    static String reason(SQLException e) {
        SQLiteErrorCode code = e instanceof SQLiteException sqlite ? sqlite.getResultCode() : null;
        String kind = code == null ? "" : code.name();
        if (kind.equals("SQLITE_FULL")) {
            return "the disk is full";
        } else if (kind.startsWith("SQLITE_IOERR")) {
            return "the device failed to read or write";
        } else if (kind.startsWith("SQLITE_READONLY")) {
            return "the data directory cannot be written";
        } else if (kind.startsWith("SQLITE_CORRUPT")) {
            return "the database file is damaged";
        }
        return UNKNOWN_FAILURE;
    }

    /** @return 1 when the record is new, 0 when it replaced one */
    private int put(StoredTask task) throws SQLException {
        byte[] record = StoredTaskJson.toBytes(task);
        String id = task.expiresAt() == null ? null : task.id(); // only finished tasks are looked up by id
        insert.setLong(1, task.sequence());
        insert.setBytes(2, record);
        insert.setString(3, id);
        setExpiry(insert, 4, task.expiresAt());
        if (insert.executeUpdate() == 1) {
            return 1;
        }
        update.setBytes(1, record);
        update.setString(2, id);
        setExpiry(update, 3, task.expiresAt());
        update.setLong(4, task.sequence());
        update.executeUpdate();
        return 0;
    }

    private static void setExpiry(PreparedStatement statement, int index, Instant expiresAt) throws SQLException {
        if (expiresAt == null) {
            statement.setNull(index, java.sql.Types.INTEGER);
        } else {
            statement.setLong(index, epochMillis(expiresAt));
        }
    }

    @Override
    public boolean findsFinished() {
        return true;
    }

    @Override
    public synchronized StoredTask findFinished(String id, Instant now) {
        checkOpen();
        try {
            findFinished.setString(1, id);
            findFinished.setLong(2, epochMillis(now));
            StoredTask found = null;
            try (ResultSet row = findFinished.executeQuery()) {
                if (row.next()) {
                    found = StoredTaskJson.fromBytes(row.getBytes(1));
                }
            }
            connection.commit();
            return found == null || found.expired(now) ? null : found; // the column counts milliseconds only
        } catch (SQLException e) {
            rollbackQuietly(e);
            throw new IllegalStateException("cannot look up task '" + id + "' in " + file + ": " + reason(e), e);
        }
    }

    /** In chunks of {@value #SWEEP_CHUNK}, each its own transaction, so writes queued meanwhile wait for one chunk at most. */
    @Override
    public synchronized int forgetExpired(Instant now) {
        checkOpen();
        int deleted = 0;
        try {
            int chunk;
            do {
                sweep.setLong(1, epochMillis(now)); // strictly before: never a millisecond early
                chunk = sweep.executeUpdate();
                connection.commit();
                deleted += chunk;
                taskCount -= chunk;
            } while (chunk == SWEEP_CHUNK);
        } catch (SQLException e) {
            rollbackQuietly(e);
            throw new IllegalStateException("cannot delete expired records from " + file + ": " + reason(e), e);
        }
        return deleted;
    }

    private StoredTask read(long sequence) throws SQLException {
        select.setLong(1, sequence);
        try (ResultSet row = select.executeQuery()) {
            return row.next() ? StoredTaskJson.fromBytes(row.getBytes(1)) : null;
        }
    }

    private void putMode(String key, String value) throws SQLException {
        putMode.setString(1, key);
        putMode.setString(2, value);
        putMode.executeUpdate();
    }

    @Override
    public int taskCount() {
        if (closed) {
            throw new IllegalStateException("the task store is closed");
        }
        return taskCount;
    }

    @Override
    public long sizeBytes() {
        return sizeOf(file) + sizeOf(file.resolveSibling(FILE_NAME + "-wal"));
    }

    private static long sizeOf(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return 0; // the log exists only while the store is open
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the task store is closed");
        }
        if (broken) {
            Connection fresh = null;
            try {
                fresh = connect(file);
                fresh.setAutoCommit(false);
                prepare(fresh);
                broken = false;
            } catch (SQLException e) {
                closeQuietly(fresh);
                throw new IllegalStateException("the task store cannot be opened again: " + reason(e), e);
            }
        }
    }

    @Override
    public void close() {
        WalCheckpointer stopping;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            stopping = checkpointer;
        }
        if (stopping != null) {
            stopping.close(); // first: the writer's connection, closed last, removes the log
        }
        synchronized (this) {
            closeQuietly(connection);
            lock.close();
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            System.getLogger(SqliteTaskStore.class.getName()).log(System.Logger.Level.WARNING,
                    "closing the task store: " + e.getMessage());
        }
    }
}
