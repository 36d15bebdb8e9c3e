package io.queuedeck.engine.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract for {@link DeliveryStore#durable}, and what only a durable store does. */
class DurableDeliveryStoreTest extends DeliveryStoreContract {
    @TempDir
    Path dir;

    @Override
    DeliveryStore newStore() {
        return DeliveryStore.durable(dir);
    }

    @Test
    void reopen_afterClose_hasEverythingInOrder() {
        store.put(pending("a", 1));
        store.put(dead("b"));
        store.put(pending("c", 0));
        store.remove("c");
        store.close();

        try (DeliveryStore again = DeliveryStore.durable(dir)) {
            assertThat(again.all()).extracting(DeliveryStore.Delivery::taskId).containsExactly("a", "b");
            assertThat(again.all().get(1).dead()).isTrue();
            assertThat(again.all().get(1).body()).containsExactly(1, 2, 3);
            again.put(pending("d", 0)); // sequence numbers go on after the reopened ones
            assertThat(again.all()).extracting(DeliveryStore.Delivery::taskId).containsExactly("a", "b", "d");
        }
    }

    /** As on a full disk: a commit that fails is rolled back, its changes kept, and the next flush writes them. */
    @Test
    void aCommitThatFails_keepsItsChanges_andTheNextFlushCatchesUp() throws Exception {
        SqliteDeliveryStore bare = withoutCommitter();
        store.put(pending("a", 1));
        assertThat(store.flush()).isTrue();
        bare.limitPages(pageCount()); // the disk is full: no new page
        store.put(dead("b"));
        for (int i = 0; i < 50; i++) {
            store.put(big("big-" + i)); // more than the pages the file has free
        }
        store.remove("a");
        assertThat(store.flush()).as("the commit fails").isFalse();
        assertThat(store.all()).extracting(DeliveryStore.Delivery::taskId).as("nothing is lost from memory")
                .startsWith("b", "big-0").doesNotContain("a");

        // room again: the next flush connects afresh, without the cap
        for (int i = 0; i < 50; i++) {
            store.remove("big-" + i);
        }
        assertThat(store.flush()).isTrue();
        store.put(pending("d", 0));
        store.close();

        try (DeliveryStore again = DeliveryStore.durable(dir)) {
            assertThat(again.all()).extracting(DeliveryStore.Delivery::taskId).containsExactly("b", "d");
            assertThat(again.all().getFirst().dead()).isTrue();
        }
    }

    /** The store opened again without its committer: its own flushes would take the failures these tests cause. */
    private SqliteDeliveryStore withoutCommitter() {
        store.close();
        SqliteDeliveryStore bare = SqliteDeliveryStore.open(dir, 0);
        store = bare;
        return bare;
    }

    /** The database and its log. */
    private long fileBytes() throws java.io.IOException {
        Path log = dir.resolve(SqliteDeliveryStore.FILE_NAME + "-wal");
        return Files.size(dir.resolve(SqliteDeliveryStore.FILE_NAME)) + (Files.exists(log) ? Files.size(log) : 0);
    }

    private long pageCount() throws Exception {
        try (var connection = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteDeliveryStore.FILE_NAME));
             var rows = connection.createStatement().executeQuery("PRAGMA page_count")) {
            return rows.getLong(1);
        }
    }

    private static DeliveryStore.Delivery big(String id) {
        return new DeliveryStore.Delivery(id, "http://127.0.0.1:9/" + id, new byte[20_000], FINISHED, 0, null, null);
    }

    /**
     * A commit per batch of callbacks, each synced: the pages of callbacks gone are used again, and
     * the log starts over after each checkpoint. The MVStore file of earlier versions grew by every
     * commit's chunk for 45 s (168 MB at 100 commits a second with 200 callbacks in flight).
     */
    @Test
    void aCommitPerBatchForLong_theFileStaysNearWhatItHolds() throws Exception {
        byte[] body = new byte[2_000];
        long started = System.nanoTime();
        int commits = 0;
        while (System.nanoTime() - started < 4_000_000_000L) { // 4 s of commits
            for (int i = 0; i < 20; i++) {
                String id = "task-" + commits + "-" + i;
                store.put(new DeliveryStore.Delivery(id, "http://receiver/cb", body, java.time.Instant.EPOCH, 0, null, null));
            }
            if (commits >= 10) {
                for (int i = 0; i < 20; i++) {
                    store.remove("task-" + (commits - 10) + "-" + i); // delivered: 200 in flight
                }
            }
            store.flush();
            commits++;
        }

        long bytes = fileBytes();
        assertThat(store.all()).hasSize(200);
        assertThat(bytes).as("%,d bytes after %,d commits", bytes, commits).isLessThan(8L << 20);
    }

    /**
     * With a receiver down, callbacks that stay (dead letters, retries) are written among ones that
     * come and go. In the MVStore file of earlier versions each kept the chunk it was written in
     * alive, and the file grew by 0.8 MB a second (51 MB for 3,555 dead letters); SQLite reuses a
     * page as soon as what it held is deleted.
     */
    @Test
    void callbacksThatStayAmongOnesThatGo_theFileStaysWithinThreeTimesWhatItHolds() throws Exception {
        byte[] body = new byte[2_000];
        java.util.ArrayDeque<String> inFlight = new java.util.ArrayDeque<>();
        long started = System.nanoTime();
        int n = 0;
        for (int tick = 0; tick < 1_000; tick++) { // 500 callbacks a second for 10 s: ten of the committer's compactions
            java.util.concurrent.locks.LockSupport.parkNanos(started + tick * 10_000_000L - System.nanoTime()); // the pace
            for (int i = 0; i < 5; i++, n++) {
                String id = "task-" + n;
                boolean dead = n % 10 < 3;
                store.put(new DeliveryStore.Delivery(id, "http://receiver/cb", body, java.time.Instant.EPOCH, dead ? 6 : 0,
                        dead ? "the connection was refused" : null, dead ? java.time.Instant.EPOCH : null));
                if (!dead) {
                    inFlight.add(id);
                }
            }
            while (inFlight.size() > 200) {
                store.remove(inFlight.poll());
            }
            store.flush();
        }

        long bytes = fileBytes();
        long held = (long) store.all().size() * 2_800; // a body as base64 in its JSON record
        assertThat(bytes).as("%,d bytes holding %,d callbacks (about %,d bytes)", bytes, store.all().size(), held)
                .isLessThan(3 * held + (2L << 20));
    }

    /** A save that fails says so: what depends on it (callbacks of tasks ended in a shared queue) waits for one that succeeds. */
    @Test
    void aFlushThatCannotSave_answersFalse_andTrueOnceItCan() throws Exception {
        withoutCommitter().limitPages(pageCount());
        for (int i = 0; i < 50; i++) {
            store.put(big("big-" + i));
        }
        assertThat(store.flush()).isFalse();

        assertThat(store.flush()).as("a fresh connection, without the cap").isTrue();
        store.close();
        assertThat(store.flush()).isFalse(); // closed: nothing put now is kept
    }

    @Test
    void aStopThatCannotSave_saysWhatItCosts() throws Exception {
        withoutCommitter().limitPages(pageCount());
        for (int i = 0; i < 50; i++) {
            store.put(big("big-" + i));
        }

        assertThatThrownBy(store::close).isInstanceOf(IllegalStateException.class)
                .hasMessage("the last save of " + dir.resolve(SqliteDeliveryStore.FILE_NAME) + " failed (the log has why);"
                        + " callbacks changed since the last save may be sent again after a restart");
    }

    /** The callback file of earlier versions is imported once, in its order, and set aside. */
    @Test
    void anEarlierVersionsFile_isImportedOnce_andRenamed() throws Exception {
        store.close();
        Path earlier = Files.createDirectories(dir.resolve("earlier"));
        try (org.h2.mvstore.MVStore mv = new org.h2.mvstore.MVStore.Builder()
                .fileName(earlier.resolve(MvCallbackFile.FILE_NAME).toString()).open()) {
            org.h2.mvstore.MVMap<String, byte[]> deliveries = mv.openMap("deliveries");
            org.h2.mvstore.MVMap<String, Long> order = mv.openMap("order");
            long sequence = 0;
            for (DeliveryStore.Delivery d : List.of(pending("z", 2), dead("y"), pending("x", 0))) {
                deliveries.put(d.taskId(), SqliteDeliveryStore.MAPPER.writeValueAsBytes(SqliteDeliveryStore.Stored.of(d)));
                order.put(d.taskId(), sequence++);
            }
        }

        try (DeliveryStore imported = DeliveryStore.durable(earlier)) {
            assertThat(imported.all()).extracting(DeliveryStore.Delivery::taskId).containsExactly("z", "y", "x");
            assertThat(imported.all().get(1)).usingRecursiveComparison().isEqualTo(dead("y"));
        }
        assertThat(earlier.resolve(MvCallbackFile.FILE_NAME)).doesNotExist();
        assertThat(earlier.resolve(SqliteDeliveryStore.IMPORTED_MV_FILE)).isRegularFile();
        try (DeliveryStore again = DeliveryStore.durable(earlier)) {
            assertThat(again.all()).extracting(DeliveryStore.Delivery::taskId).containsExactly("z", "y", "x");
        }
        store = DeliveryStore.durable(dir); // for the contract's close
    }

    @Test
    void damagedFile_isReadOrRefusedInOneSentence_neverAnotherException() throws Exception {
        for (int i = 0; i < 2_000; i++) { // many pages, so damage lands in pages the table still uses
            store.put(pending("task-" + i, i % 3));
            if (i % 100 == 99) {
                store.flush();
            }
        }
        store.close();
        Path file = dir.resolve(SqliteDeliveryStore.FILE_NAME);
        byte[] clean = Files.readAllBytes(file);
        int refused = 0;
        for (int k = 1; k < 40; k++) { // 16 bytes of damage at 39 places through the file
            Files.write(file, clean);
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                    java.nio.file.StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap("sixteen bytes!!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                        (long) clean.length * k / 40);
            }
            // MVStoreException and ClassCastException escaped the server's start as traces
            try (DeliveryStore damaged = DeliveryStore.durable(dir)) {
                assertThat(damaged.all()).hasSizeLessThanOrEqualTo(2_000);
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).contains(file.toString()).doesNotContain("\n");
                refused++;
            }
        }
        assertThat(refused).as("some damage is found").isPositive();
    }

    @Test
    void open_missingDirectory_isCreated() {
        Path nested = dir.resolve("deeper/still");

        try (DeliveryStore created = DeliveryStore.durable(nested)) {
            created.put(pending("x", 0));
        }

        assertThat(nested.resolve(SqliteDeliveryStore.FILE_NAME)).isRegularFile();
    }

    @Test
    void open_whileAnotherStoreHoldsIt_isRefusedAsInUse() {
        assertThatThrownBy(() -> DeliveryStore.durable(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data directory " + dir + " is in use by another running QueueDeck (callbacks.db is locked)");
    }

    @Test
    void open_pathUnderAFile_isRefusedClearly() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");

        assertThatThrownBy(() -> DeliveryStore.durable(file.resolve("data")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot create data directory " + file.resolve("data"));
    }
}
