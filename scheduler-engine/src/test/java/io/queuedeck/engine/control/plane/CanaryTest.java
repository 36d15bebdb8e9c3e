package io.queuedeck.engine.control.plane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ConfigService;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.control.CanarySplit;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.control.RuleSet;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Canary releases on a virtual clock: routing, promote, rollback, and automatic rollback of a worse candidate. */
class CanaryTest {
    /** Running config: every task without a priority is urgent. */
    private static final String STABLE = "policy: {name: priority}\npriority_rules:\n  - {name: urgent, priority: 1}\n";
    /** A candidate that makes every task least urgent: its tasks wait behind stable's. */
    private static final String WORSE = "policy: {name: priority}\npriority_rules:\n  - {name: relaxed, priority: 9}\n";

    private VirtualClock clock;
    private Engine engine;
    private CompletionOutbox completions;
    private ConfigPlane plane;
    private int next;

    @BeforeEach
    void start() {
        clock = new VirtualClock();
        ReleaseClassifier classifier = new ReleaseClassifier(TestConfigs.parse(STABLE).priorityRules());
        engine = Engine.builder().clock(clock)
                .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(1)))
                .policy("priority").classifier(classifier).build();
        completions = engine.completions();
        engine.start();
        plane = new ConfigPlane(engine, classifier, TestConfigs.parse(STABLE), STABLE, "q.yaml", Path.of("."),
                Map.<String, String>of()::get, "priority");
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private TaskSpec submit() {
        String id = "t" + next++;
        engine.send(new Command.Submit(new TaskSpec(id, "m", "hi", null, null, null, "chat", null, 32, 16, null))).join();
        return engine.send(new Command.FindTask(id)).join().orElseThrow().spec();
    }

    private static ConfigService.CanaryRequest request(String config, double fraction, ConfigService.AutoRollback auto) {
        return new ConfigService.CanaryRequest(TextNode.valueOf(config), null, fraction, null, auto);
    }

    @Test
    void routedFraction_withinStatisticalTolerance_andStablePerTaskId() {
        CanarySplit split = CanarySplit.byTaskId(0.1);
        int n = 20_000;
        int canary = 0;
        for (int i = 0; i < n; i++) {
            TaskSpec spec = TaskSpec.of("m", "x", 5, 1).withTaskId("task-" + i);
            boolean routed = split.routesToCanary(spec);
            assertThat(split.routesToCanary(spec)).isEqualTo(routed); // the same id, the same side
            canary += routed ? 1 : 0;
        }
        // 0.1 ± 5 standard deviations of a binomial share (sd = sqrt(0.1 * 0.9 / n) ≈ 0.0021)
        assertThat(canary / (double) n).isBetween(0.1 - 0.0106, 0.1 + 0.0106);
        // a different split of the same ids routes the same ids again: stable across processes, not random
        assertThat(CanarySplit.byTaskId(0.1).routesToCanary(TaskSpec.of("m", "x", 5, 1).withTaskId("task-7")))
                .isEqualTo(split.routesToCanary(TaskSpec.of("m", "x", 5, 1).withTaskId("task-7")));
    }

    @Test
    void byLabel_routesThoseTenantsOnly() {
        CanarySplit split = new CanarySplit("tenant", 0, Set.of("acme"));
        assertThat(split.routesToCanary(TaskSpec.of("m", "x", 5, 1).withTenant("acme"))).isTrue();
        assertThat(split.routesToCanary(TaskSpec.of("m", "x", 5, 1).withTenant("globex"))).isFalse();
        assertThat(split.routesToCanary(TaskSpec.of("m", "x", 5, 1))).isFalse(); // no tenant: stable
        assertThat(new CanarySplit("business_class", 0, Set.of("chat")).routesToCanary(TaskSpec.of("m", "x", 5, 1))).isFalse();
        assertThatThrownBy(() -> new CanarySplit("colour", 0.1, null)).hasMessageContaining("by must be task_id");
        assertThatThrownBy(() -> new CanarySplit("tenant", 0, Set.of(""))).hasMessageContaining("values must not be empty, null");
        assertThatThrownBy(() -> new CanarySplit("tenant", 0, Set.of("a b!"))) // routes nothing: no task carries it
                .hasMessageContaining("values must be tenant names a task can carry: 'a b!' may contain only ASCII letters");
        assertThat(new CanarySplit("business_class", 0, Set.of("a b!")).values()).as("other labels are free text").hasSize(1);
        assertThatThrownBy(() -> new CanarySplit("tenant", 0, java.util.Collections.singleton(null)))
                .hasMessageContaining("values must not be empty, null"); // a 500 from a NullPointerException
        assertThatThrownBy(() -> new CanarySplit("tenant", 0, Set.of("ac\u0000me"))).hasMessageContaining("control characters");
        assertThatThrownBy(() -> new CanarySplit(CanarySplit.TASK_ID, 0.5, Set.of("acme"))) // ignored unsaid
                .hasMessageContaining("by task_id takes a fraction");
    }

    /** Why: a canary of the running config itself was accepted and promoted, changing nothing, unsaid. */
    @Test
    void aCandidateThatIsTheRunningConfig_isRefused() {
        String running = plane.current().text();
        assertThatThrownBy(() -> plane.startCanary(request(running, 0.5, null), "test"))
                .isInstanceOfSatisfying(ConfigService.Refused.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.problems().getFirst()).contains("it is the running config (version 1)");
                });
        assertThat(((CanaryControl.Status) plane.canary()).running()).isFalse();
    }

    @Test
    void canaryTasks_recordTheirRelease_promoteMakesTheCandidateRun() {
        plane.startCanary(request(WORSE, 0.5, null), "test");
        int canary = 0;
        for (int i = 0; i < 200; i++) {
            TaskSpec spec = submit();
            boolean isCanary = spec.classification().release().equals("canary");
            canary += isCanary ? 1 : 0;
            assertThat(spec.priority()).isEqualTo(isCanary ? 9 : 1);
            assertThat(spec.classification().rule()).isEqualTo(isCanary ? "relaxed" : "urgent");
        }
        assertThat(canary).isBetween(60, 140);

        ConfigPlane.Status promoted = (ConfigPlane.Status) plane.promoteCanary("test").status();
        assertThat(promoted.version()).isEqualTo(2);
        assertThat(plane.current().source()).isEqualTo("test (canary promoted)");
        assertThat(plane.current().label()).as("what the promotion changed").contains("priority_rules");
        TaskSpec after = submit();
        assertThat(after.classification().release()).isEqualTo("stable");
        assertThat(after.priority()).isEqualTo(9);
        assertThat(((CanaryControl.Status) plane.canary()).lastEnded().outcome()).isEqualTo("promoted");
        assertThatThrownBy(() -> plane.promoteCanary("test")).isInstanceOfSatisfying(ConfigService.Refused.class,
                e -> assertThat(e.status()).isEqualTo(409));
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999h", "9999999999999999999ms", "25h", "999ms", "0s", "soon"})
    void autoRollbackWindow_outsideOneSecondToADay_isRefusedOnItsField(String window) {
        assertThatThrownBy(() -> plane.startCanary(request(WORSE, 0.5, new ConfigService.AutoRollback(0.2, window, 10)), "test"))
                .isInstanceOfSatisfying(ConfigService.Refused.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).startsWith("auto_rollback.window must be");
                });
        plane.startCanary(request(WORSE, 0.5, null), "test"); // nothing was started: no canary_running
    }

    @Test
    void rollback_endsTheCanary_newTasksAreStableByTheRunningRules() {
        plane.startCanary(request(WORSE, 0.5, null), "test");
        assertThatThrownBy(() -> plane.startCanary(request(WORSE, 0.5, null), "test"))
                .isInstanceOfSatisfying(ConfigService.Refused.class, e -> assertThat(e.code()).isEqualTo("canary_running"));
        plane.rollbackCanary("POST /v1/canary/rollback by admin");
        for (int i = 0; i < 50; i++) {
            TaskSpec spec = submit();
            assertThat(spec.classification().release()).isEqualTo("stable");
            assertThat(spec.priority()).isEqualTo(1);
        }
        CanaryControl.Status status = (CanaryControl.Status) plane.canary();
        assertThat(status.running()).isFalse();
        assertThat(status.lastEnded().outcome()).isEqualTo("rolled_back");
        assertThat(plane.status().version()).isEqualTo(1);
    }

    @Test
    void aChangeRefusedBecauseACanaryRan_isNoLongerTheLastErrorOnceTheCanaryEnds() {
        plane.startCanary(request(WORSE, 0.5, null), "test");
        assertThatThrownBy(() -> plane.apply(STABLE + "# changed\n", "PUT /v1/config by admin"))
                .isInstanceOfSatisfying(ConfigService.Refused.class, e -> assertThat(e.code()).isEqualTo("canary_running"));
        assertThat(plane.lastError().problems()).singleElement().satisfies(p -> assertThat(p)
                .matches("a canary runs \\(since \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\): promote it or roll it back first.*"));

        plane.rollbackCanary("POST /v1/canary/rollback by admin");

        // it still said "a canary runs" under "Canary rolled back", with a nanosecond timestamp
        assertThat(plane.lastError()).isNull();
        assertThat(plane.status().lastError()).isNull();
    }

    @Test
    void candidateChangingSharedTierSettings_orANonReloadableSection_isRefused() {
        assertThatThrownBy(() -> plane.startCanary(request(STABLE + "tiers: {batch: {max_concurrency: 1, share: 2}}\n", 0.1,
                null), "test")).isInstanceOfSatisfying(ConfigService.Refused.class, e -> assertThat(e.problems()).containsExactly(
                        "canary config: tiers.batch.max_concurrency must be the running 0, got 1: a tier's slots are one"
                                + " capacity shared by both releases' tasks; change it with PUT /v1/config, for all traffic"
                                + " (decision 0081)",
                        "canary config: tiers.batch.share must be the running 0.0, got 2.0: a tier's slots are one"
                                + " capacity shared by both releases' tasks; change it with PUT /v1/config, for all traffic"
                                + " (decision 0081)"));
        assertThatThrownBy(() -> plane.startCanary(request(STABLE + "tenants: {weights: {acme: 2}}\n", 0.1, null), "test"))
                .isInstanceOfSatisfying(ConfigService.Refused.class, e -> assertThat(e.problems().getFirst())
                        .startsWith("canary config: tenants.weights must be the running ones {}, got {acme=2.0}"));
        assertThatThrownBy(() -> plane.startCanary(request(STABLE + "server: {port: 1}\n", 0.1, null), "test"))
                .isInstanceOfSatisfying(ConfigService.Refused.class, e -> assertThat(e.problems().getFirst())
                        .contains("server.port cannot change while the engine runs"));
        assertThatThrownBy(() -> plane.startCanary(request(STABLE, 1.5, null), "test"))
                .isInstanceOfSatisfying(ConfigService.Refused.class, e -> assertThat(e.problems().getFirst())
                        .contains("fraction must be above 0 and below 1"));
        assertThat(((CanaryControl.Status) plane.canary()).running()).isFalse();
    }

    // ---------------------------------------------------------------- a canary with a policy of its own

    /** Stable orders by arrival (fifo); the candidate by priority, for the tenant "c" only. */
    private static final String FIFO = "policy: {name: fifo}\n";
    private static final String BY_PRIORITY = "policy: {name: priority}\n";

    private ConfigPlane fifoPlane() {
        engine.close();
        clock = new VirtualClock();
        ReleaseClassifier classifier = new ReleaseClassifier(RuleSet.NONE);
        engine = Engine.builder().clock(clock)
                .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(1)))
                .policy("fifo").classifier(classifier).build();
        completions = engine.completions();
        engine.start();
        return new ConfigPlane(engine, classifier, TestConfigs.parse(FIFO), FIFO, "q.yaml", Path.of("."),
                Map.<String, String>of()::get, "fifo");
    }

    private static ConfigService.CanaryRequest forTenantC(String config, ConfigService.AutoRollback auto) {
        return new ConfigService.CanaryRequest(TextNode.valueOf(config), "tenant", null, List.of("c"), auto);
    }

    /** Explicit priorities 9, 2, 7, 0, 5, ...; tenant "c" for every other task; equal lengths. */
    private void submitMixed(int count) {
        for (int i = 0; i < count; i++) {
            String id = String.format("m%02d", i);
            engine.send(new Command.Submit(new TaskSpec(id, "m", "hi", (9 - i * 7 % 10 + 10) % 10, null,
                    i % 2 == 0 ? "c" : "s", null, null, 32, 16, null), 8)).join();
        }
    }

    private List<TaskView> finishedInOrder() {
        clock.runUntilIdle();
        List<TaskView> done = new java.util.ArrayList<>();
        completions.drain(10_000, done::add);
        return done;
    }

    private static List<Integer> priorities(List<TaskView> views, boolean canary) {
        return views.stream().filter(v -> v.spec().classification().release().equals(canary ? "canary" : "stable"))
                .map(TaskView::priority).toList();
    }

    private static List<String> ids(List<TaskView> views, boolean canary) {
        return views.stream().filter(v -> v.spec().classification().release().equals(canary ? "canary" : "stable"))
                .map(TaskView::id).toList();
    }

    /**
     * The candidate's policy orders the canary's tasks in their own queue (most urgent first)
     * while stable's keep arriving order; dispatches alternate as the two received equal shares.
     */
    @Test
    void canaryWithAnotherPolicy_ordersItsTasksByIt_inItsOwnQueue_sharingSlotsByItsFraction() {
        plane = fifoPlane();
        plane.startCanary(forTenantC(BY_PRIORITY, null), "test");
        engine.send(new Command.PauseDispatch(true)).join();
        submitMixed(20);
        engine.send(new Command.PauseDispatch(false)).join();
        List<TaskView> done = finishedInOrder();

        assertThat(done).hasSize(20);
        assertThat(priorities(done, true)).hasSize(10).isSorted(); // the candidate's order: priority
        assertThat(ids(done, false)).hasSize(10).isSorted(); // stable's: arrival
        assertThat(priorities(done, false)).isNotEqualTo(priorities(done, false).stream().sorted().toList());
        long canaryInFirstHalf = done.subList(0, 10).stream()
                .filter(v -> v.spec().classification().release().equals("canary")).count();
        assertThat(canaryInFirstHalf).isBetween(4L, 6L); // half the tasks, half the dispatches
    }

    @Test
    void promotedCanaryPolicy_becomesTheRunningPolicy_forEveryWaitingTask() {
        plane = fifoPlane();
        plane.startCanary(forTenantC(BY_PRIORITY, null), "test");
        engine.send(new Command.PauseDispatch(true)).join();
        submitMixed(20);
        plane.promoteCanary("test");
        assertThat(engine.send(new Command.TakeSnapshot()).join().policy()).isEqualTo("priority");
        engine.send(new Command.PauseDispatch(false)).join();
        List<TaskView> done = finishedInOrder();

        assertThat(done.stream().map(TaskView::priority).toList()).hasSize(20).isSorted(); // one queue, by priority
        assertThat(plane.status().version()).isEqualTo(2);
    }

    @Test
    void rolledBackCanaryPolicy_restoresTheRunningOrder_forItsWaitingTasks() {
        plane = fifoPlane();
        plane.startCanary(forTenantC(BY_PRIORITY, null), "test");
        engine.send(new Command.PauseDispatch(true)).join();
        submitMixed(20);
        plane.rollbackCanary("test");
        engine.send(new Command.PauseDispatch(false)).join();
        List<TaskView> done = finishedInOrder();

        assertThat(done.stream().map(TaskView::id).toList()).hasSize(20).isSorted(); // one queue, by arrival again
        assertThat(engine.send(new Command.TakeSnapshot()).join().policy()).isEqualTo("fifo");
        assertThat(plane.status().version()).isEqualTo(1);
    }

    /**
     * A canary with its own policy whose tenant's tasks run four times longer (a stand-in for a
     * change that slows them): its p99 is far above stable's, the first judged window rolls it back,
     * and its waiting tasks go on under the running policy.
     */
    @Test
    void degradedCanaryWithAnotherPolicy_isRolledBackAutomatically() {
        plane = fifoPlane();
        plane.startCanary(forTenantC(BY_PRIORITY, new ConfigService.AutoRollback(0.2, "30s", 10)), "test");
        long end = clock.nanos() + 20 * 30_000_000_000L;
        int i = 0;
        while (clock.nanos() < end && ((CanaryControl.Status) plane.canary()).running()) {
            boolean canary = i % 2 == 0;
            engine.send(new Command.Submit(new TaskSpec("d" + i++, "m", "hi", 5, null, canary ? "c" : "s", "chat", null,
                    256, 16, null), canary ? 128 : 32)).join();
            clock.runUntil(clock.nanos() + 1_500_000_000L);
            completions.drain(1_000, plane::finished);
        }
        CanaryControl.Status status = (CanaryControl.Status) plane.canary();
        assertThat(status.running()).isFalse();
        assertThat(status.lastEnded().reason()).startsWith("automatic rollback: canary p99 end-to-end latency");
        clock.runUntilIdle();
        assertThat(engine.send(new Command.TakeSnapshot()).join().queued()).isZero(); // nothing lost in the merge
    }

    /**
     * One GPU, one task at a time, tasks arriving a little faster than it serves them: the
     * canary's tasks (priority 9) wait behind stable's (priority 1), so its p99 latency is far
     * above stable's and the first judged window rolls it back, with the reason recorded.
     */
    @Test
    void degradedCanary_isRolledBackAutomatically_withTheReason() {
        submit();
        clock.runUntilIdle();
        long[] service = new long[1];
        completions.drain(10, v -> service[0] = v.finishedAt() - v.arrivedAt());
        assertThat(service[0]).isPositive();

        plane.startCanary(request(WORSE, 0.5, new ConfigService.AutoRollback(0.2, "30s", 10)), "test");
        long interval = service[0] * 9 / 10;
        long end = clock.nanos() + 20 * 30_000_000_000L;
        while (clock.nanos() < end && ((CanaryControl.Status) plane.canary()).running()) {
            submit();
            clock.runUntil(clock.nanos() + interval);
            completions.drain(1_000, plane::finished);
        }
        CanaryControl.Status status = (CanaryControl.Status) plane.canary();
        assertThat(status.running()).isFalse();
        assertThat(status.lastEnded().outcome()).isEqualTo("rolled_back");
        assertThat(status.lastEnded().reason()).startsWith("automatic rollback: canary p99 end-to-end latency");
        assertThat(submit().classification().release()).isEqualTo("stable");
    }

    @Test
    void equalCanary_isNotRolledBack() {
        plane.startCanary(request(STABLE.replace("urgent", "urgent-too"), 0.5,
                new ConfigService.AutoRollback(0.5, "30s", 5)), "test");
        long end = clock.nanos() + 5 * 30_000_000_000L;
        while (clock.nanos() < end) {
            submit();
            clock.runUntil(clock.nanos() + 1_000_000_000L); // light load: no queue, both alike
            completions.drain(1_000, plane::finished);
        }
        CanaryControl.Status status = (CanaryControl.Status) plane.canary();
        assertThat(status.running()).isTrue();
        assertThat(status.comparison().judgement()).startsWith("canary within 50% of stable");
        assertThat(status.comparison().canary().finished()).isPositive();
        assertThat(status.comparison().stable().latencyMs()).containsKey("chat");
    }
}
