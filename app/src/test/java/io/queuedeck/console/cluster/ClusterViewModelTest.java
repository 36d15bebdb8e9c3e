package io.queuedeck.console.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.console.gateway.ClusterLink;
import io.queuedeck.console.gateway.ClusterSettings;
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
}
