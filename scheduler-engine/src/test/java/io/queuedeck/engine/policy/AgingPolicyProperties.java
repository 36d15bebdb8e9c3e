package io.queuedeck.engine.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.SimHarness;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * The no-starvation bound of {@link AgingPolicy}, on random arrivals: a task is never dispatched
 * after a task that arrived more than {@code ln(10) / alpha} seconds after it, whatever the two
 * priorities. So no task waits forever: once the tasks that arrived before it or within that
 * window have gone, it is the most urgent.
 *
 * <p>Why it holds: aging runs the task with the smallest {@code alpha × arrival - ln(10 - p)}.
 * For a task A and a task B that arrived more than ln(10)/alpha later, B's key is above
 * {@code alpha × arrival(A) + ln(10) - ln(10 - p_B) >= alpha × arrival(A)} (as 10 - p_B <= 10),
 * and A's key is at most {@code alpha × arrival(A)} (as 10 - p_A >= 1). So whenever B is picked,
 * A is not waiting any more: it went first.
 *
 * <p>The bound is the aging key's: it is checked with giving up off ({@code give_up_seconds} and
 * {@code late_give_up_seconds} 0). With it on (the default, decision 0079) a task that has lost its
 * objective goes behind the ones that can still meet theirs, on purpose: a random sample in which a
 * priority-3 task waited past its 5 s went behind a later priority-9 task, as it should.
 */
class AgingPolicyProperties {

    record Arrival(int priority, long gapMicros, int outputTokens) {}

    @Provide
    Arbitrary<Double> alphas() {
        return Arbitraries.of(2.0, 5.0, 20.0, 50.0); // windows 1.15 s, 0.46 s, 0.115 s, 46 ms
    }

    /** Gaps often zero so tasks pile up; tasks of 1 to 40 tokens take 5.6 to 224 ms each. */
    @Provide
    Arbitrary<List<Arrival>> arrivals() {
        Arbitrary<Long> gap = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0L)), Tuple.of(3, Arbitraries.longs().between(0, 100_000)));
        return Combinators.combine(Arbitraries.integers().between(0, 9), gap, Arbitraries.integers().between(1, 40))
                .as(Arrival::new).list().ofMinSize(2).ofMaxSize(50).withSizeDistribution(RandomDistribution.uniform());
    }

    @Property(tries = 100)
    void aging_randomArrivals_noTaskDispatchedAfterOneArrivingMoreThanLn10OverAlphaLater(
            @ForAll("alphas") double alpha, @ForAll("arrivals") List<Arrival> arrivals) {
        PolicyConfig config = PolicyConfig.of(Map.of("alpha", Double.toString(alpha), "give_up_seconds", "0",
                "late_give_up_seconds", "0"));
        try (SimHarness sim = SimHarness.of("aging", config, 1, SimHarness.ONE_AT_A_TIME)) {
            for (int i = 0; i < arrivals.size(); i++) {
                sim.runUntil(sim.now() + arrivals.get(i).gapMicros() * 1_000);
                sim.submit("t" + i, arrivals.get(i).priority(), 10, arrivals.get(i).outputTokens());
            }
            sim.runUntilAllFinished();

            long windowNanos = (long) Math.floor(Math.log(10) / alpha * 1e9);
            List<TaskView> tasks = new ArrayList<>();
            for (int i = 0; i < arrivals.size(); i++) {
                tasks.add(sim.task("t" + i));
            }
            int contested = 0;
            for (TaskView early : tasks) {
                for (TaskView late : tasks) {
                    if (late.arrivedAt() - early.arrivedAt() > windowNanos) {
                        if (early.firstDispatchAt() > late.arrivedAt()) {
                            contested++; // both waited together: the bound decided between them
                        }
                        assertThat(early.firstDispatchAt())
                                .as("%s (p%d, arrived %d ns) dispatched after %s (p%d, arrived %d ns), window %d ns",
                                        early.id(), early.priority(), early.arrivedAt(), late.id(), late.priority(),
                                        late.arrivedAt(), windowNanos)
                                .isLessThan(late.firstDispatchAt());
                    }
                }
            }
            Statistics.label("pairs the bound decided").collect(contested == 0 ? "none" : contested < 10 ? "1-9" : "10+");
        }
    }
}
