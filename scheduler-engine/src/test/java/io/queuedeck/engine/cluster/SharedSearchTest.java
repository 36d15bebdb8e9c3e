package io.queuedeck.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.command.BulkAction;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** The console's Search and bulk actions over the whole shared queue, against a real redis-server. */
class SharedSearchTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final AtomicInteger QUEUES = new AtomicInteger();

    private final List<SharedQueue> opened = new ArrayList<>();
    private final String queue = "s" + QUEUES.incrementAndGet();

    private SharedQueue node(String name) {
        SharedQueue q = SharedQueue.redis(REDIS.uri(), queue, name, Duration.ofMinutes(5), 3, Duration.ofHours(1));
        opened.add(q);
        return q;
    }

    @AfterEach
    void close() {
        opened.forEach(SharedQueue::close);
    }

    private static TaskSpec spec(String tenant, String model, int priority) {
        return TaskSpec.of(model, "hello", priority, 8).withTenant(tenant);
    }

    private static TaskFilter filter(String id, String model, String tenant, TaskState state, Integer min, Integer max) {
        return new TaskFilter(id, model, tenant, null, state == null ? null : Set.of(state), min, max, null, null, null);
    }

    @Test
    void search_findsEveryNodesTasks_byTenantModelIdPrefixAndState() {
        SharedQueue a = node("a");
        SharedQueue b = node("b");
        a.enqueue("acme-1", spec("acme", "llama", 1));
        b.enqueue("acme-2", spec("acme", "mistral", 5));
        b.enqueue("beta-1", spec("beta", "llama", 5));
        a.enqueue("acme-3", spec("acme", "llama", 8));
        b.claim(1); // acme-1 (core tier), leased to b

        SharedSearch.Result acme = SharedSearch.search(a, filter(null, null, "acme", null, null, null), 0, 10);
        SharedSearch.Result llamaWaiting = SharedSearch.search(a, filter(null, "llama", null, TaskState.QUEUED, null, null), 0, 10);
        SharedSearch.Result prefix = SharedSearch.search(b, filter("acme-", null, null, null, null, null), 1, 1);
        SharedSearch.Result running = SharedSearch.search(a, filter(null, null, null, TaskState.RUNNING, null, null), 0, 10);

        // waiting tiers most urgent first, then the leases
        assertThat(acme.tasks()).extracting(m -> m.task().id()).containsExactly("acme-2", "acme-3", "acme-1");
        assertThat(acme.matched()).isEqualTo(3);
        assertThat(acme.complete()).isTrue();
        assertThat(acme.tasks().getFirst().tier()).isEqualTo("normal");
        assertThat(acme.tasks().get(2).state()).isEqualTo(TaskState.RUNNING);
        assertThat(acme.tasks().get(2).task().node()).isEqualTo("b");
        assertThat(llamaWaiting.tasks()).extracting(m -> m.task().id()).containsExactly("beta-1", "acme-3");
        assertThat(prefix.tasks()).extracting(m -> m.task().id()).containsExactly("acme-3"); // the second of three
        assertThat(prefix.matched()).isEqualTo(3);
        assertThat(running.tasks()).extracting(m -> m.spec().tenant()).containsExactly("acme");
    }

    @Test
    void search_maxPriority_stopsReadingAWaitingTierAtTheFirstTaskAboveIt() {
        SharedQueue a = node("a");
        for (int i = 0; i < 30; i++) {
            a.enqueue("t" + i, spec("acme", "m", i < 10 ? 3 : 6)); // one tier (normal): ten at P3, then twenty at P6
        }

        SharedSearch.Result upToP3 = SharedSearch.search(a, filter(null, null, null, TaskState.QUEUED, null, 3), 0, 100);

        assertThat(upToP3.matched()).isEqualTo(10);
        assertThat(upToP3.read()).isEqualTo(11); // the ten, and the first P6 that ends the read
        assertThat(upToP3.complete()).isTrue();
    }

    @Test
    void search_overTheReadBudget_saysItIsIncomplete() {
        SharedQueue a = node("a");
        List<TaskSpec> batch = new ArrayList<>();
        for (int i = 0; i < SharedSearch.READ_BUDGET + 50; i++) {
            batch.add(spec(i % 2 == 0 ? "acme" : "beta", "m", 5).withTaskId("t" + i));
        }
        for (int from = 0; from < batch.size(); from += 1_000) {
            a.enqueueAll(batch.subList(from, Math.min(batch.size(), from + 1_000)));
        }

        SharedSearch.Result beta = SharedSearch.search(a, filter(null, null, "beta", null, null, null), 0, 10);

        assertThat(beta.read()).isEqualTo(SharedSearch.READ_BUDGET);
        assertThat(beta.matched()).isEqualTo(SharedSearch.READ_BUDGET / 2);
        assertThat(beta.complete()).isFalse();
        assertThat(beta.tasks()).hasSize(10);
    }

    @Test
    void unsupported_namesAgeAndFinishedStates() {
        TaskFilter old = new TaskFilter(null, null, null, null, Set.of(TaskState.SUCCEEDED), null, null, 1_000L, null, null);

        assertThat(SharedSearch.unsupported(old)).contains("age").contains("finished task is found by its full id");
        assertThat(SharedSearch.unsupported(TaskFilter.ANY)).isNull();
        assertThatThrownBy(() -> SharedSearch.search(node("a"), old, 0, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void apply_reprioritizesEveryNodesWaitingTasksOfATenant_andNamesWhatItRefused() {
        SharedQueue a = node("a");
        SharedQueue b = node("b");
        a.enqueue("acme-1", spec("acme", "m", 4));
        b.enqueue("acme-2", spec("acme", "m", 5));
        b.enqueue("beta-1", spec("beta", "m", 5));
        b.claim(1); // acme-1, leased: a reprioritize refuses it with its state

        SharedSearch.Applied applied = SharedSearch.apply(a, filter(null, null, "acme", null, null, null),
                BulkAction.REPRIORITIZE, 1);

        assertThat(applied.matched()).isEqualTo(2);
        assertThat(applied.answers()).isEqualTo(Map.of("changed", 1, "leased", 1));
        assertThat(applied.changed()).isEqualTo(1);
        assertThat(b.task("acme-2")).containsEntry("prio", "1").containsEntry("state", "waiting");
        assertThat(b.task("beta-1")).containsEntry("prio", "5");
    }

    @Test
    void apply_cancelsWaitingAtOnceAndAsksTheHolderOfALeasedOne_thenRetryPutsThemBack() {
        SharedQueue a = node("a");
        SharedQueue b = node("b");
        a.enqueue("w1", spec("acme", "m", 5));
        a.enqueue("w2", spec("acme", "m", 5));
        a.enqueue("r1", spec("acme", "m", 1));
        b.claim(1); // r1

        SharedSearch.Applied cancel = SharedSearch.apply(a, filter(null, null, "acme", null, null, null), BulkAction.CANCEL, null);

        assertThat(cancel.answers()).isEqualTo(Map.of("cancelled", 2, "cancel_requested", 1));
        assertThat(b.beat(List.of("r1")).cancel()).containsExactly("r1");
        assertThat(a.task("w1")).containsEntry("state", "cancelled");
        assertThat(a.levels().waiting()).isZero();

        // cancelled tasks are not in any list the search reads: retry them by id prefix through the dead letters' path
        assertThat(a.retry("w1")).isEqualTo("retried");
        assertThat(SharedSearch.search(a, filter("w", null, null, TaskState.QUEUED, null, null), 0, 10).tasks())
                .extracting(m -> m.task().id()).containsExactly("w1");
    }

    @Test
    void apply_retriesTheDeadLettersOfATenant() {
        SharedQueue a = SharedQueue.redis(REDIS.uri(), queue, "a", Duration.ofMillis(100), 1, Duration.ofHours(1));
        opened.add(a);
        a.enqueue("d1", spec("acme", "m", 5));
        a.enqueue("d2", spec("beta", "m", 5));
        a.claim(2);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (a.levels().dead() < 2 && System.nanoTime() < deadline) {
            a.reap(10); // each lease of 100 ms expires; one attempt allowed, so both die
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000); // a reaper's pace while waiting for the expiry
        }
        assertThat(a.levels().dead()).isEqualTo(2);

        SharedSearch.Applied retry = SharedSearch.apply(a, filter(null, null, "acme", TaskState.DEAD_LETTERED, null, null),
                BulkAction.RETRY, null);

        assertThat(retry.answers()).isEqualTo(Map.of("retried", 1));
        assertThat(a.task("d1")).containsEntry("state", "waiting");
        assertThat(a.task("d2")).containsEntry("state", "dead");
    }

    @Test
    void task_ofALeasedTask_saysHowLongItsLeaseHolds() {
        SharedQueue a = node("a");
        a.enqueue("x", spec("acme", "m", 5));
        a.claim(1);

        long left = Long.parseLong(a.task("x").get("lease_left_ms"));

        assertThat(left).isBetween(1L, Duration.ofMinutes(5).toMillis());
        a.enqueue("y", spec("acme", "m", 5));
        assertThat(a.task("y")).doesNotContainKey("lease_left_ms");
    }
}
