package io.queuedeck.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.cluster.SharedQueue.Enqueued;
import io.queuedeck.engine.cluster.SharedQueue.Listed;
import io.queuedeck.engine.cluster.SharedQueue.Listing;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.testing.RedisServer;
import io.queuedeck.engine.tier.TierMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** What the console and the REST API read and do across nodes: levels, pages of lists, tier modes, retry. */
class SharedQueueListsTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final AtomicInteger QUEUES = new AtomicInteger();

    private final List<SharedQueue> opened = new ArrayList<>();
    private final String queue = "l" + QUEUES.incrementAndGet();

    private SharedQueue node(String name, int maxAttempts, Duration lease) {
        SharedQueue q = SharedQueue.redis(REDIS.uri(), queue, name, lease, maxAttempts, Duration.ofHours(1));
        opened.add(q);
        return q;
    }

    @AfterEach
    void close() {
        opened.forEach(SharedQueue::close);
    }

    private static TaskSpec spec(int priority) {
        return TaskSpec.of("m", "hello", priority, 8);
    }

    @Test
    void levels_countEveryNodesTasksPerTier() {
        SharedQueue a = node("a", 3, Duration.ofMinutes(5));
        SharedQueue b = node("b", 3, Duration.ofMinutes(5));
        a.enqueue("c1", spec(1));
        b.enqueue("n1", spec(4));
        b.enqueue("n2", spec(5));
        a.enqueue("b1", spec(8));
        b.claim(1); // c1, leased to b

        SharedQueue.Levels levels = a.levels();

        assertThat(levels.tiers()).extracting(SharedQueue.TierLevel::waiting).containsExactly(0L, 2L, 1L);
        assertThat(levels.tiers()).extracting(SharedQueue.TierLevel::leased).containsExactly(1L, 0L, 0L);
        assertThat(levels.waiting()).isEqualTo(3);
        assertThat(levels.dead()).isZero();
    }

    @Test
    void list_pagesATierBestFirst_withTotal() {
        SharedQueue a = node("a", 3, Duration.ofMinutes(5));
        for (int i = 0; i < 5; i++) {
            a.enqueue("t" + i, spec(i % 2 == 0 ? 6 : 3));
        }

        SharedQueue.Page first = a.list(Listing.WAITING, 1, 0, 2, false);
        SharedQueue.Page second = a.list(Listing.WAITING, 1, 2, 2, true);

        // priority 3 before 6, then arrival
        assertThat(first.total()).isEqualTo(5);
        assertThat(first.tasks()).extracting(Listed::id).containsExactly("t1", "t3");
        assertThat(first.tasks().getFirst().spec()).isNull();
        assertThat(second.tasks()).extracting(Listed::id).containsExactly("t0", "t2");
        assertThat(second.tasks().getFirst().spec()).contains("\"model\":\"m\"");
        assertThat(second.tasks().getFirst().priority()).isEqualTo(6);
    }

    @Test
    void drainingTier_refusesNewTasksOnEveryNode_butStillServesClaims() {
        SharedQueue a = node("a", 3, Duration.ofMinutes(5));
        SharedQueue b = node("b", 3, Duration.ofMinutes(5));
        a.enqueue("before", spec(5));

        a.tierMode(1, TierMode.DRAINING);

        assertThat(b.enqueue("after", spec(5)).kind()).isEqualTo(Enqueued.Kind.DRAINING);
        assertThat(b.enqueue("before", spec(5)).kind()).isEqualTo(Enqueued.Kind.EXISTING);
        assertThat(b.enqueue("core", spec(1)).kind()).isEqualTo(Enqueued.Kind.CREATED);
        assertThat(b.levels().tiers().get(1).draining()).isTrue();
        assertThat(b.claim(5)).extracting(SharedQueue.Claim::id).containsExactly("core", "before");

        a.tierMode(1, TierMode.ACTIVE);
        assertThat(b.enqueue("after", spec(5)).kind()).isEqualTo(Enqueued.Kind.CREATED);
    }

    @Test
    void pausedTier_isClaimedByNoNode_untilActiveAgain() {
        SharedQueue a = node("a", 3, Duration.ofMinutes(5));
        SharedQueue b = node("b", 3, Duration.ofMinutes(5));
        a.enqueue("n", spec(5));

        a.tierMode(1, TierMode.PAUSED);

        assertThat(b.claim(5)).isEmpty();
        assertThat(b.levels().tiers().get(1).paused()).isTrue();
        a.tierMode(1, TierMode.ACTIVE);
        assertThat(b.claim(5)).extracting(SharedQueue.Claim::id).containsExactly("n");
    }

    @Test
    void retry_bringsADeadTaskBackInItsPlace_andRefusesAWaitingOne() throws Exception {
        SharedQueue a = node("a", 1, Duration.ofMillis(100));
        a.enqueue("x", spec(5));
        a.claim(1);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (a.levels().dead() == 0 && System.nanoTime() < deadline) {
            a.reap(10);
            Thread.onSpinWait();
        }
        assertThat(a.list(Listing.DEAD, 0, 0, 10, false).tasks()).extracting(Listed::id).containsExactly("x");

        assertThat(a.retry("x")).isEqualTo("retried");

        assertThat(a.levels().dead()).isZero();
        assertThat(a.task("x")).containsEntry("state", "waiting").containsEntry("attempts", "0");
        assertThat(a.retry("x")).isEqualTo("waiting");
        assertThat(a.retry("nope")).isEqualTo("unknown");
        assertThat(a.claim(1)).extracting(SharedQueue.Claim::id).containsExactly("x");
    }
}
