package io.queuedeck.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.CompletionFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.store.StoreUnavailableException;
import io.queuedeck.engine.task.SubmitResult;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/** Engines with simulated GPUs as nodes of one shared queue on a real redis-server, in one process. */
class ClusterNodeTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final AtomicInteger QUEUES = new AtomicInteger();
    private static final String MODEL = Engine.Builder.DEFAULT_MODEL;

    private final String queue = "c" + QUEUES.incrementAndGet();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** One node: an engine, its completion feed into the node, the node's own thread. */
    private record Node(Engine engine, ClusterNode node, SharedQueue queue, ScheduledExecutorService thread) {}

    private Node node(String name, Duration lease, int capacity) {
        Engine engine = Engine.builder().executor(new SimulatedGpuExecutor(2, MODEL, GpuProfile.LLAMA2_7B_H100)).build();
        SharedQueue shared = SharedQueue.redis(REDIS.uri(), queue, name, lease, 3, Duration.ofHours(1));
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        ClusterNode node = ClusterNode.builder(engine, shared, thread).capacity(capacity).prefetch(1).build();
        CompletionFeed feed = new CompletionFeed(engine, thread).onFinished(node::finished);
        engine.start();
        feed.start(2);
        node.start();
        toClose.add(engine);
        toClose.add(thread::shutdownNow);
        toClose.add(feed);
        toClose.add(node);
        return new Node(engine, node, shared, thread);
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

    private static TaskSpec task(String id, int maxTokens) {
        return TaskSpec.of(MODEL, "hello", 5, maxTokens).withTaskId(id);
    }

    /**
     * A full Redis refuses new submissions only: a node's own steps (claims, heartbeats,
     * acknowledgements) go on, so the task it runs finishes and is acknowledged while Redis is full,
     * and that is no outage of the node. Before, its heartbeats were refused: a node counted and
     * logged an outage, its leases ran out, and its finished work ran again elsewhere.
     */
    @Test
    void aFullRedis_refusesSubmissionsOnly_theNodesWorkGoesOnWithoutAnOutage() throws Exception {
        Node a = node("a", Duration.ofMillis(600), 0); // a heartbeat every 200 ms: a dozen during the task
        a.node().submit(task("running", 300)).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.node().held() == 1);
        List<String> lines;
        try (io.queuedeck.engine.testing.LogCapture log = io.queuedeck.engine.testing.LogCapture.of(ClusterNode.class)) {
            REDIS.configSet("maxmemory", "1");
            try {
                assertThat(a.node().submit(task("refused", 4))).failsWithin(Duration.ofSeconds(10))
                        .withThrowableThat().withMessageContaining("is full (its maxmemory)");
                await().atMost(Duration.ofSeconds(60)).until(() -> a.queue().stats().get("acked") == 1);
            } finally {
                REDIS.configSet("maxmemory", "0");
            }
            lines = log.records().stream().map(java.util.logging.LogRecord::getMessage).toList();
        }
        assertThat(a.node().counters()).containsEntry("outages", 0L).containsEntry("acknowledged", 1L)
                .containsEntry("lost_leases", 0L);
        assertThat(lines).noneMatch(l -> l.startsWith("shared queue refuses writes") || l.contains("unreachable"));
    }

    @Test
    void twoNodes_shareTheQueue_andEveryTaskIsAcknowledgedOnce() {
        Node a = node("a", Duration.ofSeconds(30), 0);
        Node b = node("b", Duration.ofSeconds(30), 0);
        for (int i = 0; i < 300; i++) {
            SubmitResult result = (i % 2 == 0 ? a : b).node().submit(task("t" + i, 40)).join();
            assertThat(result.created()).isTrue();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> a.queue().stats().get("acked") == 300);

        assertThat(a.queue().stats()).containsEntry("duplicates", 0L).containsEntry("redelivered", 0L);
        assertThat(a.node().counters().get("acknowledged")).isPositive();
        assertThat(b.node().counters().get("acknowledged")).isPositive();
        assertThat(a.node().counters().get("acknowledged") + b.node().counters().get("acknowledged")).isEqualTo(300);
        assertThat(a.queue().depth()).isEqualTo(new SharedQueue.Depth(0, 0));
    }

    @Test
    void node_claimsOnlyItsCapacityPlusPrefetch_soTheRestWaitsForOthers() {
        Node a = node("a", Duration.ofSeconds(30), 2);
        for (int i = 0; i < 10; i++) {
            a.node().submit(task("long" + i, 20_000)).join(); // minutes of decoding: nothing finishes here
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> a.queue().depth().leased() == 3);
        assertThat(a.node().held()).isEqualTo(3);
        assertThat(a.queue().depth().waiting()).isEqualTo(7);
    }

    /**
     * A tier paused on one node's own engine (its {@code /v1/queues}), or a node with no instance up:
     * it claimed that tier's tasks (or its prefetch) and held them leased, heartbeated, for as long
     * as it stayed so, while the other nodes ran the rest.
     */
    @Test
    void aNodeThatCannotRunATier_orAnything_claimsNoneOfIt_andTheOtherNodeRunsItAll() {
        Node paused = node("paused", Duration.ofSeconds(30), 0);
        Node offline = node("offline", Duration.ofSeconds(30), 0);
        Node b = node("b", Duration.ofSeconds(30), 0);
        paused.engine().send(new io.queuedeck.engine.command.Command.SetTierMode(paused.engine().tiers().of(5),
                io.queuedeck.engine.tier.TierMode.PAUSED)).join();
        for (int i = 0; i < 2; i++) {
            offline.engine().send(new io.queuedeck.engine.command.Command.SetInstanceOnline(i, false)).join();
        }
        // a node goes by its engine's published state, which follows within a snapshot's period
        await().atMost(Duration.ofSeconds(10)).until(() -> paused.engine().latestSnapshot() != null
                && paused.engine().latestSnapshot().tierModes().containsValue(io.queuedeck.engine.tier.TierMode.PAUSED)
                && offline.engine().latestSnapshot() != null && offline.engine().latestSnapshot().instances().stream()
                .noneMatch(instance -> instance.state().acceptsWork()));
        for (int i = 0; i < 40; i++) {
            paused.node().submit(task("n" + i, 40)).join(); // priority 5: the tier paused on the first node
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(b.queue().stats().get("acked"))
                .as("held: paused %d, offline %d, b %d; %s", paused.node().held(), offline.node().held(), b.node().held(),
                        b.queue().stats()).isEqualTo(40));
        assertThat(b.node().counters().get("acknowledged")).isEqualTo(40);
        assertThat(paused.node().held()).isZero();
        assertThat(offline.node().held()).isZero();
        assertThat(paused.queue().stats()).containsEntry("redelivered", 0L);
    }

    /**
     * A node whose instances all went offline after it claimed: what they ran went back to its engine's
     * queue, and what waits there goes back to the shared queue after a third of the lease, with no
     * attempt counted, and another node runs it. Before, it stayed, leased and heartbeated, until an
     * instance came back. A node whose dispatch an operator paused claims nothing and hands back too.
     */
    @Test
    void aNodeWhoseInstancesAllGoOffline_handsBackWhatWaits_andAnotherNodeRunsIt() {
        Node a = node("a", Duration.ofSeconds(3), 0);
        for (int i = 0; i < 20; i++) {
            a.node().submit(task("t" + i, 900)).join(); // about five seconds of decoding each: still running when the instances go
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> a.node().held() == 20
                && a.engine().send(new io.queuedeck.engine.command.Command.TakeSnapshot()).join().running() == 20);
        for (int i = 0; i < 2; i++) {
            a.engine().send(new io.queuedeck.engine.command.Command.SetInstanceOnline(i, false)).join();
        }
        Node b = node("b", Duration.ofSeconds(3), 0);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(b.node().counters().get("acknowledged"))
                .as("a holds %d; %s", a.node().held(), b.queue().stats()).isEqualTo(20));
        assertThat(a.node().counters()).containsEntry("handed_back", 20L).containsEntry("held", 0L);
        assertThat(b.queue().stats()).containsEntry("acked", 20L).containsEntry("reaped", 0L);
        // delivered to a, then to b: the hand-back counted no attempt (an expired lease would have)
        assertThat(b.queue().task("t0")).containsEntry("attempts", "0").containsEntry("deliveries", "2");
        assertThat(a.engine().send(new io.queuedeck.engine.command.Command.FindTask("t0")).join()).isEmpty();

        b.engine().send(new io.queuedeck.engine.command.Command.PauseDispatch(true)).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.engine().latestSnapshot().dispatchPaused());
        b.node().submit(task("after-pause", 40)).join();
        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(10))
                .until(() -> "waiting".equals(b.queue().task("after-pause").get("state")) && b.node().held() == 0);
    }

    @Test
    void everyNode_announcesItsInstances_andIsSeenWithItsHeartbeatAge() {
        Node a = node("a", Duration.ofMillis(600), 0);
        Node b = node("b", Duration.ofMillis(600), 0);

        // heartbeats every 200 ms: both are in the cluster view within a few, each recently heard from
        await().atMost(Duration.ofSeconds(10)).until(() -> a.queue().nodes().size() == 2
                && a.queue().nodes().stream().allMatch(n -> n.detail().contains("\"batch\":")));
        assertThat(a.queue().nodes()).extracting(SharedQueue.NodeStatus::name).containsExactly("a", "b");
        assertThat(a.queue().nodes()).allSatisfy(n -> {
            assertThat(n.ageMillis()).isBetween(0L, 5_000L);
            assertThat(n.detail()).startsWith("[{\"id\":0,").contains("\"state\":");
        });

        // a clean stop leaves the view at once: it listed a stopped node with its last running counts for an hour
        b.node().close();
        assertThat(a.queue().nodes()).extracting(SharedQueue.NodeStatus::name).containsExactly("a");
    }

    @Test
    void cancelFromAnotherNode_stopsTheRunningTask_atItsHoldersNextHeartbeat() {
        Node holder = node("holder", Duration.ofMillis(600), 1);
        // another node's API: it acts on the shared queue, claims nothing
        SharedQueue other = SharedQueue.redis(REDIS.uri(), queue, "other", Duration.ofSeconds(30), 3, Duration.ofHours(1));
        toClose.add(other);
        holder.node().submit(task("long", 20_000)).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> "leased".equals(other.task("long").get("state")));

        assertThat(other.cancel("long")).isEqualTo("cancel_requested");

        // the holder's heartbeat (every 200 ms here) brings the cancel; its engine stops the task and acknowledges it
        await().atMost(Duration.ofSeconds(10)).until(() -> "cancelled".equals(other.task("long").get("state")));
        assertThat(other.task("long")).containsEntry("finished_by", "holder");
        assertThat(holder.node().counters()).containsEntry("cancels", 1L);
        await().atMost(Duration.ofSeconds(5)).until(() -> holder.node().held() == 0);
    }

    @Test
    void nodeThatDies_losesItsLeases_notItsTasks_whichAnotherNodeCompletes() {
        Node dying = node("dying", Duration.ofMillis(600), 4);
        for (int i = 0; i < 20; i++) {
            dying.node().submit(task("t" + i, 20_000)).join();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> dying.queue().depth().leased() == 5);
        Set<String> leased = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            if ("leased".equals(dying.queue().task("t" + i).get("state"))) {
                leased.add("t" + i);
            }
        }
        // as a kill would: no heartbeat, no acknowledgement, no release from now on
        dying.thread().shutdownNow();
        dying.engine().close();
        // the waiting ones are long: cancel them so the survivor gets only what the dead node held
        for (int i = 0; i < 20; i++) {
            if (!leased.contains("t" + i)) {
                assertThat(dying.queue().cancel("t" + i)).isEqualTo("cancelled");
            }
        }

        Node survivor = node("survivor", Duration.ofSeconds(30), 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> survivor.queue().stats().get("reaped") == 5);
        await().atMost(Duration.ofSeconds(10)).until(() -> survivor.node().held() == 5);
        for (String id : leased) {
            assertThat(survivor.queue().task(id)).containsEntry("node", "survivor").containsEntry("attempts", "1")
                    .containsEntry("deliveries", "2");
        }
        assertThat(survivor.node().counters()).containsEntry("redeliveries", 5L);
    }

    @Test
    void redisDown_submissionsFailAsUnavailable_andFinishedTasksAreAcknowledgedWhenItIsBack() throws Exception {
        Node a = node("a", Duration.ofSeconds(30), 0);
        a.node().submit(task("before", 400)).join(); // a few seconds of decoding
        await().atMost(Duration.ofSeconds(10)).until(() -> a.node().held() == 1);

        REDIS.kill();
        try {
            assertThat(a.node().submit(task("during", 4))).failsWithin(Duration.ofSeconds(5))
                    .withThrowableThat().havingCause().isInstanceOf(StoreUnavailableException.class);
            // the task finishes while Redis is down; its acknowledgement waits
            await().atMost(Duration.ofSeconds(30)).until(() -> !a.node().connected());
        } finally {
            REDIS.start(); // ephemeral: the restarted server is empty, so the late acknowledgement finds nothing
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> a.node().connected() && a.node().held() == 0);
        assertThat(a.node().counters().get("outages")).isPositive();
        assertThat(a.node().submit(task("after", 4)).join().created()).isTrue();
    }

    /** A lease lost and its task finished here before a heartbeat found it lost was counted as a duplicate only. */
    @Test
    void aLeaseLostAndFinishedBetweenTwoHeartbeats_isCountedToo() {
        Node a = node("a", Duration.ofSeconds(30), 1); // a heartbeat every 10 s
        a.node().submit(task("taken", 20_000)).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.node().held() == 1);
        SharedQueue other = SharedQueue.redis(REDIS.uri(), queue, "other", Duration.ofSeconds(30), 3, Duration.ofHours(1));
        toClose.add(other);

        // another holder finished it first (as after a reaped lease); then it ends here, before a's next heartbeat
        assertThat(other.ack("taken", SharedQueue.Outcome.SUCCEEDED, "")).isEqualTo(SharedQueue.Ack.FIRST);
        a.engine().send(new io.queuedeck.engine.command.Command.Cancel("taken")).join();

        await().atMost(Duration.ofSeconds(10)).until(() -> a.node().held() == 0);
        assertThat(a.node().counters()).containsEntry("lost_leases", 1L).containsEntry("duplicates", 1L);
    }

    /** A lease lost once is counted once: it was counted again at every heartbeat (198 for 18 leases). */
    @Test
    void aLostLease_isCountedOnce_thoughEveryHeartbeatStillFindsItLost() throws Exception {
        Node a = node("a", Duration.ofMillis(600), 1);
        a.node().submit(task("long", 20_000)).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.node().held() == 1);

        REDIS.kill();
        REDIS.start(); // ephemeral: the restarted server has no lease of this node's any more

        await().atMost(Duration.ofSeconds(30)).until(() -> a.node().counters().get("lost_leases") >= 1);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)) // five heartbeats at a 600 ms lease
                .until(() -> a.node().counters().get("lost_leases") == 1);
        assertThat(a.node().held()).as("kept running: it may still finish here first").isEqualTo(1);
    }
}
