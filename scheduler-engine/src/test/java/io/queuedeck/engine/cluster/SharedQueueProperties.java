package io.queuedeck.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.queuedeck.engine.cluster.SharedQueue.Ack;
import io.queuedeck.engine.cluster.SharedQueue.Outcome;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.testing.RedisServer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two nodes act on one task in a random interleaving of claim, reprioritize, cancel, acknowledge
 * and lease expiry (forced, then reaped). Every answer must match a model with one owner at a
 * time, and after every step the task sits in exactly one place in Redis: one tier's waiting set,
 * or the lease set and its node's processing set, or nowhere because it ended. So there is exactly
 * one outcome: never two holders, never a cancelled or finished task claimed again, never a lost one.
 * A task that ended in the queue itself (cancelled, dead-lettered, refused) is listed once for its
 * callback (decision 0117); one a node finished is not.
 * Each step is one script, which Redis runs alone, so any concurrent run of two nodes equals one of
 * these sequential interleavings.
 */
class SharedQueueProperties {
    private static final RedisServer REDIS = RedisServer.ephemeral();
    private static final String QUEUE = "props";
    private static final String PREFIX = "qd:{" + QUEUE + "}:";
    private static final int MAX_ATTEMPTS = 2; // two expiries reach a dead letter within one try
    private static final AtomicInteger TASKS = new AtomicInteger();

    private static SharedQueue[] nodes;
    private static RedisClient rawClient;
    private static StatefulRedisConnection<String, String> raw;

    @BeforeContainer
    static void startRedis() throws Exception {
        REDIS.beforeAll(null);
        nodes = new SharedQueue[] {
                SharedQueue.redis(REDIS.uri(), QUEUE, "n0", Duration.ofMinutes(5), MAX_ATTEMPTS, Duration.ofHours(1)),
                SharedQueue.redis(REDIS.uri(), QUEUE, "n1", Duration.ofMinutes(5), MAX_ATTEMPTS, Duration.ofHours(1))};
        rawClient = RedisClient.create(REDIS.uri());
        raw = rawClient.connect();
    }

    @AfterContainer
    static void stopRedis() throws Exception {
        if (nodes != null) {
            for (SharedQueue node : nodes) {
                node.close();
            }
        }
        if (raw != null) {
            raw.close();
            rawClient.shutdown();
        }
        REDIS.afterAll(null);
    }

    enum Kind { CLAIM, REPRIORITIZE, CANCEL, ACK, REFUSE, EXPIRE }

    record Step(int node, Kind kind, int priority) {}

    @Provide
    Arbitrary<List<Step>> interleavings() {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 1), Arbitraries.of(Kind.class),
                Arbitraries.integers().between(TaskSpec.MIN_PRIORITY, TaskSpec.MAX_PRIORITY)).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(25);
    }

    @Property(tries = 150)
    void oneTask_twoNodes_anyInterleaving_hasExactlyOneOutcome(@ForAll("interleavings") List<Step> steps) {
        String id = "t" + TASKS.incrementAndGet();
        nodes[0].enqueue(id, TaskSpec.of("m", "x", 5, 8));
        String state = "waiting";
        int owner = -1;
        int attempts = 0;
        int firstAcks = 0;
        boolean cancelAsked = false; // a cancel of the leased task waits for its holder (or the reaper)
        Set<Integer> ran = new HashSet<>(); // nodes that received the task and so may acknowledge it
        for (Step step : steps) {
            SharedQueue node = nodes[step.node()];
            switch (step.kind()) {
                case CLAIM -> {
                    // only this task may be claimed: other tries left none waiting
                    List<String> got = node.claim(5).stream().map(SharedQueue.Claim::id).toList();
                    if (state.equals("waiting")) {
                        assertThat(got).containsExactly(id);
                        state = "leased";
                        owner = step.node();
                        ran.add(owner);
                    } else {
                        assertThat(got).isEmpty();
                    }
                }
                case REPRIORITIZE -> assertThat(node.reprioritize(id, step.priority()))
                        .isEqualTo(state.equals("waiting") ? "changed" : state);
                case CANCEL -> {
                    assertThat(node.cancel(id)).isEqualTo(state.equals("waiting") ? "cancelled"
                            : state.equals("leased") ? "cancel_requested" : state);
                    if (state.equals("waiting")) {
                        state = "cancelled";
                    } else if (state.equals("leased")) {
                        cancelAsked = true;
                    }
                }
                case ACK, REFUSE -> {
                    if (!ran.contains(step.node())) {
                        continue; // a node acknowledges only what it ran (or refused)
                    }
                    boolean refuse = step.kind() == Kind.REFUSE;
                    boolean ended = !state.equals("waiting") && !state.equals("leased");
                    assertThat(node.ack(id, refuse ? Outcome.REFUSED : Outcome.SUCCEEDED, refuse ? "refused by node" : ""))
                            .isEqualTo(ended ? Ack.DUPLICATE : Ack.FIRST);
                    if (!ended) {
                        state = refuse ? "failed" : "succeeded";
                        owner = -1;
                        firstAcks++;
                    }
                }
                case EXPIRE -> {
                    raw.sync().zadd(PREFIX + "leases", io.lettuce.core.ZAddArgs.Builder.xx(), 0, id);
                    SharedQueue.Reaped reaped = node.reap(100);
                    assertThat(reaped.requeued() + reaped.dead()).isEqualTo(state.equals("leased") && !cancelAsked ? 1 : 0);
                    if (state.equals("leased") && cancelAsked) {
                        state = "cancelled"; // its holder never saw the cancel: cancelled, not run again
                        owner = -1;
                    } else if (state.equals("leased")) {
                        attempts++;
                        state = attempts >= MAX_ATTEMPTS ? "dead" : "waiting";
                        owner = -1;
                    }
                }
            }
            assertInOnePlace(id, state, owner);
        }
        assertThat(firstAcks).isLessThanOrEqualTo(1);
        // leave nothing waiting or leased for the next try
        if (state.equals("waiting")) {
            nodes[0].cancel(id);
        } else if (state.equals("leased")) {
            nodes[owner].ack(id, Outcome.SUCCEEDED, "");
        }
    }

    private static void assertInOnePlace(String id, String state, int owner) {
        RedisCommands<String, String> r = raw.sync();
        Map<String, String> task = r.hgetall(PREFIX + "t:" + id);
        assertThat(task.get("state")).isEqualTo(state);
        long listed = r.lrange(PREFIX + "ended", 0, -1).stream().filter(id::equals).count();
        assertThat(listed).as("listed for its callback").isEqualTo(List.of("cancelled", "dead", "failed").contains(state) ? 1 : 0);
        int waitingIn = 0;
        for (int tier = 0; tier < 3; tier++) {
            if (r.zscore(PREFIX + "w:" + tier, id) != null) {
                waitingIn++;
                assertThat(task.get("tier")).isEqualTo(Integer.toString(tier));
            }
        }
        boolean leased = r.zscore(PREFIX + "leases", id) != null;
        boolean held0 = r.sismember(PREFIX + "n:n0", id);
        boolean held1 = r.sismember(PREFIX + "n:n1", id);
        switch (state) {
            case "waiting" -> assertThat(List.of(waitingIn, leased, held0, held1)).containsExactly(1, false, false, false);
            case "leased" -> assertThat(List.of(waitingIn, leased, held0, held1))
                    .containsExactly(0, true, owner == 0, owner == 1);
            default -> assertThat(List.of(waitingIn, leased, held0, held1)).containsExactly(0, false, false, false);
        }
    }
}
