package io.queuedeck.engine.callback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.queuedeck.engine.store.PrivateFiles;
import io.queuedeck.engine.store.StoreLock;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.sqlite.SQLiteConfig;

/**
 * {@link DeliveryStore} on a SQLite database in WAL mode, {@code callbacks.db} (decision 0127): one
 * row per callback, its JSON record and the sequence of its first put (for {@link #all()}'s order).
 * Changes are kept in memory and written as one transaction by {@link #flush()}, whose commit fsyncs
 * the log ({@code synchronous=FULL}): the completion feed calls it once per batch of new callbacks,
 * before the task store learns they are recorded, and a thread of its own every
 * {@value #COMMIT_DELAY_MILLIS} ms for retries, deliveries and dead letters between batches. A crash
 * loses at most those 200 ms of such changes, never a flushed one; a clean stop loses nothing.
 *
 * <p>A failed commit (a full disk) is rolled back and its changes are kept (up to
 * {@value #MAX_UNSAVED}) for the next flush, so the file catches up once it can be written;
 * deliveries go on from memory meanwhile. A lock on {@value #LOCK_FILE_NAME} keeps a second process
 * out. A callback file of earlier versions ({@code callbacks.mv.db}) is imported once and renamed.
 */
final class SqliteDeliveryStore implements DeliveryStore {
    static final String FILE_NAME = "callbacks.db";
    static final String LOCK_FILE_NAME = "callbacks.lock";
    /** What an imported file of an earlier version is renamed to: kept, never read again. */
    static final String IMPORTED_MV_FILE = MvCallbackFile.FILE_NAME + ".imported";
    /** How often changes since the last commit are committed. */
    static final int COMMIT_DELAY_MILLIS = 200;
    /** Changes kept while commits fail, at most: the oldest are dropped beyond (a callback may then be sent again). */
    static final int MAX_UNSAVED = 100_000;

    private static final System.Logger LOG = System.getLogger(SqliteDeliveryStore.class.getName());
    static final ObjectMapper MAPPER = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    /** One row's record: the delivery, body as base64 (Jackson's byte[] form); the format of the earlier file too. */
    record Stored(String url, byte[] body, Instant finishedAt, int attempts, String lastError, Instant deadAt) {
        static Stored of(Delivery d) {
            return new Stored(d.url(), d.body(), d.finishedAt(), d.attempts(), d.lastError(), d.deadAt());
        }

        Delivery delivery(String taskId) {
            return new Delivery(taskId, url, body, finishedAt, attempts, lastError, deadAt);
        }
    }

    /** A change not yet committed: the delivery with the sequence of its put, or a removal (delivery null). */
    private record Change(long sequence, Delivery delivery) {}

    private final Path file;
    private final StoreLock lock;
    /** Null after a failed commit: the next use connects afresh (SQLite may have rolled the transaction back itself). */
    private Connection connection;
    private PreparedStatement upsert, delete;
    /** Changes since the last commit, by task, in the order made. */
    private final LinkedHashMap<String, Change> unsaved = new LinkedHashMap<>();
    private long nextSequence;
    private boolean closed;
    private long failures;
    private ScheduledExecutorService committer;

    private SqliteDeliveryStore(Path file, StoreLock lock) throws SQLException {
        this.file = file;
        this.lock = lock;
        connected();
        try (Statement statement = connection.createStatement();
             ResultSet max = statement.executeQuery("SELECT COALESCE(MAX(sequence), -1) FROM deliveries")) {
            nextSequence = max.getLong(1) + 1;
        }
        connection.commit();
    }

    /** The connection, opened (with the table) if there is none. */
    private Connection connected() throws SQLException {
        if (connection != null) {
            return connection;
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setGetGeneratedKeys(false);
        Connection opened = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
        try (Statement statement = opened.createStatement()) {
            statement.execute("PRAGMA journal_mode = WAL");
            statement.execute("PRAGMA synchronous = FULL"); // a commit returns once its log is on the device
            statement.execute("CREATE TABLE IF NOT EXISTS deliveries"
                    + " (task_id TEXT PRIMARY KEY, sequence INTEGER NOT NULL, record BLOB NOT NULL)");
            opened.setAutoCommit(false);
            upsert = opened.prepareStatement("INSERT INTO deliveries(task_id, sequence, record) VALUES (?, ?, ?)"
                    + " ON CONFLICT(task_id) DO UPDATE SET record = excluded.record"); // the first put's place stays
            delete = opened.prepareStatement("DELETE FROM deliveries WHERE task_id = ?");
        } catch (SQLException e) {
            closeQuietly(opened);
            throw e;
        }
        connection = opened;
        return opened;
    }

    /** After a failed statement or commit: the connection is set aside, the next use opens a fresh one. */
    private void setAside() {
        Connection broken = connection;
        connection = null;
        if (broken != null) {
            try {
                broken.rollback();
            } catch (SQLException ignored) {
                // SQLite may have ended the transaction itself; the connection goes either way
            }
            closeQuietly(broken);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "closing a callback store connection: " + e.getMessage());
        }
    }

    /**
     * Opens (or creates) the store in {@code dir}.
     *
     * @throws IllegalArgumentException when the directory cannot be made or written, another store
     *                                  holds it, or the file cannot be opened
     */
    static SqliteDeliveryStore open(Path dir) {
        return open(dir, COMMIT_DELAY_MILLIS);
    }

    /** @param commitDelayMillis how often the committer runs; 0: none (tests that must know which flush fails) */
    static SqliteDeliveryStore open(Path dir, int commitDelayMillis) {
        Path file = PrivateFiles.prepare(dir, FILE_NAME);
        StoreLock lock = StoreLock.acquire(dir, LOCK_FILE_NAME, FILE_NAME);
        SqliteDeliveryStore store = null;
        try {
            store = new SqliteDeliveryStore(file, lock);
            store.importEarlierFile(dir);
            store.committer = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("queuedeck-callback-commit").daemon().factory());
            if (commitDelayMillis > 0) {
                store.committer.scheduleWithFixedDelay(store::flush, commitDelayMillis, commitDelayMillis, TimeUnit.MILLISECONDS);
            }
            return store;
        } catch (SQLException | RuntimeException e) {
            if (store != null) {
                store.setAside();
            }
            lock.close();
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalArgumentException("cannot open " + file + ": " + e.getMessage());
        }
    }

    /** The callbacks of an earlier version's MVStore file, written here once; the file is then renamed. */
    private void importEarlierFile(Path dir) {
        Path earlier = dir.resolve(MvCallbackFile.FILE_NAME);
        if (!Files.exists(earlier)) {
            return;
        }
        List<Delivery> found = MvCallbackFile.read(dir);
        found.forEach(this::put);
        if (!flush()) {
            throw new IllegalArgumentException("cannot import " + earlier + " into " + file + " (the log has why)");
        }
        try {
            Files.move(earlier, dir.resolve(IMPORTED_MV_FILE), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("imported " + earlier + " but could not rename it", e);
        }
        LOG.log(System.Logger.Level.INFO, "imported " + found.size() + " callbacks from " + earlier + " into " + file);
    }

    @Override
    public synchronized void put(Delivery d) {
        if (closed) {
            return;
        }
        Change before = unsaved.get(d.taskId());
        if (before != null && before.delivery() != null) {
            unsaved.put(d.taskId(), new Change(before.sequence(), d)); // replaced in place: it keeps its first put's place
        } else {
            change(d.taskId(), new Change(nextSequence++, d));
        }
    }

    @Override
    public synchronized void remove(String taskId) {
        if (closed) {
            return;
        }
        change(taskId, new Change(-1, null));
    }

    private void change(String taskId, Change change) {
        unsaved.remove(taskId); // after a removal a put is new: it goes last
        unsaved.put(taskId, change);
        if (unsaved.size() > MAX_UNSAVED) {
            unsaved.pollFirstEntry();
        }
    }

    /** One transaction for every change since the last; committed and synced, or rolled back and kept for the next try. */
    @Override
    public synchronized boolean flush() {
        if (closed) {
            return false;
        }
        if (unsaved.isEmpty()) {
            return true;
        }
        try {
            Connection connection = connected();
            for (Map.Entry<String, Change> entry : unsaved.entrySet()) {
                Change change = entry.getValue();
                if (change.delivery() == null) {
                    delete.setString(1, entry.getKey());
                    delete.executeUpdate();
                } else {
                    upsert.setString(1, entry.getKey());
                    upsert.setLong(2, change.sequence());
                    upsert.setBytes(3, bytes(change.delivery()));
                    upsert.executeUpdate();
                }
            }
            connection.commit();
            unsaved.clear();
            if (failures > 0) {
                LOG.log(System.Logger.Level.INFO, "callback state is saved again, after " + failures + " failures");
                failures = 0;
            }
            return true;
        } catch (SQLException e) {
            setAside();
            if (isPowerOfTen(++failures)) { // on a full disk there is one a batch: the 1st, 10th, 100th… with the count
                LOG.log(System.Logger.Level.WARNING, "callback state not saved (" + failures + " failures so far; deliveries go"
                        + " on, and the file catches up once it can be written): " + e.getMessage());
            }
            return false;
        }
    }

    private static boolean isPowerOfTen(long n) {
        while (n >= 10 && n % 10 == 0) {
            n /= 10;
        }
        return n == 1;
    }

    private static byte[] bytes(Delivery d) {
        try {
            return MAPPER.writeValueAsBytes(Stored.of(d));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What is committed, with the changes not yet committed on top. */
    @Override
    public synchronized List<Delivery> all() {
        if (closed) {
            throw new IllegalStateException("the delivery store is closed");
        }
        Map<String, Delivery> found = new LinkedHashMap<>();
        try (Statement statement = connected().createStatement();
             ResultSet rows = statement.executeQuery("SELECT task_id, record FROM deliveries ORDER BY sequence")) {
            while (rows.next()) {
                String taskId = rows.getString(1);
                try {
                    found.put(taskId, MAPPER.readValue(rows.getBytes(2), Stored.class).delivery(taskId));
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "skipping unreadable callback delivery for task " + taskId);
                }
            }
            connection.commit(); // ends the read
        } catch (SQLException e) {
            setAside();
            throw new IllegalArgumentException("cannot read the callback store " + file + ": " + e.getMessage()
                    + "; move the file aside to start without the callbacks it holds (the tasks are in their own store)");
        }
        unsaved.forEach((taskId, change) -> {
            if (change.delivery() == null) {
                found.remove(taskId);
            } else {
                found.put(taskId, change.delivery()); // an update keeps its place, a new one comes last
            }
        });
        return new ArrayList<>(found.values());
    }

    /** Caps the database at {@code pages} pages on the connection in use, as a full disk would: for tests. A fresh connection has no cap. */
    synchronized void limitPages(long pages) throws SQLException {
        try (Statement statement = connected().createStatement()) {
            statement.execute("PRAGMA max_page_count = " + pages);
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
            if (closed) {
                return;
            }
            boolean saved = flush(); // what a failed commit left owed gets its last chance
            closed = true;
            if (connection != null) {
                closeQuietly(connection);
                connection = null;
            }
            lock.close();
            if (!saved) {
                throw new IllegalStateException("the last save of " + file + " failed (the log has why); callbacks changed"
                        + " since the last save may be sent again after a restart");
            }
        }
    }
}
