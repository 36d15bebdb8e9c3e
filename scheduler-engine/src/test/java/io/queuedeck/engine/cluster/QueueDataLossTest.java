package io.queuedeck.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.CompletionFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.testing.LogCapture;
import io.queuedeck.engine.testing.RedisServer;
import io.queuedeck.engine.tier.TierMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

/**
 * Redis losing the shared queue's data under running nodes (decision 0130), on a real redis-server:
 * a FLUSHALL, or a restart without persistence, is found at the nodes' next announcement and said
 * once, with what the queue held; the nodes carry on with a new marker. Before, the nodes went on
 * as if nothing had happened and every waiting and leased task was silently gone.
 */
class QueueDataLossTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final AtomicInteger QUEUES = new AtomicInteger();
    private static final String MODEL = Engine.Builder.DEFAULT_MODEL;
    /** An announcement a second (a third of the lease, at most a second): docs/distributed.md promises a finding within one. */
    private static final Duration LEASE = Duration.ofSeconds(3);
    /** One announcement period, and room for a loaded machine to schedule the node's thread. */
    private static final Duration FOUND_WITHIN = Duration.ofMillis(NodeScripts.announceMillis(LEASE) + 1_500);

    private final String queue = "loss" + QUEUES.incrementAndGet();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private record Node(Engine engine, ClusterNode node, SharedQueue queue) {}

    private Node node(String name) {
        Engine engine = Engine.builder().executor(new SimulatedGpuExecutor(2, MODEL, GpuProfile.LLAMA2_7B_H100)).build();
        SharedQueue shared = SharedQueue.redis(REDIS.uri(), queue, name, LEASE, 3, Duration.ofHours(1));
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        ClusterNode node = ClusterNode.builder(engine, shared, thread).capacity(4).prefetch(0).build();
        CompletionFeed feed = new CompletionFeed(engine, thread).onFinished(node::finished);
        engine.start();
        feed.start(2);
        node.start();
        toClose.add(engine);
        toClose.add(thread::shutdownNow);
        toClose.add(feed);
        toClose.add(node);
        return new Node(engine, node, shared);
    }

    private SharedQueue client(String name) {
        SharedQueue shared = SharedQueue.redis(REDIS.uri(), queue, name, LEASE, 3, Duration.ofHours(1));
        toClose.add(shared);
        return shared;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (RuntimeException e) {
                // already closed by the test
            }
        }
    }

    private static TaskSpec task(String id, int priority, int maxTokens) {
        return TaskSpec.of(MODEL, "hello", priority, maxTokens).withTaskId(id);
    }

    @Test
    void aFlushAllUnderARunningNode_isFoundWithinOneAnnouncement_andSaidWithWhatTheQueueHeld() throws Exception {
        Node a = node("a");
        SharedQueue producer = client("producer");
        a.node().submit(task("run1", 5, 20_000)).join(); // minutes of decoding: both stay leased to a
        a.node().submit(task("run2", 5, 20_000)).join();
        producer.pauseTier(2, true); // batch: what is queued there waits
        a.queue().nodeModes().write(Map.of("instance.1", "offline")); // as its store keeps a hold
        for (int i = 0; i < 3; i++) {
            producer.enqueue("wait" + i, task("wait" + i, 8, 4));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> a.node().held() == 2);
        assertThat(producer.depth()).isEqualTo(new SharedQueue.Depth(3, 2));
        a.queue().announce("[]"); // a look with these sizes now, rather than at the node's next second

        List<String> errors;
        SharedQueue.DataLoss loss;
        try (LogCapture log = LogCapture.of(QueueEpoch.class)) {
            long flushed = System.nanoTime();
            REDIS.flushAll();
            loss = await().atMost(FOUND_WITHIN).pollInterval(Duration.ofMillis(20))
                    .until(() -> a.queue().dataLoss(), l -> l.times() == 1);
            assertThat(Duration.ofNanos(System.nanoTime() - flushed)).isLessThan(FOUND_WITHIN);
            errors = log.records().stream().filter(r -> r.getLevel() == Level.SEVERE).map(r -> r.getMessage()).toList();
        }

        assertThat(loss).isEqualTo(new SharedQueue.DataLoss(1, true, "a", loss.markerAtMillis(), 3, 2, 2, 0));
        assertThat(errors).singleElement().asString().contains("node a", "Redis lost the shared queue's data",
                "marker was gone", "3 waiting and 0 dead-lettered tasks", "2 leased (2 to this node)", "written again by node a",
                "pauses and drains, and this node's instance holds, are written back");
        assertThat(a.node().dataLoss()).containsEntry("times", 1L).containsEntry("waiting", 3L).containsEntry("leased", 2L)
                .containsEntry("leased_here", 2L).containsEntry("dead", 0L);

        // what an operator set is written back: the pause holds again, and so does the node's hold
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.levels().tiers().get(2).paused());
        assertThat(a.queue().nodeModes().read()).isEqualTo(Map.of("instance.1", "offline"));
        assertThat(producer.levels().tiers().get(1).paused()).isFalse();

        // it carries on: a new submission is queued in the emptied Redis, claimed and run; nothing is found again
        assertThat(a.node().submit(task("after", 5, 4)).join().created()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(producer.task("after").get("state")));
        assertThat(a.queue().dataLoss().times()).isEqualTo(1);
        assertThat(producer.task("wait0")).as("gone with the flush").isEmpty();
    }

    @Test
    void aRedisRestartedEmpty_isFoundOnceItAnswersAgain_byEveryNode_andOneOfThemWritesTheMarker() throws Exception {
        Node a = node("a");
        Node b = node("b");
        a.node().submit(task("run", 5, 20_000)).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.node().held() + b.node().held() == 1);
        a.queue().announce("[]");
        b.queue().announce("[]");

        REDIS.kill();
        REDIS.start(); // ephemeral: it comes back with nothing
        long back = System.nanoTime();

        // a node reconnects within 2 s of Redis answering (its backoff), then finds it at its next announcement
        Duration within = FOUND_WITHIN.plusSeconds(2);
        await().atMost(within).pollInterval(Duration.ofMillis(20))
                .until(() -> a.queue().dataLoss().times() == 1 && b.queue().dataLoss().times() == 1);
        assertThat(Duration.ofNanos(System.nanoTime() - back)).isLessThan(within);
        SharedQueue.DataLoss foundByA = a.queue().dataLoss(), foundByB = b.queue().dataLoss();
        assertThat(List.of(foundByA.markerGone(), foundByB.markerGone())).as("exactly one wrote it again")
                .containsExactlyInAnyOrder(true, false);
        assertThat(foundByA.markerBy()).isEqualTo(foundByB.markerBy()).isIn("a", "b");
        assertThat(foundByA.leased()).isEqualTo(1);
        assertThat(foundByA.leasedHere() + foundByB.leasedHere()).isEqualTo(1);
        assertThat(foundByB.message()).contains(foundByB.markerGone() ? "marker was gone" : "marker is another");
    }

    /**
     * After a loss each node writes back the tier modes and its own holds its look before saw; a
     * tier given another mode, or a hold set, between the loss and that node's look is the newer and stays.
     */
    @Test
    void afterALoss_tierModesAndHoldsAreWrittenBack_butWhatWasSetSinceTheLossStays() throws Exception {
        SharedQueue a = client("a"); // a node's queue, announced by hand here
        SharedQueue operator = client("operator");
        operator.tierMode(2, TierMode.PAUSED);
        operator.tierMode(1, TierMode.DRAINING);
        a.nodeModes().write(Map.of("instance.0", "offline", "instance.1", "drain"));
        a.announce("[]");

        REDIS.flushAll();
        operator.tierMode(2, TierMode.DRAINING);
        a.nodeModes().write(Map.of("instance.1", "online"));
        a.announce("[]");

        assertThat(a.dataLoss().times()).isEqualTo(1);
        assertThat(a.levels().tiers()).extracting(SharedQueue.TierLevel::paused, SharedQueue.TierLevel::draining)
                .containsExactly(tuple(false, false), tuple(false, true), tuple(false, true));
        assertThat(a.nodeModes().read()).isEqualTo(Map.of("instance.0", "offline", "instance.1", "online"));
        assertThat(operator.nodeModes().read()).as("a node writes back its own holds only").isEmpty();
    }

    /** No false alarm: a node that joins a running queue, and nodes that run on, find nothing. */
    @Test
    void nodesJoiningAndRunning_onAQueueThatKeepsItsData_findNothing() {
        Node a = node("a");
        for (int i = 0; i < 20; i++) {
            a.node().submit(task("t" + i, 5, 4)).join();
        }
        Node b = node("b");
        await().atMost(Duration.ofSeconds(30)).until(() -> a.queue().stats().get("acked") == 20);
        a.queue().announce("[]");
        b.queue().announce("[]");

        assertThat(a.queue().dataLoss()).isEqualTo(SharedQueue.DataLoss.NONE);
        assertThat(b.queue().dataLoss()).isEqualTo(SharedQueue.DataLoss.NONE);
        assertThat(a.node().dataLoss()).containsEntry("times", 0L);
    }
}
