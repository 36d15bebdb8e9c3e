package io.queuedeck.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.cluster.SharedQueue.Ack;
import io.queuedeck.engine.cluster.SharedQueue.Claim;
import io.queuedeck.engine.cluster.SharedQueue.Enqueued;
import io.queuedeck.engine.cluster.SharedQueue.Outcome;
import io.queuedeck.engine.store.StoreUnavailableException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.testing.LogCapture;
import io.queuedeck.engine.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The shared queue's scripts against a real redis-server: order, leases, the reaper, idempotent acknowledgements. */
class RedisSharedQueueTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final AtomicInteger QUEUES = new AtomicInteger();
    private static final Duration LONG_LEASE = Duration.ofMinutes(5);

    private final List<SharedQueue> opened = new ArrayList<>();
    private final String queue = "q" + QUEUES.incrementAndGet();

    private SharedQueue node(String name, Duration lease, int maxAttempts) {
        SharedQueue q = SharedQueue.redis(REDIS.uri(), queue, name, lease, maxAttempts, Duration.ofHours(1));
        opened.add(q);
        return q;
    }

    @AfterEach
    void close() {
        opened.forEach(SharedQueue::close);
    }

    @Test
    void open_onRedisWithoutAppendOnly_warns() {
        // REDIS runs with --appendonly no: a node must say that acknowledged tasks may not survive it
        List<java.util.logging.LogRecord> records;
        try (LogCapture log = LogCapture.of(RedisSharedQueue.class)) {
            node("a", LONG_LEASE, 3);
            records = log.records();
        }

        assertThat(records).anySatisfy(r -> {
            assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.WARNING);
            assertThat(r.getMessage()).startsWith("Redis at 127.0.0.1:").contains("runs without appendonly");
        });
    }

    /** A full Redis was reported as unreachable. */
    @Test
    void aFullRedis_refusesTasksSayingSo_notAsUnreachable() throws Exception {
        SharedQueue a = node("a", LONG_LEASE, 3);
        REDIS.configSet("maxmemory", "1");
        try {
            assertThatThrownBy(() -> a.enqueue("full-1", spec(5)))
                    .isInstanceOfSatisfying(io.queuedeck.engine.store.StoreUnavailableException.class,
                            e -> assertThat(e.refusesWrites()).as("answered, refusing writes").isTrue())
                    .hasMessageContaining("is full (its maxmemory)")
                    .rootCause().hasMessageStartingWith("OOM command not allowed");
        } finally {
            REDIS.configSet("maxmemory", "0");
        }
        assertThat(a.enqueue("full-2", spec(5)).kind()).isEqualTo(SharedQueue.Enqueued.Kind.CREATED);
    }

    /**
     * A full Redis refuses new submissions only: work taken before is still claimed, its leases
     * extended, acknowledged, handed back, reaped and cancelled; ended tasks are retried. Refused too, finished tasks could not
     * be acknowledged, their leases ran out, and they ran again until they were dead letters.
     */
    @Test
    void aFullRedis_stillLetsWorkAlreadyTakenMoveOn() throws Exception {
        SharedQueue a = node("a", LONG_LEASE, 3);
        for (String id : List.of("done", "handed-back", "cancelled", "still-waiting", "claimed-when-full")) {
            a.enqueue(id, spec(5));
        }
        List<Claim> taken = a.claim(3);
        assertThat(ids(taken)).containsExactly("done", "handed-back", "cancelled");
        REDIS.configSet("maxmemory", "1");
        try {
            assertThatThrownBy(() -> a.enqueue("new", spec(5))).isInstanceOf(io.queuedeck.engine.store.StoreUnavailableException.class);

            assertThat(a.heartbeat(ids(taken))).isEmpty();
            assertThat(a.ack("done", SharedQueue.Outcome.SUCCEEDED, "")).isEqualTo(SharedQueue.Ack.FIRST);
            assertThat(a.release(List.of("handed-back"))).isEqualTo(1);
            assertThat(a.cancel("still-waiting")).isEqualTo("cancelled");
            // a retry or a new priority adds no record: taken as well
            assertThat(a.retry("still-waiting")).isEqualTo("retried");
            assertThat(a.reprioritize("claimed-when-full", 1)).isEqualTo("changed");
            assertThat(ids(a.claim(2))).containsExactly("claimed-when-full", "handed-back"); // its new priority first
            assertThat(a.reap(10).requeued()).isZero();
            SharedQueue started = node("started-while-full", LONG_LEASE, 3); // it announces itself: refused before
            started.announce("[]");
            started.close();
        } finally {
            REDIS.configSet("maxmemory", "0");
        }
    }

    /**
     * A command sent and not answered in time (a stalled Redis) was "unreachable; retry later", and
     * the docs said nothing was queued: Redis ran the submission when it woke, and it ran and called
     * back. (Reproduced with SIGSTOP on a real server; the wait is the 10 s command timeout.)
     */
    @Test
    void aCommandNotAnsweredInTime_saysItMayStillBeDone() {
        assertThat(RedisSharedQueue.unreachable(new io.lettuce.core.RedisCommandTimeoutException("Command timed out after 10 second(s)")))
                .hasMessage("the shared queue's Redis did not answer within 10 s; retry later. A change asked for may still be made"
                        + " when it answers: a submission may be queued (one sent with a task_id: resubmit it with the same task_id, 200 if it was)");
        assertThat(RedisSharedQueue.unreachable(new io.lettuce.core.RedisException("Currently not connected")))
                .hasMessage("the shared queue's Redis is unreachable; retry later");
    }

    private static TaskSpec spec(int priority) {
        return TaskSpec.of("m", "hello", priority, 8);
    }

    private static List<String> ids(List<Claim> claims) {
        return claims.stream().map(Claim::id).toList();
    }

    @Test
    void claim_takesMostUrgentTierFirst_thenPriority_thenArrival() {
        SharedQueue a = node("a", LONG_LEASE, 3);
        a.enqueue("batch", spec(8));
        a.enqueue("normal-5", spec(5));
        a.enqueue("normal-3", spec(3));
        a.enqueue("core-late", spec(1));
        a.enqueue("core-early-but-less-urgent", spec(2));
        a.enqueue("core-first", spec(1));

        // priority 1 before 2 in the core tier; among equal priorities the earlier arrival
        assertThat(ids(a.claim(10))).containsExactly("core-late", "core-first", "core-early-but-less-urgent",
                "normal-3", "normal-5", "batch");
    }

    /** urgent 0, core 1-2, normal 3-6, bulk 7-9: a table of the config's own (decision 0070). */
    private static final io.queuedeck.engine.tier.Tiers FOUR = new io.queuedeck.engine.tier.Tiers(List.of(
            new io.queuedeck.engine.tier.Tier("urgent", 0, 0, 0), new io.queuedeck.engine.tier.Tier("core", 1, 1, 2),
            new io.queuedeck.engine.tier.Tier("normal", 2, 3, 6), new io.queuedeck.engine.tier.Tier("bulk", 3, 7, 9)));

    @Test
    void aTableOfFourTiers_capsAndNamesItsTiers_andANodeWithAnotherTableIsRefused() {
        SharedQueue a = SharedQueue.redis(REDIS.uri(), queue, "a", LONG_LEASE, 3, Duration.ofHours(1), FOUR);
        opened.add(a);
        a.capTiers(java.util.Map.of(FOUR.of(0), 1));
        a.enqueue("p0-first", spec(0));
        a.enqueue("p0-second", spec(0));
        a.enqueue("p1", spec(1));
        a.enqueue("p8", spec(8));

        // priority 0 is a tier of its own here, capped at one leased task; priority 1 is core
        assertThat(ids(a.claim(10))).containsExactly("p0-first", "p1", "p8");
        assertThat(a.levels().tiers()).extracting(SharedQueue.TierLevel::name).containsExactly("urgent", "core", "normal", "bulk");
        assertThatThrownBy(() -> node("b", LONG_LEASE, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("runs the tiers urgent 0, core 1-2");
    }

    /** After Redis lost its data the running nodes' table was gone, and a node with another was let in. */
    @Test
    void aTableLostWithRedisData_isRecordedAgainAtTheNextAnnounce_soAnotherTableIsStillRefused() throws Exception {
        SharedQueue a = SharedQueue.redis(REDIS.uri(), queue, "a", LONG_LEASE, 3, Duration.ofHours(1), FOUR);
        opened.add(a);
        REDIS.flushAll(); // as a Redis restarted without its data

        a.announce("[]");

        assertThatThrownBy(() -> node("b", LONG_LEASE, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("runs the tiers urgent 0, core 1-2");
    }

    /** A node that joined in the moment the table was gone recorded its own: the running node says so. */
    @Test
    void anotherTableRecordedMeanwhile_theRunningNodeSaysSoAtItsAnnounce() throws Exception {
        SharedQueue a = SharedQueue.redis(REDIS.uri(), queue, "a", LONG_LEASE, 3, Duration.ofHours(1), FOUR);
        opened.add(a);
        REDIS.flushAll();
        node("b", LONG_LEASE, 3); // the default table, recorded while the key was gone

        try (LogCapture log = LogCapture.of(RedisSharedQueue.class)) {
            a.announce("[]");
            assertThat(log.records()).anySatisfy(r -> assertThat(java.text.MessageFormat.format(r.getMessage(), r.getParameters()))
                    .contains("now records the tiers core").contains("this node runs urgent 0"));
        }
    }

    @Test
    void claim_leasesEachTaskToOneNode_andOnlyAsManyAsAsked() {
        SharedQueue a = node("a", LONG_LEASE, 3);
        SharedQueue b = node("b", LONG_LEASE, 3);
        for (int i = 0; i < 5; i++) {
            a.enqueue("t" + i, spec(5));
        }

        assertThat(ids(a.claim(2))).containsExactly("t0", "t1");
        assertThat(ids(b.claim(10))).containsExactly("t2", "t3", "t4");
        assertThat(a.claim(10)).isEmpty();
        assertThat(a.task("t0")).containsEntry("state", "leased").containsEntry("node", "a");
        assertThat(a.depth()).isEqualTo(new SharedQueue.Depth(0, 5));
    }

    @Test
    void enqueue_sameIdAndBody_isAnIdempotentRetry_andAnotherBodyConflicts() {
        SharedQueue a = node("a", LONG_LEASE, 3);
        assertThat(a.enqueue("x", spec(5)).kind()).isEqualTo(Enqueued.Kind.CREATED);
        assertThat(a.enqueue("x", spec(5)).kind()).isEqualTo(Enqueued.Kind.EXISTING);
        assertThat(a.enqueue("x", spec(4)).kind()).isEqualTo(Enqueued.Kind.CONFLICT);
        a.claim(1);
        a.ack("x", Outcome.SUCCEEDED, "");
        // within the window a finished task still answers its retry instead of running again
        assertThat(a.enqueue("x", spec(5))).extracting(Enqueued::kind, Enqueued::state)
                .containsExactly(Enqueued.Kind.EXISTING, "succeeded");
        assertThat(a.stats()).containsEntry("enqueued", 1L);
    }

    @Test
    void batches_enqueueAndAcknowledgeInOneStep_withOneAnswerPerTask_inOrder() {
        SharedQueue a = node("a", LONG_LEASE, 3);
        List<Enqueued> queued = a.enqueueAll(List.of(spec(5).withTaskId("x"), spec(5).withTaskId("y"),
                spec(5).withTaskId("x"), spec(4).withTaskId("y")));
        // the repeat of x in the same batch is an idempotent retry; y with another body a conflict
        assertThat(queued).extracting(Enqueued::kind).containsExactly(Enqueued.Kind.CREATED, Enqueued.Kind.CREATED,
                Enqueued.Kind.EXISTING, Enqueued.Kind.CONFLICT);
        assertThat(ids(a.claim(10))).containsExactly("x", "y");

        List<Ack> acks = a.ackAll(List.of(new SharedQueue.Done("x", Outcome.SUCCEEDED, ""),
                new SharedQueue.Done("y", Outcome.FAILED, "timed_out"), new SharedQueue.Done("x", Outcome.SUCCEEDED, ""),
                new SharedQueue.Done("z", Outcome.SUCCEEDED, "")));

        assertThat(acks).containsExactly(Ack.FIRST, Ack.FIRST, Ack.DUPLICATE, Ack.UNKNOWN);
        assertThat(a.task("y")).containsEntry("state", "failed").containsEntry("detail", "timed_out");
        assertThat(a.stats()).containsEntry("acked", 2L).containsEntry("failed", 1L).containsEntry("duplicates", 1L);
    }

    @Test
    void reaper_returnsAnExpiredLease_toItsPlace_withAnAttemptCounted() {
        SharedQueue a = node("a", Duration.ofMillis(100), 3);
        SharedQueue b = node("b", LONG_LEASE, 3);
        a.enqueue("first", spec(5));
        a.enqueue("second", spec(5));
        assertThat(ids(a.claim(1))).containsExactly("first");

        await().atMost(Duration.ofSeconds(5)).until(() -> b.reap(100).requeued() == 1);

        List<Claim> again = b.claim(10);
        // it keeps its place ahead of the task that arrived after it
        assertThat(ids(again)).containsExactly("first", "second");
        assertThat(again.getFirst().token()).isEqualTo(2); // a redelivery, visible to the node
        assertThat(again.getFirst().attempts()).isEqualTo(1);
        assertThat(b.stats()).containsEntry("reaped", 1L).containsEntry("redelivered", 1L);
    }

    @Test
    void heartbeat_keepsALeaseAlive_andReportsOnesAlreadyLost() {
        SharedQueue a = node("a", Duration.ofMillis(300), 3);
        SharedQueue b = node("b", LONG_LEASE, 3);
        a.enqueue("kept", spec(5));
        a.enqueue("lost", spec(5));
        a.claim(2);

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (b.task("lost").get("state").equals("leased") && System.nanoTime() < deadline) {
            assertThat(a.heartbeat(List.of("kept"))).isEmpty(); // only "kept" is extended
            b.reap(100);
        }
        assertThat(b.task("lost")).containsEntry("state", "waiting");
        assertThat(b.task("kept")).containsEntry("state", "leased");
        assertThat(a.heartbeat(List.of("kept", "lost"))).containsExactly("lost");
    }

    @Test
    void ack_firstCompletionWins_andALaterOneIsACountedDuplicate() {
        SharedQueue a = node("a", Duration.ofMillis(100), 3);
        SharedQueue b = node("b", LONG_LEASE, 3);
        a.enqueue("x", spec(5));
        a.claim(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.reap(10).requeued() == 1);
        b.claim(1); // a's lease expired while it still ran the task: now both run it

        assertThat(b.ack("x", Outcome.SUCCEEDED, "")).isEqualTo(Ack.FIRST);
        assertThat(a.ack("x", Outcome.SUCCEEDED, "")).isEqualTo(Ack.DUPLICATE);
        assertThat(a.task("x")).containsEntry("state", "succeeded").containsEntry("finished_by", "b");
        assertThat(a.stats()).containsEntry("acked", 1L).containsEntry("duplicates", 1L);
        assertThat(a.depth()).isEqualTo(new SharedQueue.Depth(0, 0));
        assertThat(a.ack("never-queued", Outcome.SUCCEEDED, "")).isEqualTo(Ack.UNKNOWN);
    }

    @Test
    void cancelOfALeasedTask_reachesItsHolderByHeartbeat_andTheReaperCancelsItIfTheHolderIsGone() {
        SharedQueue a = node("a", Duration.ofMillis(300), 3);
        SharedQueue b = node("b", LONG_LEASE, 3);
        a.enqueue("x", spec(5));
        a.enqueue("y", spec(5));
        a.claim(2);

        assertThat(b.cancel("x")).isEqualTo("cancel_requested");
        assertThat(a.beat(List.of("x", "y"))).isEqualTo(new SharedQueue.Beat(List.of(), List.of("x")));
        // the holder stops it and acknowledges it cancelled: the one outcome
        assertThat(a.ack("x", Outcome.CANCELLED, "")).isEqualTo(Ack.FIRST);
        assertThat(b.task("x")).containsEntry("state", "cancelled");

        // the holder of y is gone before it saw the cancel: when the lease expires y is cancelled, not requeued
        assertThat(b.cancel("y")).isEqualTo("cancel_requested");
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            b.reap(100);
            return b.task("y").get("state").equals("cancelled");
        });
        assertThat(b.claim(10)).isEmpty();
        assertThat(b.stats()).containsEntry("reaped", 0L).containsEntry("cancelled", 1L);
    }

    @Test
    void tierCap_holdsAcrossTwoNodes_andFreesAsLeasesEnd() {
        SharedQueue a = node("a", Duration.ofMillis(300), 3);
        SharedQueue b = node("b", LONG_LEASE, 3);
        java.util.Map<io.queuedeck.engine.tier.Tier, Integer> caps = java.util.Map.of(io.queuedeck.engine.tier.Tier.CORE, 2);
        a.capTiers(caps);
        b.capTiers(caps);
        for (int i = 0; i < 5; i++) {
            a.enqueue("c" + i, spec(1));
        }
        a.enqueue("n0", spec(5));

        // two core tasks leased in the whole cluster at most; the rest of a claim goes to the next tier
        assertThat(ids(a.claim(1))).containsExactly("c0");
        assertThat(ids(b.claim(10))).containsExactly("c1", "n0");
        assertThat(b.claim(10)).isEmpty();

        // an acknowledgement frees a place (on any node)
        assertThat(b.ack("c1", Outcome.SUCCEEDED, "")).isEqualTo(Ack.FIRST);
        assertThat(ids(a.claim(10))).containsExactly("c2");
        // a release frees its places
        assertThat(a.release(List.of("c2"))).isEqualTo(1);
        assertThat(ids(b.claim(10))).containsExactly("c2");
        // so does an expired lease: a's c0 comes back and b may take it, still two at most
        await().atMost(Duration.ofSeconds(5)).until(() -> b.reap(100).requeued() == 1);
        assertThat(ids(b.claim(10))).containsExactly("c0");
        assertThat(b.claim(10)).isEmpty();
    }

    @Test
    void tierCap_aBatchOfAcknowledgements_freesOnePlacePerLeasedTaskOfItsTier() {
        SharedQueue a = node("a", LONG_LEASE, 5);
        a.capTiers(java.util.Map.of(io.queuedeck.engine.tier.Tier.CORE, 3));
        for (int i = 0; i < 6; i++) {
            a.enqueue("c" + i, spec(1));
        }
        assertThat(ids(a.claim(10))).containsExactly("c0", "c1", "c2");

        // one script for the batch: two leased core tasks and one unknown id
        assertThat(a.ackAll(List.of(new SharedQueue.Done("c0", Outcome.SUCCEEDED, ""),
                new SharedQueue.Done("c1", Outcome.FAILED, "x"), new SharedQueue.Done("nope", Outcome.SUCCEEDED, ""))))
                .containsExactly(Ack.FIRST, Ack.FIRST, Ack.UNKNOWN);

        assertThat(ids(a.claim(10))).containsExactly("c3", "c4"); // exactly the two freed places
        assertThat(a.claim(10)).isEmpty();
    }

    @Test
    void reaper_deadLettersATask_whoseLastAttemptExpired() {
        SharedQueue a = node("a", Duration.ofMillis(100), 1);
        a.enqueue("x", spec(5));
        a.claim(1);

        await().atMost(Duration.ofSeconds(5)).until(() -> a.reap(10).dead() == 1);

        assertThat(a.task("x")).containsEntry("state", "dead");
        assertThat(a.claim(10)).isEmpty();
    }

    @Test
    void cancel_reprioritize_place_actOnWaitingTasksOnly() {
        SharedQueue a = node("a", LONG_LEASE, 3);
        SharedQueue b = node("b", LONG_LEASE, 3);
        for (String id : List.of("t1", "t2", "t3", "t4")) {
            a.enqueue(id, spec(5));
        }
        assertThat(b.place("t3", "t2")).isEqualTo("changed"); // from another node: the queue is shared
        assertThat(a.reprioritize("t4", 0)).isEqualTo("changed"); // into the core tier
        assertThat(a.cancel("t1")).isEqualTo("cancelled");

        assertThat(ids(a.claim(2))).containsExactly("t4", "t3");
        assertThat(b.cancel("t4")).isEqualTo("cancel_requested"); // its holder stops it at its next heartbeat
        assertThat(b.reprioritize("t3", 1)).isEqualTo("leased");
        assertThat(ids(b.claim(10))).containsExactly("t2");
        assertThat(a.stats()).containsEntry("cancelled", 1L);
    }

    @Test
    void place_manyTimesBeforeTheSameTask_keepsEveryMoveInOrder() {
        SharedQueue a = node("a", LONG_LEASE, 3);
        for (int i = 0; i < 40; i++) {
            a.enqueue("t" + i, spec(5));
        }
        // each goes just before t1, so after t0 and the ones placed before it
        for (int i = 39; i >= 30; i--) {
            assertThat(a.place("t" + i, "t1")).isEqualTo("changed");
        }
        List<String> head = ids(a.claim(12));
        assertThat(head).containsExactly("t0", "t39", "t38", "t37", "t36", "t35", "t34", "t33", "t32", "t31", "t30", "t1");
    }

    @Test
    void pausedTier_isSkippedByEveryNode_untilResumed() {
        SharedQueue a = node("a", LONG_LEASE, 3);
        SharedQueue b = node("b", LONG_LEASE, 3);
        a.enqueue("core", spec(0));
        a.enqueue("normal", spec(5));
        a.pauseTier(0, true);

        assertThat(ids(b.claim(10))).containsExactly("normal");
        a.pauseTier(0, false);
        assertThat(ids(b.claim(10))).containsExactly("core");
    }

    @Test
    void release_handsUnstartedClaimsBack_withoutCountingAnAttempt() {
        SharedQueue a = node("a", LONG_LEASE, 3);
        a.enqueue("x", spec(5));
        a.enqueue("y", spec(5));
        a.claim(2);

        assertThat(a.release(List.of("x", "y"))).isEqualTo(2);

        assertThat(a.task("x")).containsEntry("state", "waiting").containsEntry("attempts", "0");
        assertThat(ids(a.claim(10))).containsExactly("x", "y");
    }

    @Test
    void redisDown_everyStepFailsAsUnavailable_andWorksAgainAfterARestart() throws Exception {
        SharedQueue a = node("a", LONG_LEASE, 3);
        a.enqueue("before", spec(5));
        REDIS.kill();
        try {
            assertThatThrownBy(() -> a.enqueue("during", spec(5))).isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> a.claim(1)).isInstanceOf(StoreUnavailableException.class);
        } finally {
            REDIS.start();
        }
        // the restarted server is empty (ephemeral) and has no scripts: they are loaded again
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> a.enqueue("after", spec(5)).kind() == Enqueued.Kind.CREATED);
        assertThat(ids(a.claim(5))).contains("after");
    }
}
