package io.queuedeck.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.QueueFullException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TenantByteShares;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * A tenant's share of the byte budget: one tenant's queued bodies and callbacks in flight filled
 * the whole budget, and every other tenant's submissions got 429 until they drained.
 */
class TenantByteSharesTest {
    private static final long BUDGET = 100_000;
    private static final long COST = 1_024 + 2 * 1_000; // a task of 1,000 input characters (TaskTable.bodyBytes)

    @Test
    void aTenantPastItsShare_isRefusedNamingTheTenant_whileOthersAreTaken() {
        try (Engine engine = paused(new TenantByteShares(0.5, Map.of("big", 0.9)))) {
            int taken = 0;
            for (; taken < 100; taken++) {
                try {
                    submit(engine, "flood-" + taken, "flood");
                } catch (CompletionException e) {
                    assertThat(e.getCause()).isInstanceOf(QueueFullException.class).hasMessageContaining("tenant 'flood'")
                            .hasMessageContaining("its share of max_queued_bytes (0.5) is 50000 bytes");
                    assertThat(((QueueFullException) e.getCause()).field()).isEqualTo("tenant");
                    break;
                }
            }
            assertThat(taken).as("half the budget: 16 tasks of 3,024 bytes").isEqualTo((int) (BUDGET / 2 / COST));

            submit(engine, "quiet-1", "quiet"); // another tenant is not held up by the flood
            submit(engine, "none-1", null);     // nor are tasks without a tenant, a tenant of their own

            engine.send(new Command.Cancel("flood-0")).join(); // a finished task gives its bytes back
            submit(engine, "flood-again", "flood");
        }
    }

    @Test
    void aTenantsCallbacksInFlight_countInItsShare() {
        Map<String, Long> held = new HashMap<>();
        try (Engine engine = Engine.builder().clock(new VirtualClock()).maxQueuedBytes(BUDGET)
                .tenantByteShares(new TenantByteShares(0.5, Map.of())).build()) {
            engine.countInByteBudget(() -> held.values().stream().mapToLong(Long::longValue).sum(),
                    tenant -> held.getOrDefault(tenant, 0L));
            engine.start();
            engine.send(new Command.PauseDispatch(true)).join();
            held.put("slow-receiver", 49_000L); // its results wait for a receiver that does not answer

            assertThatThrownBy(() -> submit(engine, "a", "slow-receiver")).hasCauseInstanceOf(QueueFullException.class)
                    .hasMessageContaining("callbacks in flight");
            submit(engine, "b", "other");
            held.remove("slow-receiver"); // delivered
            submit(engine, "a", "slow-receiver");
        }
    }

    /**
     * Whatever the order of submissions and finishes over three tenants, a submission is refused
     * exactly when its tenant would pass its share (or all would pass the budget), and no tenant
     * ever holds more than its share.
     */
    @Property(tries = 40)
    void refusedExactlyWhenTheTenantWouldPassItsShare(@ForAll("steps") List<Integer> steps) {
        TenantByteShares shares = new TenantByteShares(0.4, Map.of("t1", 0.7));
        String[] tenants = {"t0", "t1", "t2"};
        try (Engine engine = paused(shares)) {
            Map<String, List<String>> queued = new HashMap<>();
            Map<String, Long> model = new HashMap<>();
            AtomicLong total = new AtomicLong();
            int n = 0;
            for (int step : steps) {
                String tenant = tenants[Math.abs(step) % 3];
                List<String> own = queued.computeIfAbsent(tenant, t -> new ArrayList<>());
                if (step < 0 && !own.isEmpty()) {
                    engine.send(new Command.Cancel(own.removeFirst())).join();
                    model.merge(tenant, -COST, Long::sum);
                    total.addAndGet(-COST);
                    continue;
                }
                String id = "task-" + n++;
                long limit = (long) (shares.of(tenant) * BUDGET);
                boolean fits = model.getOrDefault(tenant, 0L) + COST <= limit && total.get() + COST <= BUDGET;
                try {
                    submit(engine, id, tenant);
                    assertThat(fits).as("%s taken past its share", id).isTrue();
                    own.add(id);
                    model.merge(tenant, COST, Long::sum);
                    total.addAndGet(COST);
                } catch (CompletionException e) {
                    assertThat(e.getCause()).isInstanceOf(QueueFullException.class);
                    assertThat(fits).as("%s refused within its share", id).isFalse();
                }
                assertThat(model.getOrDefault(tenant, 0L)).isLessThanOrEqualTo(limit);
            }
        }
    }

    @Provide
    Arbitrary<List<Integer>> steps() {
        return Arbitraries.integers().between(-5, 8).list().ofMinSize(20).ofMaxSize(120);
    }

    private static Engine paused(TenantByteShares shares) {
        Engine engine = Engine.builder().clock(new VirtualClock()).maxQueuedBytes(BUDGET).tenantByteShares(shares).build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        return engine;
    }

    private static void submit(Engine engine, String id, String tenant) {
        engine.send(new Command.Submit(new TaskSpec(id, "llama-2-7b", "x".repeat(1_000), 5, null, tenant, null, null, 8,
                null, null))).join();
    }
}
