package io.queuedeck.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.CompletionFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node and a real redis-server that is killed and started again under it. The append-only file
 * keeps the leases across the kill, as docs/distributed.md asks of a production Redis.
 */
class ClusterNodeOutageTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.appendOnlyAlways();
    private static final String MODEL = Engine.Builder.DEFAULT_MODEL;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (RuntimeException e) {
                // closed already (the node closes its queue)
            }
        }
    }

    /**
     * docs/distributed.md: an outage costs a node its leases only when it lasts about two thirds of
     * the lease less the reconnect. That needs a heartbeat as soon as Redis answers again; the node
     * waited for its next scheduled one instead, up to a third of a lease later (20 s here), so a
     * short outage just before a lease's last scheduled heartbeat let its tasks be reaped and run
     * twice. Seen here as the lease's expiry, which moves later only when a heartbeat extends it.
     */
    @Test
    void redisBackAfterAnOutage_theNodeExtendsItsLeasesAtOnce_notAtItsNextScheduledHeartbeat() throws Exception {
        Engine engine = Engine.builder().executor(new SimulatedGpuExecutor(1, MODEL, GpuProfile.LLAMA2_7B_H100)).build();
        SharedQueue shared = SharedQueue.redis(REDIS.uri(), "outage", "a", Duration.ofSeconds(60), 3, Duration.ofHours(1));
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        ClusterNode node = ClusterNode.builder(engine, shared, thread).capacity(1).prefetch(0).build();
        CompletionFeed feed = new CompletionFeed(engine, thread).onFinished(node::finished);
        engine.start();
        feed.start(2);
        node.start(); // its first heartbeat is 20 s away
        toClose.add(engine);
        toClose.add(thread::shutdownNow);
        toClose.add(feed);
        toClose.add(node);
        toClose.add(shared);

        node.submit(TaskSpec.of(MODEL, "hello", 5, 20_000).withTaskId("long")).join(); // minutes of decoding
        await().atMost(Duration.ofSeconds(10)).until(() -> node.held() == 1);
        long expiry = leaseExpiryMillis(shared);

        REDIS.kill();
        await().atMost(Duration.ofSeconds(10)).until(() -> !node.connected());
        REDIS.start();

        // well before the scheduled heartbeat; the reconnect itself takes up to 2 s of backoff
        await().atMost(Duration.ofSeconds(10)).until(() -> node.connected() && leaseExpiryMillis(shared) - expiry > 100);
        assertThat(shared.task("long")).containsEntry("state", "leased").containsEntry("node", "a");
        assertThat(node.counters()).containsEntry("lost_leases", 0L);
    }

    /** When the lease of "long" ends, in this JVM's milliseconds: Redis's time left, read now. */
    private static long leaseExpiryMillis(SharedQueue shared) {
        return System.nanoTime() / 1_000_000 + Long.parseLong(shared.task("long").get("lease_left_ms"));
    }
}
