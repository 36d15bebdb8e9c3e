package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.store.StoreContents;
import io.queuedeck.engine.store.StoreWrite;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.testing.LogCapture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import io.queuedeck.engine.testing.LogCapture;
import org.junit.jupiter.api.Test;

/** Group commit: what queues while a batch is being written goes out together in the next one, and acknowledgements follow their writes. */
class StoreWriterTest {
    /** Records each batch; the first one waits for the gate. */
    private static final class RecordingStore implements TaskStore {
        final List<List<StoreWrite>> batches = new CopyOnWriteArrayList<>();
        final CountDownLatch firstStarted = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);

        @Override
        public StoreContents load(Instant now) {
            return StoreContents.empty();
        }

        @Override
        public void write(List<StoreWrite> batch) {
            if (batches.isEmpty()) {
                firstStarted.countDown();
                try {
                    gate.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            batches.add(List.copyOf(batch));
        }

        @Override
        public int taskCount() {
            return 0;
        }

        @Override
        public void close() {}
    }

    @Test
    void writesQueuedDuringACommit_goOutAsOneBatch_andTheirAcksRunAfterIt() throws Exception {
        RecordingStore store = new RecordingStore();
        StoreWriter writer = new StoreWriter(store, Thread.ofPlatform().daemon().factory(), System::nanoTime);
        writer.start();
        writer.write(new StoreWrite.RemoveTask("first", 0));
        writer.wake(); // as the loop does after each pass
        assertThat(store.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();

        List<Integer> batchesSeenByAcks = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 100; i++) {
            writer.write(new StoreWrite.RemoveTask("t" + i, i + 1));
            writer.afterDurable(failure -> batchesSeenByAcks.add(store.batches.size()));
        }
        writer.wake();
        store.gate.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> batchesSeenByAcks.size() == 100);
        assertThat(store.batches).hasSize(2);
        assertThat(store.batches.get(1)).hasSize(100);
        assertThat(batchesSeenByAcks).containsOnly(2); // every ack ran once its write was in a written batch
        assertThat(writer.batches()).isEqualTo(2);
        assertThat(writer.batchedWrites()).isEqualTo(101);
        writer.stop(5_000);
    }

    /** Fails its first batch once the gate opens; later ones succeed. */
    private static final class FailingFirstStore extends RecordingStoreBase {
        /** Writes failing after the first (which waits for the gate): the store is still down when they come. */
        volatile int moreFailures;

        @Override
        public void write(List<StoreWrite> batch) {
            if (calls > 0 && moreFailures > 0) {
                moreFailures--;
                calls++;
                throw new IllegalStateException("redis down");
            }
            if (calls++ == 0) {
                firstStarted.countDown();
                try {
                    gate.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("redis down");
            }
            batches.add(List.copyOf(batch));
        }
    }

    private abstract static class RecordingStoreBase implements TaskStore {
        final List<List<StoreWrite>> batches = new CopyOnWriteArrayList<>();
        final CountDownLatch firstStarted = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        int calls;

        @Override
        public StoreContents load(Instant now) {
            return StoreContents.empty();
        }

        @Override
        public int taskCount() {
            return 0;
        }

        @Override
        public void close() {}
    }

    /**
     * The writer took a command's write into a batch before the command's acknowledgement was
     * queued; that batch failed, and so does the next try of its write. The acknowledgement, alone
     * in the next drain, must still fail: otherwise a client gets a 202 for a task never stored.
     */
    @Test
    void ackQueuedAfterItsWriteWasInAFailedBatch_fails_evenAloneInTheNextDrain() throws Exception {
        FailingFirstStore store = new FailingFirstStore();
        store.moreFailures = 1; // the failed write, carried into the acknowledgement's drain, fails again there
        StoreWriter writer = new StoreWriter(store, Thread.ofPlatform().daemon().factory(), System::nanoTime);
        writer.start();
        writer.write(new StoreWrite.RemoveTask("lost", 0));
        writer.wake();
        assertThat(store.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
        java.util.concurrent.CompletableFuture<RuntimeException> lostAck = new java.util.concurrent.CompletableFuture<>();
        writer.afterDurable(lostAck::complete); // queued while the batch holding its write is being written
        writer.wake();
        store.gate.countDown();

        assertThat(lostAck.get(10, TimeUnit.SECONDS)).isNotNull().hasMessage("redis down");

        // the failure is not carried to a later command whose own write succeeds
        java.util.concurrent.CompletableFuture<RuntimeException> keptAck = new java.util.concurrent.CompletableFuture<>();
        writer.write(new StoreWrite.RemoveTask("kept", 1));
        writer.afterDurable(keptAck::complete);
        writer.wake();
        assertThat(keptAck.get(10, TimeUnit.SECONDS)).isNull();
        writer.stop(5_000);
    }

    /**
     * As above, but the store writes again when the acknowledgement's drain carries the failed write
     * in: the write is durable before the answer, so the answer is a success (a stale failure sent the
     * first client after an outage a 503 for a task that was stored and ran).
     */
    @Test
    void ackOfAFailedWrite_thatTheNextDrainMadeDurable_succeeds() throws Exception {
        FailingFirstStore store = new FailingFirstStore();
        StoreWriter writer = new StoreWriter(store, Thread.ofPlatform().daemon().factory(), System::nanoTime);
        writer.start();
        writer.write(new StoreWrite.RemoveTask("late", 0));
        writer.wake();
        assertThat(store.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
        java.util.concurrent.CompletableFuture<RuntimeException> ack = new java.util.concurrent.CompletableFuture<>();
        writer.afterDurable(ack::complete);
        writer.wake();
        store.gate.countDown();

        assertThat(ack.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(store.batches).singleElement().isEqualTo(List.of(new StoreWrite.RemoveTask("late", 0)));
        assertThat(writer.failing()).isFalse();
        writer.stop(5_000);
    }

    /**
     * A full disk fails every write: the log gets the first failure, then one line per 10 s
     * counting those since, and one when writes succeed again; not a line per write.
     */
    @Test
    void writesFailingInARow_logTheFirst_thenACountPerInterval_thenTheRecovery() {
        java.util.concurrent.atomic.AtomicBoolean full = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        RecordingStoreBase store = new RecordingStoreBase() {
            @Override
            public void write(List<StoreWrite> batch) {
                if (full.get()) {
                    throw new IllegalStateException("disk full");
                }
                batches.add(List.copyOf(batch));
            }
        };
        StoreWriter writer = new StoreWriter(store, null, now::get); // no thread: each write applied at once
        try (LogCapture log = LogCapture.of(StoreWriter.class)) {
            for (int i = 0; i < 1_000; i++) { // a write a millisecond for a second
                writer.write(new StoreWrite.RemoveTask("t" + i, i));
                now.addAndGet(1_000_000);
            }
            assertThat(log.records()).singleElement().satisfies(r -> {
                assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.SEVERE);
                assertThat(r.getMessage()).isEqualTo("task store write failed: disk full");
            });
            now.addAndGet(10_000_000_000L);
            writer.write(new StoreWrite.RemoveTask("later", 1_000));
            full.set(false);
            writer.write(new StoreWrite.RemoveTask("stored", 1_001));
            assertThat(log.messages()).containsExactly(
                    "task store write failed: disk full",
                    "task store write failed 1000 more times since the last report (1001 in a row); the last: disk full",
                    "task store write succeeded again after 1001 failures in a row");
        }
        assertThat(store.batches).hasSize(1);
    }
}
