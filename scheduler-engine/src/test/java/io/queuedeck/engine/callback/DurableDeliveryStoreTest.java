package io.queuedeck.engine.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
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

    @Test
    void aStoreH2ClosedAfterAFailedWrite_isOpenedAgainByTheNextFlush_andCatchesUp() {
        store.put(pending("a", 1));
        store.flush();
        store.put(dead("b")); // not yet committed when the write fails
        ((MvDeliveryStore) store).breakAsOnAFailedWrite(); // as H2 does after a write fails on a full disk
        store.put(pending("c", 0)); // refused by the closed store: logged, kept
        store.remove("a");

        store.flush(); // the disk has room again: it stayed closed, and every record after it was lost
        store.put(pending("d", 0));
        store.close();

        try (DeliveryStore again = DeliveryStore.durable(dir)) {
            assertThat(again.all()).extracting(DeliveryStore.Delivery::taskId).containsExactly("b", "c", "d");
            assertThat(again.all().getFirst().dead()).isTrue();
        }
    }

    /**
     * A commit per batch of callbacks, each synced: the space of chunks no longer in use is written
     * again. With MVStore's 45 s of retention the file grew by every commit's chunk for 45 s
     * (168 MB at 100 commits a second with 200 callbacks in flight).
     */
    @Test
    void aCommitPerBatchForLong_theFileStaysNearWhatItHolds() throws Exception {
        byte[] body = new byte[2_000];
        long started = System.nanoTime();
        int commits = 0;
        while (System.nanoTime() - started < 4_000_000_000L) { // 4 s: four times the retention
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

        long bytes = Files.size(dir.resolve(MvDeliveryStore.FILE_NAME));
        assertThat(store.all()).hasSize(200);
        assertThat(bytes).as("%,d bytes after %,d commits", bytes, commits).isLessThan(8L << 20);
    }

    /**
     * With a receiver down, callbacks that stay (dead letters, retries) are written among ones that
     * come and go: each keeps the chunk it was written in alive, so no chunk was ever written over
     * and the file grew by 0.8 MB a second (51 MB for 3,555 dead letters). The store's committer
     * rewrites chunks that are less than 80% live: 11.7 MB where it held about 4.8, against 28.7 before.
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

        long bytes = Files.size(dir.resolve(MvDeliveryStore.FILE_NAME));
        long held = (long) store.all().size() * 2_800; // a body as base64 in its JSON record
        assertThat(bytes).as("%,d bytes holding %,d callbacks (about %,d bytes)", bytes, store.all().size(), held)
                .isLessThan(3 * held + (2L << 20));
    }

    /** A save that fails says so: what depends on it (callbacks of tasks ended in a shared queue) waits for one that succeeds. */
    @Test
    void aFlushThatCannotSave_answersFalse_andTrueOnceItCan() throws Exception {
        Path aside = Files.move(dir, dir.resolveSibling(dir.getFileName() + "-aside"));
        Files.writeString(dir, "not a directory: the file cannot be opened again");
        ((MvDeliveryStore) store).breakAsOnAFailedWrite();
        store.put(pending("a", 0));
        try {
            assertThat(store.flush()).isFalse();
        } finally {
            Files.delete(dir);
            Files.move(aside, dir);
        }
        assertThat(store.flush()).isTrue();
        store.close();
        assertThat(store.flush()).isFalse(); // closed: nothing put now is kept
    }

    /** A stop that cannot save said nothing, or H2's "Writing to sun.nio.ch.FileChannelImpl@… failed". */
    @Test
    void aStopThatCannotSave_saysWhatItCosts() throws Exception {
        // in this order, so the store's own committer has nothing it could save in between
        Path aside = Files.move(dir, dir.resolveSibling(dir.getFileName() + "-aside"));
        Files.writeString(dir, "not a directory: the file cannot be opened again");
        ((MvDeliveryStore) store).breakAsOnAFailedWrite();
        store.put(pending("a", 0));
        try {
            assertThatThrownBy(store::close).isInstanceOf(IllegalStateException.class)
                    .hasMessage("the last save failed (the log has why); callbacks changed since the last save may be sent again after a restart");
        } finally {
            Files.delete(dir);
            Files.move(aside, dir);
        }
    }

    @Test
    void damagedFile_isReadOrRefusedInOneSentence_neverAnotherException() throws Exception {
        for (int i = 0; i < 2_000; i++) { // many chunks, so damage lands in pages the maps still use
            store.put(pending("task-" + i, i % 3));
            if (i % 100 == 99) {
                store.flush();
            }
        }
        store.close();
        Path file = dir.resolve(MvDeliveryStore.FILE_NAME);
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

        assertThat(nested.resolve(MvDeliveryStore.FILE_NAME)).isRegularFile();
    }

    @Test
    void open_whileAnotherStoreHoldsIt_isRefusedAsInUse() {
        assertThatThrownBy(() -> DeliveryStore.durable(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data directory " + dir + " is in use by another running QueueDeck (callbacks.mv.db is locked)");
    }

    @Test
    void open_pathUnderAFile_isRefusedClearly() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");

        assertThatThrownBy(() -> DeliveryStore.durable(file.resolve("data")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot create data directory " + file.resolve("data"));
    }
}
