package io.queuedeck.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link TaskStore} promises; each backend subclasses this once. */
abstract class TaskStoreContract {
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    TaskStore store;

    /** A fresh, empty store. */
    abstract TaskStore create();

    @BeforeEach
    void open() {
        store = create();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static StoredTask task(String id, TaskState state, Instant expiresAt) {
        TaskSpec spec = new TaskSpec(id, "m", "hello " + id, 3, "http://127.0.0.1:1/cb", "acme", null,
                Instant.parse("2026-12-02T00:00:00Z"), 20, 10, null);
        boolean finished = state.isFinal();
        return new StoredTask(id, spec, state, 3, sequence(id), 7L << 20, 20, 1, "boom", null, expiresAt, false,
                NOW.minusNanos(123_456_789), finished ? 17 : null, finished ? new io.queuedeck.engine.task.Generation("stop",
                        new io.queuedeck.engine.task.Generation.Usage(5, 17, 22), 12.5, "http://127.0.0.1:8000") : null);
    }

    /** Each id its own sequence, as the engine gives them. */
    static long sequence(String id) {
        return SEQUENCES.computeIfAbsent(id, k -> (long) SEQUENCES.size());
    }

    private static final Map<String, Long> SEQUENCES = new ConcurrentHashMap<>();

    @Test
    void emptyStore_loadsNothing() {
        StoreContents contents = store.load(NOW);
        assertThat(contents.tasks()).isEmpty();
        assertThat(contents.tierModes()).isEmpty();
        assertThat(contents.laneModes()).isEmpty();
        assertThat(contents.dispatchPaused()).isFalse();
    }

    @Test
    void putTask_loadsBackEqual_andALaterPutReplacesIt() {
        StoredTask queued = task("a", TaskState.QUEUED, null);
        store.write(List.of(new StoreWrite.PutTask(queued), new StoreWrite.PutTask(task("b", TaskState.QUEUED, null))));
        StoredTask running = task("a", TaskState.RUNNING, null);
        store.write(List.of(new StoreWrite.PutTask(running)));

        assertThat(store.load(NOW).tasks()).containsExactlyInAnyOrder(running, task("b", TaskState.QUEUED, null));
        assertThat(store.taskCount()).isEqualTo(2);
    }

    @Test
    void writesInOneBatch_applyInOrder() {
        store.write(List.of(new StoreWrite.PutTask(task("a", TaskState.QUEUED, null)), new StoreWrite.RemoveTask("a", sequence("a")),
                new StoreWrite.PutTask(task("b", TaskState.QUEUED, null)),
                new StoreWrite.PutTask(task("b", TaskState.RETRY_WAIT, null))));

        assertThat(store.load(NOW).tasks()).containsExactly(task("b", TaskState.RETRY_WAIT, null));
    }

    @Test
    void oneTaskWrittenManyTimesInABatch_endsAsItsLastWrite_andCountsOnce() {
        StoredTask before = task("w", TaskState.RUNNING, null);
        store.write(List.of(new StoreWrite.PutTask(before)));
        StoredTask done = task("x", TaskState.SUCCEEDED, NOW.plusSeconds(60));
        store.write(List.of(new StoreWrite.PutTask(task("x", TaskState.QUEUED, null)),
                new StoreWrite.HandedOn("w", sequence("w")),
                new StoreWrite.PutTask(task("x", TaskState.RUNNING, null)), new StoreWrite.PutTask(done),
                new StoreWrite.HandedOn("x", sequence("x")),
                new StoreWrite.PutTask(task("y", TaskState.QUEUED, null)), new StoreWrite.RemoveTask("y", sequence("y")),
                new StoreWrite.HandedOn("y", sequence("y"))));

        assertThat(store.load(NOW).tasks()).containsExactlyInAnyOrder(before.withHandedOn(), done.withHandedOn());
        assertThat(store.taskCount()).isEqualTo(2);
    }

    @Test
    void idempotencyRecord_isLoadedUntilItExpires_thenDeleted() {
        StoredTask done = task("done", TaskState.SUCCEEDED, NOW.plusSeconds(60));
        StoredTask dead = task("dead", TaskState.DEAD_LETTERED, null);
        store.write(List.of(new StoreWrite.PutTask(done), new StoreWrite.PutTask(dead)));

        assertThat(store.load(NOW.plusSeconds(59)).tasks()).containsExactlyInAnyOrder(done, dead);
        assertThat(store.load(NOW.plusSeconds(60)).tasks()).containsExactly(dead);
        assertThat(store.taskCount()).isEqualTo(1); // deleted, not just skipped
    }

    @Test
    void everyStore_looksFinishedTasksUpById() {
        assertThat(store.findsFinished()).isTrue();
    }

    @Test
    void findFinished_answersAFinishedTaskById_untilItExpires_andNothingElse() {
        StoredTask done = task("done", TaskState.SUCCEEDED, NOW.plusSeconds(60));
        store.write(List.of(new StoreWrite.PutTask(done), new StoreWrite.PutTask(task("queued", TaskState.QUEUED, null)),
                new StoreWrite.PutTask(task("dead", TaskState.DEAD_LETTERED, null)), new StoreWrite.HandedOn("done", sequence("done"))));

        assertThat(store.findFinished("done", NOW.plusSeconds(59))).isEqualTo(done.withHandedOn());
        assertThat(store.findFinished("done", NOW.plusSeconds(60))).isNull(); // expired, even before the sweep
        assertThat(store.findFinished("queued", NOW)).isNull(); // active tasks are the loop's
        assertThat(store.findFinished("dead", NOW)).isNull(); // dead letters too: they are kept in memory
        assertThat(store.findFinished("unknown", NOW)).isNull();
    }

    @Test
    void forgetExpired_deletesOnlyExpiredRecords() {
        StoredTask early = task("early", TaskState.SUCCEEDED, NOW.plusSeconds(10));
        StoredTask late = task("late", TaskState.CANCELLED, NOW.plusSeconds(60));
        StoredTask queued = task("queued", TaskState.QUEUED, null);
        store.write(List.of(new StoreWrite.PutTask(early), new StoreWrite.PutTask(late), new StoreWrite.PutTask(queued)));

        assertThat(store.forgetExpired(NOW.plusSeconds(30))).isEqualTo(1);
        assertThat(store.taskCount()).isEqualTo(2);
        assertThat(store.load(NOW).tasks()).containsExactlyInAnyOrder(late, queued);
        assertThat(store.forgetExpired(NOW.plusSeconds(30))).isZero();
    }

    @Test
    void handedOn_marksAStoredTask_andIgnoresAnUnknownOne() {
        StoredTask done = task("done", TaskState.SUCCEEDED, NOW.plusSeconds(60));
        store.write(List.of(new StoreWrite.PutTask(done), new StoreWrite.HandedOn("done", sequence("done")), new StoreWrite.HandedOn("gone", sequence("gone"))));

        assertThat(store.load(NOW).tasks()).containsExactly(done.withHandedOn());
    }

    @Test
    void modes_areKept_latestWins() {
        store.write(List.of(new StoreWrite.SetTierMode("batch", TierMode.PAUSED),
                new StoreWrite.SetLaneMode(4, TierMode.DRAINING), new StoreWrite.SetLaneMode(2, TierMode.PAUSED),
                new StoreWrite.SetLaneMode(2, TierMode.ACTIVE), new StoreWrite.SetDispatchPaused(true)));

        StoreContents contents = store.load(NOW);
        assertThat(contents.tierModes()).containsExactlyEntriesOf(java.util.Map.of("batch", TierMode.PAUSED));
        assertThat(contents.laneModes()).containsOnly(java.util.Map.entry(4, TierMode.DRAINING),
                java.util.Map.entry(2, TierMode.ACTIVE));
        assertThat(contents.dispatchPaused()).isTrue();
    }

    @Test
    void instanceHolds_areKept_latestWins_andOneBackInServiceIsForgotten() {
        StoreContents.InstanceHold offline = new StoreContents.InstanceHold("m|odd", "", true, false);
        StoreContents.InstanceHold draining = new StoreContents.InstanceHold("m", "http://127.0.0.1:8000", false, true);
        store.write(List.of(new StoreWrite.SetInstanceHold(0, offline), new StoreWrite.SetInstanceHold(1, draining),
                new StoreWrite.SetInstanceHold(2, offline), new StoreWrite.SetInstanceHold(2,
                        new StoreContents.InstanceHold("m|odd", "", false, false))));

        StoreContents contents = store.load(NOW);
        assertThat(contents.instanceHolds()).containsOnly(Map.entry(0, offline), Map.entry(1, draining));
    }

    @Test
    void closedStore_refusesWrites() {
        store.close();
        assertThatThrownBy(() -> store.write(List.of(new StoreWrite.RemoveTask("a", sequence("a")))))
                .isInstanceOf(IllegalStateException.class);
    }
}
