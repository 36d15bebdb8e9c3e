package io.queuedeck.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.cluster.SharedQueue.Enqueued;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Tenant rates across nodes: one token bucket per tenant in Redis, refilled from Redis's TIME in the enqueue script. */
class TenantRatesTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final AtomicInteger QUEUES = new AtomicInteger();
    private static final AtomicLong IDS = new AtomicLong();

    private final List<SharedQueue> opened = new ArrayList<>();
    private final String queue = "rate" + QUEUES.incrementAndGet();

    private SharedQueue node(String name) {
        SharedQueue q = SharedQueue.redis(REDIS.uri(), queue, name, Duration.ofMinutes(5), 3, Duration.ofHours(1));
        opened.add(q);
        return q;
    }

    @AfterEach
    void close() {
        opened.forEach(SharedQueue::close);
    }

    private static TaskSpec task(String tenant) {
        return new TaskSpec("t" + IDS.incrementAndGet(), "m", "hi", 5, null, tenant, null, null, 8, null, null);
    }

    @Test
    void twoNodes_submittingAsFastAsTheyCan_stayWithinTheTenantsRateTogether() throws Exception {
        double rate = 20;
        int burst = 5;
        List<SharedQueue> nodes = List.of(node("a"), node("b"));
        nodes.forEach(n -> n.rateTenants(Map.of("acme", new SharedQueue.TenantRate(rate, burst)), null));
        AtomicInteger created = new AtomicInteger(), limited = new AtomicInteger(), free = new AtomicInteger();
        long windowNanos = Duration.ofSeconds(2).toNanos();
        CountDownLatch done = new CountDownLatch(nodes.size());
        long start = System.nanoTime();
        for (SharedQueue n : nodes) {
            Thread.ofPlatform().start(() -> {
                try {
                    while (System.nanoTime() - start < windowNanos) {
                        Enqueued answer = n.enqueue(task("acme").taskId(), task("acme"));
                        (answer.kind() == Enqueued.Kind.CREATED ? created : limited).incrementAndGet();
                        if (answer.kind() == Enqueued.Kind.RATE_LIMITED) {
                            assertThat(answer.retryAfterMillis()).isBetween(1L, 1000L);
                        }
                        // a task without a tenant, or of a tenant without a rate, is never limited
                        if (n.enqueue(task(null).taskId(), task(null)).kind() == Enqueued.Kind.CREATED) {
                            free.incrementAndGet();
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;

        // the sum over both nodes: at most the burst plus what the rate refilled meanwhile
        assertThat(created.get()).isLessThanOrEqualTo((int) Math.ceil(burst + rate * elapsed));
        assertThat(created.get()).isGreaterThanOrEqualTo((int) (burst + rate)); // and the rate was actually served
        assertThat(limited.get()).isPositive();
        assertThat(free.get()).isEqualTo(created.get() + limited.get());
    }

    @Test
    void aKnownId_isAnsweredWithoutTakingAToken_andAnUnlimitedTenantIsFree() {
        SharedQueue a = node("a");
        a.rateTenants(Map.of("acme", new SharedQueue.TenantRate(0.001, 1)), new SharedQueue.TenantRate(0.001, 2));
        TaskSpec first = task("acme");

        assertThat(a.enqueue(first.taskId(), first).kind()).isEqualTo(Enqueued.Kind.CREATED);
        assertThat(a.enqueue(first.taskId(), first).kind()).isEqualTo(Enqueued.Kind.EXISTING);
        assertThat(a.enqueue("other", task("acme")).kind()).isEqualTo(Enqueued.Kind.RATE_LIMITED);
        // tenants not named take the default rate, each its own bucket
        assertThat(a.enqueue("x1", task("zeta")).kind()).isEqualTo(Enqueued.Kind.CREATED);
        assertThat(a.enqueue("x2", task("zeta")).kind()).isEqualTo(Enqueued.Kind.CREATED);
        assertThat(a.enqueue("x3", task("zeta")).kind()).isEqualTo(Enqueued.Kind.RATE_LIMITED);
        assertThat(a.enqueue("y1", task("omega")).kind()).isEqualTo(Enqueued.Kind.CREATED);
        assertThat(a.depth().waiting()).isEqualTo(4);
    }
}
