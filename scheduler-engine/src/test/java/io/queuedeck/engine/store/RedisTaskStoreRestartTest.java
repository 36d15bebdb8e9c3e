package io.queuedeck.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.testing.RedisServer;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a write's return promises when Redis runs with {@code appendonly yes} and
 * {@code appendfsync always}: it survives redis-server being killed with SIGKILL and started again;
 * and while Redis is down writes fail (they are not queued) until the client has reconnected.
 */
class RedisTaskStoreRestartTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.appendOnlyAlways();

    private TaskStore store;

    @BeforeEach
    void emptyServer() throws Exception {
        REDIS.flushAll();
    }

    @AfterEach
    void closeStore() throws Exception {
        if (store != null) {
            store.close();
        }
        if (!REDIS.running()) {
            REDIS.start();
        }
    }

    @Test
    void writtenBatch_survivesKill9OfRedis_withAppendOnly() throws Exception {
        store = TaskStore.redis(REDIS.uri());
        StoredTask queued = TaskStoreContract.task("kept", TaskState.QUEUED, null);
        StoredTask done = TaskStoreContract.task("done", TaskState.SUCCEEDED, TaskStoreContract.NOW.plusSeconds(600));
        store.write(List.of(new StoreWrite.PutTask(queued), new StoreWrite.PutTask(done),
                new StoreWrite.HandedOn("done", done.sequence()), new StoreWrite.SetTierMode("batch", TierMode.DRAINING)));

        REDIS.kill();
        REDIS.start();

        try (TaskStore reopened = TaskStore.redis(REDIS.uri())) {
            StoreContents contents = reopened.load(TaskStoreContract.NOW);
            assertThat(contents.tasks()).containsExactlyInAnyOrder(queued, done.withHandedOn());
            assertThat(contents.tierModes()).containsEntry("batch", TierMode.DRAINING);
        }
    }

    @Test
    void redisDown_writesFail_thenSucceedOnceItIsBack() throws Exception {
        store = TaskStore.redis(REDIS.uri());
        StoredTask before = TaskStoreContract.task("before", TaskState.QUEUED, null);
        store.write(List.of(new StoreWrite.PutTask(before)));

        REDIS.kill();
        StoredTask lost = TaskStoreContract.task("while-down", TaskState.QUEUED, null);
        // refused, not held for later: the engine must not acknowledge it
        Awaitility.await().atMost(5, TimeUnit.SECONDS).untilAsserted(() ->
                assertThatThrownBy(() -> store.write(List.of(new StoreWrite.PutTask(lost))))
                        .isInstanceOf(RuntimeException.class));

        REDIS.start(); // an empty script cache: the store must load its script again
        StoredTask after = TaskStoreContract.task("after", TaskState.QUEUED, null);
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> {
                    store.write(List.of(new StoreWrite.PutTask(after)));
                    return true;
                });
        assertThat(store.load(TaskStoreContract.NOW).tasks()).containsExactlyInAnyOrder(before, after);
    }
}
