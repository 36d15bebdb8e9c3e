package io.queuedeck.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.testing.LogCapture;
import io.queuedeck.engine.testing.RedisServer;
import java.text.MessageFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node's name is one process's (decision 0115), against a real redis-server: a second process
 * under a live node's name is refused; the name of one that was killed passes on once its silence
 * is long enough, and the one displaced then neither overwrites nor removes the newcomer's record.
 */
class NodeNameTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final AtomicInteger QUEUES = new AtomicInteger();
    /** Announcements every 100 ms: a silence of 1.2 s frees the name. */
    private static final Duration LEASE = Duration.ofMillis(300);

    private final String queue = "names" + QUEUES.incrementAndGet();
    private final List<SharedQueue> opened = new ArrayList<>();
    private final ScheduledExecutorService announcing = Executors.newSingleThreadScheduledExecutor();

    private SharedQueue node(String name) {
        SharedQueue q = SharedQueue.redis(REDIS.uri(), queue, name, LEASE, 3, Duration.ofHours(1));
        opened.add(q);
        return q;
    }

    @AfterEach
    void close() {
        announcing.shutdownNow();
        opened.forEach(SharedQueue::close);
    }

    private static List<String> messages(LogCapture log, Level level) {
        return log.records().stream().filter(r -> r.getLevel().equals(level))
                .map(r -> MessageFormat.format(r.getMessage(), r.getParameters())).toList();
    }

    @Test
    void aLiveNodesName_isRefusedToASecondProcess_andTheLiveOneKeepsIt() throws Exception {
        SharedQueue live = node("gpu-a");
        announcing.scheduleWithFixedDelay(() -> live.announce("[\"first\"]"), 0, 100, TimeUnit.MILLISECONDS);

        assertThatThrownBy(() -> node("gpu-a"))
                .isInstanceOf(NodeNameTakenException.class)
                .hasMessageStartingWith("node name gpu-a is taken: another process runs as node gpu-a on the shared queue qd:{"
                        + queue + "}:")
                .hasMessageEndingWith("give this one its own --node");

        try (LogCapture log = LogCapture.of(NodeName.class)) {
            live.announce("[\"first\"]");
            assertThat(messages(log, Level.SEVERE)).isEmpty();
        }
        assertThat(live.nodes()).extracting(SharedQueue.NodeStatus::detail).containsExactly("[\"first\"]");
    }

    @Test
    void aKilledNodesName_passesToTheNextProcess_andTheDisplacedOneLeavesItsRecordAlone() {
        SharedQueue killed = node("gpu-a");
        killed.announce("[\"killed\"]"); // then silent: no announcement, no leave, as after a SIGKILL

        SharedQueue next;
        try (LogCapture log = LogCapture.of(NodeName.class)) {
            next = node("gpu-a");
            assertThat(messages(log, Level.INFO)).singleElement().asString()
                    .contains("node name gpu-a was last heard").contains("waiting to learn whether it is still running");
        }
        next.announce("[\"next\"]");

        try (LogCapture log = LogCapture.of(NodeName.class)) {
            killed.announce("[\"killed\"]"); // a stalled process waking up
            killed.announce("[\"killed\"]");
            assertThat(messages(log, Level.SEVERE)).singleElement().asString()
                    .startsWith("node name gpu-a is now another process's").endsWith("(stop one of the two)");
        }
        killed.leave();
        assertThat(next.nodes()).extracting(SharedQueue.NodeStatus::detail).containsExactly("[\"next\"]");
    }

    /** A console claims its name when it opens the queue and announces itself once its window and API are up. */
    @Test
    void aNameClaimedByAProcessStillStarting_isNotTakenWhileItStarts() {
        SharedQueue starting = node("gpu-a");
        CompletableFuture<SharedQueue> twin = CompletableFuture.supplyAsync(() -> node("gpu-a"));

        // still waiting well past the 1.2 s of silence that frees the name of a node that announced itself
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> !twin.isDone());
        starting.announce("[]");

        assertThatThrownBy(() -> twin.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(NodeNameTakenException.class);
    }

    @Test
    void aNodeThatLeft_itsNameIsFreeAtOnce() {
        SharedQueue stopped = node("gpu-a");
        stopped.announce("[]");
        stopped.leave();

        try (LogCapture log = LogCapture.of(NodeName.class)) {
            node("gpu-a").announce("[]");
            assertThat(log.records()).isEmpty(); // not a moment spent waiting for the name
        }
    }
}
