package io.queuedeck.engine.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Copies the embedded store's write-ahead log back into its database file on a thread of its own,
 * through a second connection, every {@value #PERIOD_MILLIS} ms (decision 0094). A passive
 * checkpoint never blocks the writer: it copies what was committed when it started, while commits
 * go on. The writer's own checkpoint, which lets the log start over, then finds a few frames left
 * to copy instead of 40 MB; before, every submission waiting for the next commit waited for that
 * copy and its fsync too (20–30 ms, once a second at full intake).
 */
final class WalCheckpointer implements AutoCloseable {
    static final long PERIOD_MILLIS = 100;
    private static final System.Logger LOG = System.getLogger(WalCheckpointer.class.getName());

    private final Connection connection;
    private final ScheduledExecutorService thread;
    private boolean failing; // checkpoint thread only

    private WalCheckpointer(Connection connection) {
        this.connection = connection;
        this.thread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("queuedeck-store-checkpoint").daemon().factory());
        thread.scheduleWithFixedDelay(this::checkpoint, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Starts checkpointing {@code file}, a database already in WAL mode. */
    static WalCheckpointer start(Path file) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement statement = connection.createStatement()) {
            // the checkpoint syncs the log before it copies and the database file after
            statement.execute("PRAGMA synchronous = FULL");
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return new WalCheckpointer(connection);
    }

    private void checkpoint() {
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
            result.next();
            if (failing) {
                failing = false;
                LOG.log(System.Logger.Level.INFO, "store checkpoints succeed again");
            }
        } catch (SQLException e) {
            // the writer's own checkpoint still runs: the log keeps its bound, commits only slow down
            if (!failing) {
                failing = true;
                LOG.log(System.Logger.Level.WARNING, "a store checkpoint failed (the writer checkpoints"
                        + " instead until one succeeds): " + e.getMessage());
            }
        }
    }

    /** Stops after the checkpoint under way, if any, and closes the connection. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "a store checkpoint did not end within 10 s; closing anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the store's checkpoint connection: " + e.getMessage());
        }
    }
}
