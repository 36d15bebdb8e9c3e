package io.queuedeck.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.testing.RedisServer;
import io.queuedeck.engine.tier.TierMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The store contract against a real redis-server, plus what is Redis's own: keys, atomic batches, reaching it. */
class RedisTaskStoreTest extends TaskStoreContract {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final AtomicInteger QUEUES = new AtomicInteger();

    private String queue;

    /** Each test its own queue on the class's server: a fresh store without flushing anyone's keys. */
    @Override
    TaskStore create() {
        queue = "q" + QUEUES.incrementAndGet();
        return RedisTaskStore.open(REDIS.uri(), queue);
    }

    @Test
    void keys_carryTheQueueAsHashTag_soAClusterKeepsAQueueInOneSlot() {
        store.write(List.of(new StoreWrite.PutTask(task("a", TaskState.QUEUED, null)),
                new StoreWrite.HandedOn("a", sequence("a")), new StoreWrite.SetDispatchPaused(true)));

        try (Raw raw = new Raw()) {
            assertThat(raw.redis.sync().keys("*{" + queue + "}*")).containsExactlyInAnyOrder(
                    "qd:{" + queue + "}:tasks", "qd:{" + queue + "}:handed", "qd:{" + queue + "}:modes");
            // keyed by sequence, as the embedded store is
            assertThat(raw.redis.sync().hkeys("qd:{" + queue + "}:tasks")).containsExactly(Long.toString(sequence("a")));
        }
    }

    @Test
    void twoQueues_onOneServer_doNotSeeEachOther() {
        store.write(List.of(new StoreWrite.PutTask(task("a", TaskState.QUEUED, null))));
        try (TaskStore other = RedisTaskStore.open(REDIS.uri(), "other-" + queue)) {
            assertThat(other.load(NOW).tasks()).isEmpty();
            assertThat(other.taskCount()).isZero();
        }
        assertThat(store.taskCount()).isEqualTo(1);
    }

    @Test
    void batchWithAMalformedOperation_changesNothing() {
        StoredTask queued = task("a", TaskState.QUEUED, null);
        store.write(List.of(new StoreWrite.PutTask(queued)));

        try (Raw raw = new Raw()) {
            String[] keys = {"qd:{" + queue + "}:tasks", "qd:{" + queue + "}:handed", "qd:{" + queue + "}:modes",
                    "qd:{" + queue + "}:finished", "qd:{" + queue + "}:expiry"};
            assertThatThrownBy(() -> raw.redis.sync().eval(RedisBatchScript.SOURCE, ScriptOutputType.INTEGER, keys,
                    "remove", Long.toString(queued.sequence()), "", "mode", "dispatch", "true", "bogus", "x", ""))
                    .isInstanceOf(RedisException.class).hasMessageContaining("unknown batch operation bogus");
        }
        StoreContents contents = store.load(NOW);
        assertThat(contents.tasks()).containsExactly(queued);
        assertThat(contents.dispatchPaused()).isFalse();
    }

    @Test
    void finishedTask_isIndexedByIdAndExpiry_andRemovingItEmptiesBothIndexes() {
        StoredTask done = new StoredTask("tenant:job:7", task("colon", TaskState.SUCCEEDED, null).spec(), TaskState.SUCCEEDED,
                3, sequence("colon"), 1, 20, 1, null, "ok", NOW.plusSeconds(60), false, NOW, 20, null);
        store.write(List.of(new StoreWrite.PutTask(done)));

        assertThat(store.findFinished("tenant:job:7", NOW)).isEqualTo(done); // an id with colons survives the packed key
        try (Raw raw = new Raw()) {
            assertThat(raw.redis.sync().hget("qd:{" + queue + "}:finished", "tenant:job:7")).isEqualTo(Long.toString(done.sequence()));
            assertThat(raw.redis.sync().zscore("qd:{" + queue + "}:expiry", "tenant:job:7"))
                    .isEqualTo((double) NOW.plusSeconds(60).toEpochMilli());
            store.write(List.of(new StoreWrite.RemoveTask("tenant:job:7", done.sequence())));
            assertThat(raw.redis.sync().exists("qd:{" + queue + "}:finished", "qd:{" + queue + "}:expiry")).isZero();
        }
    }

    @Test
    void recordsWrittenBeforeTheFinishedIndex_areIndexedAtLoad() {
        StoredTask done = task("old", TaskState.SUCCEEDED, NOW.plusSeconds(60));
        try (Raw raw = new Raw()) { // as an earlier version wrote it: the record and its mark, no index
            raw.redis.sync().hset("qd:{" + queue + "}:tasks", Long.toString(done.sequence()), StoredTaskJson.encode(done));
            raw.redis.sync().sadd("qd:{" + queue + "}:handed", Long.toString(done.sequence()));
        }
        assertThat(store.findFinished("old", NOW)).isNull();

        assertThat(store.load(NOW).tasks()).containsExactly(done.withHandedOn());
        assertThat(store.findFinished("old", NOW)).isEqualTo(done.withHandedOn());
        assertThat(store.forgetExpired(NOW.plusSeconds(61))).isEqualTo(1);
        assertThat(store.taskCount()).isZero();
    }

    @Test
    void handedOnMark_isReplacedByALaterPut_asTheRecordCarriesItsOwnFlag() {
        StoredTask done = task("done", TaskState.SUCCEEDED, NOW.plusSeconds(60));
        store.write(List.of(new StoreWrite.PutTask(done), new StoreWrite.HandedOn("done", done.sequence())));
        store.write(List.of(new StoreWrite.PutTask(done)));

        assertThat(store.load(NOW).tasks()).containsExactly(done);
    }

    @Test
    void modes_andTasks_surviveANewStoreOnTheSameQueue() {
        StoredTask queued = task("a", TaskState.QUEUED, null);
        store.write(List.of(new StoreWrite.PutTask(queued), new StoreWrite.SetLaneMode(5, TierMode.PAUSED)));
        store.close();

        store = RedisTaskStore.open(REDIS.uri(), queue);
        StoreContents contents = store.load(NOW);
        assertThat(contents.tasks()).containsExactly(queued);
        assertThat(contents.laneModes()).containsEntry(5, TierMode.PAUSED);
    }

    @Test
    void unreachableServer_isRefusedAtOpen_namingWhere() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        assertThatThrownBy(() -> TaskStore.redis("redis://127.0.0.1:" + closedPort))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot reach Redis at redis://127.0.0.1:" + closedPort + "/0: ");
    }

    @Test
    void password_isNeverShownInTheError() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        assertThatThrownBy(() -> TaskStore.redis("redis://:s3cret-pass@127.0.0.1:" + closedPort + "/2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("redis://127.0.0.1:" + closedPort + "/2")
                .message().doesNotContain("s3cret-pass");
    }

    @Test
    void malformedUriOrQueue_isRefused() {
        assertThatThrownBy(() -> TaskStore.redis("localhost:6379")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("redis://HOST:PORT[/DB]");
        assertThatThrownBy(() -> TaskStore.redis("http://:s3cret@localhost:6379")).isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain("s3cret");
        assertThatThrownBy(() -> RedisTaskStore.open(REDIS.uri(), "a}b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("queue name");
    }

    /** A plain client to look at the keys the store made. */
    private static final class Raw implements AutoCloseable {
        final RedisClient client = RedisClient.create(REDIS.uri());
        final StatefulRedisConnection<String, String> redis = client.connect();

        @Override
        public void close() {
            redis.close();
            client.shutdown();
        }
    }
}
