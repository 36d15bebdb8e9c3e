package io.queuedeck.engine.policy;

import io.queuedeck.engine.command.Command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.SimHarness;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.task.TaskSpec;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The multi-factor policy on one instance that runs one task at a time. Default weights: age 1
 * (capped at 60 s), priority 2, deadline 1 (60 s horizon), fair share 1, size 1 (4,096 tokens);
 * so {@code score = age/60s + 2 (9 - p)/9 + deadline + 2^(-share × tenants) + 1 - size/4096 + Σ meta}.
 */
class WeightedPolicyTest {
    private static final Offset<Double> EXACT = Offset.offset(1e-9);

    @Test
    void dispatch_tasksWaitingTogether_highestDocumentedScoreFirst() {
        try (SimHarness sim = SimHarness.oneAtATime("weighted")) {
            sim.pause(true);
            submit(sim, spec("p0-big", 0, 4_000, 96));
            submit(sim, spec("p3-small", 3, 95, 1));
            submit(sim, deadline(spec("p5-deadline", 5, 1_000, 24), 15));
            submit(sim, spec("p9", 9, 2_000, 48));

            // Same arrival and tenant, so age and fair share are equal; the rest by hand:
            //   p5-deadline: 2×4/9 + (1 - 15/60) + (1 - 1024/4096) = 0.889 + 0.75 + 0.75 = 2.389
            //   p3-small:    2×6/9 + (1 - 96/4096)                 = 1.333 + 0.977        = 2.310
            //   p0-big:      2×9/9 + (1 - 4096/4096)               = 2     + 0            = 2.000
            //   p9:          0     + (1 - 2048/4096)                                     = 0.500
            // A near deadline and a small size outweigh one or two priority steps.
            double common = 0 + 1; // age 0, fair share 1 (nobody has been served)
            assertThat(score(sim, "p5-deadline")).isCloseTo(2 * 4 / 9.0 + 0.75 + 0.75 + common, EXACT);
            assertThat(score(sim, "p3-small")).isCloseTo(2 * 6 / 9.0 + (1 - 96 / 4096.0) + common, EXACT);
            assertThat(score(sim, "p0-big")).isCloseTo(2 + common, EXACT);
            assertThat(score(sim, "p9")).isCloseTo(0.5 + common, EXACT);
            List<String> byExplainedScore = List.of("p0-big", "p3-small", "p5-deadline", "p9").stream()
                    .sorted(Comparator.comparingDouble((String id) -> score(sim, id)).reversed()).toList();
            sim.pause(false);

            sim.runUntilAllFinished();

            assertThat(sim.dispatchOrder()).containsExactly("p5-deadline", "p3-small", "p0-big", "p9");
            assertThat(sim.dispatchOrder()).isEqualTo(byExplainedScore);
        }
    }

    @Test
    void explain_waitingTask_factorsMatchHandComputedValuesAndSumToTheScore() {
        try (SimHarness sim = SimHarness.of("weighted", PolicyConfig.of(Map.of("meta.vip", "3")), 1, SimHarness.ONE_AT_A_TIME)) {
            sim.pause(true);
            submit(sim, new TaskSpec("t", SimHarness.MODEL, "x", 3, null, "acme", null, at(30), 4, 96, Map.of("vip", "0.8")));
            sim.runUntil(seconds(15));

            ScoreBreakdown breakdown = sim.engine().send(new Command.Explain("t")).join().orElseThrow();

            // At 15 s: waited 15 of 60 s; priority 3; arrived 30 s before its deadline (half the
            // 60 s horizon); nobody served yet; 96 + 4 of 4,096 tokens; vip = 0.8 at weight 3.
            assertThat(breakdown.factors()).extracting(ScoreBreakdown.Factor::name)
                    .containsExactly("age", "priority", "deadline", "fairshare", "size", "meta.vip");
            assertFactor(breakdown, "age", 0.25, 1);
            assertFactor(breakdown, "priority", 6 / 9.0, 2);
            assertFactor(breakdown, "deadline", 0.5, 1);
            assertFactor(breakdown, "fairshare", 1, 1);
            assertFactor(breakdown, "size", 1 - 100 / 4096.0, 1);
            assertFactor(breakdown, "meta.vip", 0.8, 3);
            double sum = breakdown.factors().stream().mapToDouble(ScoreBreakdown.Factor::contribution).sum();
            assertThat(breakdown.score()).isCloseTo(sum, EXACT);
            assertThat(breakdown.score()).isCloseTo(0.25 + 12 / 9.0 + 0.5 + 1 + (1 - 100 / 4096.0) + 2.4, EXACT);
        }
    }

    @Test
    void explain_afterTwoTenantsWereServed_fairshareFollowsEveryTokenServed() {
        try (SimHarness sim = SimHarness.oneAtATime("weighted")) {
            submit(sim, tenant(spec("a0", 5, 100, 10), "a"));
            submit(sim, tenant(spec("b0", 5, 50, 5), "b"));
            sim.runUntilAllFinished();
            sim.pause(true);
            submit(sim, tenant(spec("a1", 5, 10, 2), "a"));
            submit(sim, tenant(spec("b1", 5, 10, 2), "b"));

            // Usage counts the prompt at dispatch and every generated token: a = 100 + 10 = 110,
            // b = 50 + 5 = 55, of 165. Factor 2^(-share × 2 tenants).
            assertThat(factor(sim, "a1", "fairshare")).isCloseTo(Math.pow(2, -2 * 110 / 165.0), EXACT);
            assertThat(factor(sim, "b1", "fairshare")).isCloseTo(Math.pow(2, -2 * 55 / 165.0), EXACT);
        }
    }

    @Test
    void dispatch_oneTenantAlreadyServed_otherTenantGoesFirstDespiteLowerPriority() {
        try (SimHarness sim = SimHarness.oneAtATime("weighted")) {
            submit(sim, tenant(spec("a0", 5, 100, 10), "a"));
            sim.runUntilAllFinished();
            sim.pause(true);
            submit(sim, tenant(spec("a1", 4, 100, 10), "a"));
            submit(sim, tenant(spec("b1", 5, 100, 10), "b"));

            // Tenant a has all the usage: share 1 of 1 tenant served, factor 2^-1 = 0.5; b has
            // none, factor 1. That 0.5 outweighs a1's one priority step (2/9 = 0.22).
            assertThat(factor(sim, "a1", "fairshare")).isCloseTo(0.5, EXACT);
            assertThat(factor(sim, "b1", "fairshare")).isCloseTo(1, EXACT);
            sim.pause(false);
            sim.runUntilAllFinished();

            assertThat(sim.dispatchOrder()).containsExactly("a0", "b1", "a1");
        }
    }

    @Test
    void dispatch_nobodyServedYet_higherPriorityTenantTaskFirst() {
        try (SimHarness sim = SimHarness.oneAtATime("weighted")) {
            sim.pause(true);
            submit(sim, tenant(spec("a1", 4, 100, 10), "a"));
            submit(sim, tenant(spec("b1", 5, 100, 10), "b"));
            sim.pause(false);

            sim.runUntilAllFinished();

            // The control for the test above: same two tasks, equal fair share (1): priority decides.
            assertThat(sim.dispatchOrder()).containsExactly("a1", "b1");
        }
    }

    @Test
    void dispatch_metadataFactorConfigured_weightTimesValueCappedAtOne() {
        PolicyConfig config = PolicyConfig.of(Map.of("meta.vip", "3"));
        try (SimHarness sim = SimHarness.of("weighted", config, 1, SimHarness.ONE_AT_A_TIME)) {
            sim.pause(true);
            submitWithVip(sim);
            sim.pause(false);

            sim.runUntilAllFinished();

            // plain: 2 (p0).  vip: 2×4/9 + 3×1 = 3.889.  big: vip = 7 is capped at 1, also 3.889,
            // submitted after vip.  half: 0.889 + 3×0.5 = 2.389.  junk: "high" is not a number,
            // factor 0: 0.889. (Size, age and fair share are the same for all five.)
            assertThat(sim.dispatchOrder()).containsExactly("vip", "big", "half", "plain", "junk");
        }
    }

    @Test
    void dispatch_metadataFactorNotConfigured_metadataIgnored() {
        try (SimHarness sim = SimHarness.oneAtATime("weighted")) {
            sim.pause(true);
            submitWithVip(sim);
            sim.pause(false);

            sim.runUntilAllFinished();

            // Without meta.vip in the config only priority differs: p0 first, then the p5 tasks
            // in submission order.
            assertThat(sim.dispatchOrder()).containsExactly("plain", "vip", "half", "junk", "big");
        }
    }

    @Test
    void dispatch_agePastTheCap_countsNoMoreSoPriorityDecidesAmongTheOld() {
        PolicyConfig config = PolicyConfig.of(Map.of("max_age_s", "10"));
        try (SimHarness sim = SimHarness.of("weighted", config, 1, SimHarness.ONE_AT_A_TIME)) {
            sim.pause(true);
            submit(sim, spec("old-p9", 9, 10, 2));          // t = 0
            sim.runUntil(seconds(10));
            submit(sim, spec("old-p8", 8, 10, 2));          // t = 10 s
            sim.runUntil(seconds(20));
            submit(sim, spec("new-p0", 0, 10, 2));          // t = 20 s
            submit(sim, spec("new-p1", 1, 10, 2));          // t = 20 s

            // At 20 s both old tasks have waited at least max_age (20 s and 10 s): age 1 each, not
            // 2 and 1. So old-p8 (2/9 + 1 = 1.22) beats old-p9 (0 + 1); uncapped, old-p9 would
            // have had 2. The new ones: new-p0 2 + 0 = 2 first; new-p1 2×8/9 = 1.78 second.
            assertThat(factor(sim, "old-p9", "age")).isCloseTo(1, EXACT);
            assertThat(factor(sim, "old-p8", "age")).isCloseTo(1, EXACT);
            sim.pause(false);
            sim.runUntilAllFinished();

            assertThat(sim.dispatchOrder()).containsExactly("new-p0", "new-p1", "old-p8", "old-p9");
        }
    }

    @Test
    void dispatch_lowPriorityTaskWaitingLong_overtakesANewerHigherPriorityOne() {
        try (SimHarness sim = SimHarness.oneAtATime("weighted")) {
            sim.pause(true);
            submit(sim, spec("old-p9", 9, 10, 2));          // t = 0
            sim.runUntil(seconds(50));
            submit(sim, spec("p5-at-50s", 5, 10, 2));       // t = 50 s
            sim.runUntil(seconds(54));
            submit(sim, spec("p5-at-54s", 5, 10, 2));       // t = 54 s
            sim.runUntil(seconds(60));
            sim.pause(false);

            sim.runUntilAllFinished();

            // At 60 s: old-p9 has age 60/60 = 1; the p5 tasks have 2×4/9 = 0.889 plus 10/60 =
            // 0.167 (1.056) and 6/60 = 0.1 (0.989). One priority-5 task waited long enough to stay
            // ahead, the other did not: the crossing is at 60 × (1 - 0.889) = 6.7 s of wait.
            assertThat(sim.dispatchOrder()).containsExactly("p5-at-50s", "old-p9", "p5-at-54s");
        }
    }

    @Test
    void explain_severalMetadataFactors_listedInKeyOrderEveryRun() {
        PolicyConfig config = PolicyConfig.of(Map.of("meta.zeta", "1", "meta.alpha", "1", "meta.mid", "1", "meta.beta", "1"));
        try (SimHarness sim = SimHarness.of("weighted", config, 1, SimHarness.ONE_AT_A_TIME)) {
            sim.pause(true);
            submit(sim, spec("t", 5, 10, 2));

            // The order must not depend on the JVM run (an unordered map would reshuffle it, and
            // with it the order the score is summed in): the keys' order, as the config holds them.
            assertThat(sim.engine().send(new Command.Explain("t")).join().orElseThrow().factors())
                    .extracting(ScoreBreakdown.Factor::name)
                    .containsExactly("age", "priority", "deadline", "fairshare", "size",
                            "meta.alpha", "meta.beta", "meta.mid", "meta.zeta");
        }
    }

    @Test
    void explain_deadlineCenturiesAgoOrAway_mostAndLeastUrgentDeadlineFactor() {
        try (SimHarness sim = SimHarness.oneAtATime("weighted")) {
            sim.pause(true);
            sim.runUntil(seconds(5)); // arrivals after 0, so arrival - deadline can overflow
            submit(sim, withDeadline(spec("long-missed", 5, 10, 2), Instant.parse("1000-01-01T00:00:00Z")));
            submit(sim, withDeadline(spec("some-day", 5, 10, 2), Instant.parse("9999-12-31T23:59:59Z")));

            // A deadline already missed has no slack: factor 1, like one due now. One beyond the
            // horizon: factor 0, like none.
            assertThat(factor(sim, "long-missed", "deadline")).isCloseTo(1, EXACT);
            assertThat(factor(sim, "some-day", "deadline")).isCloseTo(0, EXACT);
        }
    }

    @Test
    void explain_runningTaskOrNonScoringPolicy_empty() {
        try (SimHarness weighted = SimHarness.oneAtATime("weighted"); SimHarness priority = SimHarness.oneAtATime("priority")) {
            submit(weighted, spec("running", 5, 10, 20));
            priority.pause(true);
            submit(priority, spec("waiting", 5, 10, 20));

            assertThat(weighted.engine().send(new Command.Explain("running")).join()).isEmpty();
            assertThat(priority.engine().send(new Command.Explain("waiting")).join()).isEmpty();
        }
    }

    @Test
    void create_metadataWeightNotANumber_refusedWithTheParameterName() {
        assertThatThrownBy(() -> PolicyRegistry.create("weighted", PolicyConfig.of(Map.of("meta.vip", "lots"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("meta.vip");
    }

    private static void submitWithVip(SimHarness sim) {
        submit(sim, spec("plain", 0, 10, 2));
        submit(sim, meta(spec("vip", 5, 10, 2), "1"));
        submit(sim, meta(spec("half", 5, 10, 2), "0.5"));
        submit(sim, meta(spec("junk", 5, 10, 2), "high"));
        submit(sim, meta(spec("big", 5, 10, 2), "7"));
    }

    private static void assertFactor(ScoreBreakdown breakdown, String name, double value, double weight) {
        ScoreBreakdown.Factor factor = breakdown.factors().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
        assertThat(factor.value()).as(name).isCloseTo(value, EXACT);
        assertThat(factor.weight()).as(name).isCloseTo(weight, EXACT);
        assertThat(factor.contribution()).as(name).isCloseTo(value * weight, EXACT);
    }

    private static double score(SimHarness sim, String id) {
        return sim.engine().send(new Command.Explain(id)).join().orElseThrow().score();
    }

    private static double factor(SimHarness sim, String id, String name) {
        return sim.engine().send(new Command.Explain(id)).join().orElseThrow().factors().stream()
                .filter(f -> f.name().equals(name)).findFirst().orElseThrow().value();
    }

    private static void submit(SimHarness sim, TaskSpec spec) {
        sim.submit(spec, spec.maxTokens());
    }

    private static TaskSpec spec(String id, int priority, int promptTokens, int maxTokens) {
        return SimHarness.spec(id, priority, promptTokens, maxTokens);
    }

    private static TaskSpec tenant(TaskSpec spec, String tenant) {
        return spec.withTenant(tenant);
    }

    private static TaskSpec deadline(TaskSpec spec, double seconds) {
        return new TaskSpec(spec.taskId(), spec.model(), spec.input(), spec.priority(), null, spec.tenant(), null,
                at(seconds), spec.maxTokens(), spec.promptTokens(), spec.metadata());
    }

    private static TaskSpec withDeadline(TaskSpec spec, Instant deadline) {
        return new TaskSpec(spec.taskId(), spec.model(), spec.input(), spec.priority(), null, spec.tenant(), null,
                deadline, spec.maxTokens(), spec.promptTokens(), spec.metadata());
    }

    private static TaskSpec meta(TaskSpec spec, String vip) {
        return new TaskSpec(spec.taskId(), spec.model(), spec.input(), spec.priority(), null, spec.tenant(), null,
                spec.deadline(), spec.maxTokens(), spec.promptTokens(), Map.of("vip", vip));
    }

    private static Instant at(double seconds) {
        return VirtualClock.DEFAULT_ORIGIN.plusNanos(seconds(seconds));
    }

    private static long seconds(double s) {
        return Math.round(s * 1e9);
    }
}
