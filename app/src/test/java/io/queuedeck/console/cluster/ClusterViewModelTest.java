package io.queuedeck.console.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.console.gateway.ClusterLink;
import io.queuedeck.console.gateway.ClusterSettings;
import io.queuedeck.console.gateway.ClusterState;
import io.queuedeck.engine.testing.RedisServer;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.audit.AuditQuery;
import io.queuedeck.engine.cluster.SharedQueue;
import io.queuedeck.engine.task.TaskSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cluster section's commands against a real redis-server, without a window: moves, cancels
 * and retries act on the shared queue (tasks another node queued), are audited, and a refusal
 * reaches the operator with its reason.
 */
class ClusterViewModelTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final AtomicInteger QUEUES = new AtomicInteger();
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private Engine engine;
    private ClusterLink link;
    private SharedQueue other;
    private ClusterViewModel model;
    private final List<String> failures = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        String queue = "vm" + QUEUES.incrementAndGet();
        engine = Engine.builder().build();
        engine.start();
        engine.send(new io.queuedeck.engine.command.Command.PauseDispatch(true)).join(); // this node holds, runs nothing
        link = ClusterLink.join(engine, new ClusterSettings(REDIS.uri(), "console", queue));
        other = SharedQueue.redis(REDIS.uri(), queue, "b", Duration.ofMillis(200), 1, Duration.ofHours(1));
        model = new ClusterViewModel(link, (action, error) -> failures.add(action + ": " + error.getMessage()));
    }

    @AfterEach
    void stop() {
        link.close();
        other.close();
        engine.close();
    }

    private ClusterViewModel.TaskRow shown(String id) {
        return await().atMost(TIMEOUT).until(() -> {
            model.apply(link.refresh().join());
            return model.waiting().stream().filter(t -> t.id().equals(id)).findFirst().orElse(null);
        }, java.util.Objects::nonNull);
    }

    @Test
    void raisePlaceAndCancel_actOnTheSharedQueue_andAreAudited() {
        other.enqueue("a", TaskSpec.of("m", "x", 5, 8));
        other.enqueue("b", TaskSpec.of("m", "x", 5, 8));
        other.enqueue("c", TaskSpec.of("m", "x", 5, 8));

        model.place(shown("c"), shown("a"));
        await().atMost(TIMEOUT).until(() -> other.list(SharedQueue.Listing.WAITING, 1, 0, 10, false).tasks().stream()
                .map(SharedQueue.Listed::id).toList().equals(List.of("c", "a", "b")));
        model.raise(shown("b"));
        await().atMost(TIMEOUT).until(() -> "4".equals(other.task("b").get("prio")));
        model.cancel(shown("a"));
        await().atMost(TIMEOUT).until(() -> "cancelled".equals(other.task("a").get("state")));

        assertThat(engine.audit().find(AuditQuery.all()).entries()).extracting(e -> e.action())
                .contains("task.place", "task.reprioritize", "task.cancel");
        assertThat(failures).isEmpty();
    }

    @Test
    void retry_bringsADeadLetterBack_andARefusalIsReported() {
        other.enqueue("d", TaskSpec.of("m", "x", 8, 8));
        other.claim(1); // its lease expires and, with one attempt, it dies
        await().atMost(TIMEOUT).until(() -> {
            other.reap(10);
            model.apply(link.refresh().join());
            return !model.dead().isEmpty();
        });

        model.retry(model.dead().getFirst());
        await().atMost(TIMEOUT).until(() -> "waiting".equals(other.task("d").get("state")));

        model.retry(model.dead().getFirst()); // the row shown before: the task waits now
        await().atMost(TIMEOUT).until(() -> !failures.isEmpty());
        assertThat(failures.getFirst()).contains("Retry d", "waiting");
    }

    /** A dead node's leases come back from the section's Reclaim (decision 0130); a live node's are refused with the reason. */
    @Test
    void reclaim_returnsADeadNodesLeases_andIsAudited_aLiveNodesIsRefused() throws Exception {
        String queue = "vm-reclaim" + QUEUES.incrementAndGet();
        try (ClusterLink console = ClusterLink.join(engine, new ClusterSettings(REDIS.uri(), "console", queue));
             SharedQueue dead = SharedQueue.redis(REDIS.uri(), queue, "dead", Duration.ofHours(1), 3, Duration.ofHours(1))) {
            ClusterViewModel section = new ClusterViewModel(console, (action, error) -> failures.add(action + ": " + error.getMessage()));
            dead.enqueue("held", TaskSpec.of("m", "x", 5, 8));
            assertThat(dead.claim(1)).hasSize(1);
            dead.announce("[]"); // then silent, as after a kill -9

            ClusterState.NodeRow row = await().atMost(TIMEOUT).until(() -> {
                section.apply(console.refresh().join());
                return section.nodes().stream().filter(n -> n.name().equals("dead") && n.ageMillis() > 3_000).findFirst()
                        .orElse(null);
            }, java.util.Objects::nonNull);
            section.reclaim(row);

            await().atMost(TIMEOUT).until(() -> "waiting".equals(dead.task("held").get("state")));
            assertThat(dead.task("held")).containsEntry("attempts", "1");
            assertThat(engine.audit().find(AuditQuery.all()).entries())
                    .anyMatch(e -> e.action().equals("cluster.node.reclaim") && e.target().equals("dead") && e.tasks() == 1);

            dead.announce("[]"); // heard again: alive
            section.reclaim(new ClusterState.NodeRow("dead", 0, 0, 0, 0, ""));
            await().atMost(TIMEOUT).until(() -> !failures.isEmpty());
            assertThat(failures.getFirst()).contains("Reclaim the leases of node dead", "is alive");
        }
    }

    /** Redis losing the queue's data shows as the section's alert, the node's own sentence (decision 0130). */
    @Test
    void aFlushAllUnderTheConsole_showsAsTheSectionsAlert() throws Exception {
        link.start(true); // it announces itself every second: the look that finds the loss
        await().atMost(TIMEOUT).until(() -> link.refresh().join().nodes().stream().anyMatch(n -> n.name().equals("console")));
        model.apply(link.refresh().join());
        assertThat(model.alertProperty().get()).isEmpty();

        REDIS.flushAll();

        await().atMost(TIMEOUT).until(() -> {
            model.apply(link.refresh().join());
            return !model.alertProperty().get().isEmpty();
        });
        assertThat(model.alertProperty().get()).contains("Redis lost the shared queue's data", "written again by node console");
    }
}
