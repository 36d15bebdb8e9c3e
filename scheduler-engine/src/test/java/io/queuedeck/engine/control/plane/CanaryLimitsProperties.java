package io.queuedeck.engine.control.plane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ConfigService;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Canaries with tier limits of their own started, promoted and rolled back at random under load,
 * on a virtual clock (decision 0081): every accepted task reaches exactly one final state, once;
 * no refused task appears; nothing is left waiting or running.
 */
class CanaryLimitsProperties {
    private static final String STABLE = "policy: {name: priority}\ntiers:\n  core: {max_queue: {tasks: 40}}\n";
    /** Candidates that hold canary tasks to other queue limits, TTLs, timeout actions and degrade actions. */
    private static final List<String> CANDIDATES = List.of(
            "policy: {name: priority}\ntiers:\n  core: {max_queue: {tasks: 3}, queue_ttl: 1s}\n",
            "policy: {name: priority}\ntiers:\n  core: {max_queue: {tasks: 5}, queue_ttl: 2s, timeout_action: demote}\n"
                    + "  normal: {queue_ttl: 3s}\n",
            "policy: {name: priority}\ntiers:\n  core: {max_queue: {tasks: 2}, degrade: park}\n",
            "policy: {name: fifo}\ntiers:\n  core: {max_queue: {tasks: 4}, degrade: spill}\n  batch: {queue_ttl: 1s}\n",
            STABLE);

    sealed interface Step {}

    /** {@code count} tasks at once, of tenant "c" (the canary's while one runs) or "s". */
    record Submit(boolean canary, int priority, int count) implements Step {}

    record Advance(int millis) implements Step {}

    record Start(int candidate) implements Step {}

    record Promote() implements Step {}

    record Rollback() implements Step {}

    record Pause(boolean pause) implements Step {}

    @Provide
    Arbitrary<List<Step>> scenarios() {
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(10, net.jqwik.api.Combinators.combine(Arbitraries.of(true, false),
                        Arbitraries.of(0, 1, 1, 2, 2, 4, 8), Arbitraries.integers().between(1, 6)).as(Submit::new)),
                net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(1, 4_000).map(ms -> (Step) new Advance(ms))),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, CANDIDATES.size() - 1).map(c -> (Step) new Start(c))),
                net.jqwik.api.Tuple.of(1, Arbitraries.just((Step) new Promote())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just((Step) new Rollback())),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(true, false).map(p -> (Step) new Pause(p))));
        // each scenario opens with a canary, so most of them put canary tasks under a candidate's limits
        return startThen(Arbitraries.integers().between(0, CANDIDATES.size() - 2), step.list().ofMinSize(10)
                .ofMaxSize(100));
    }

    private static Arbitrary<List<Step>> startThen(Arbitrary<Integer> candidate, Arbitrary<List<Step>> rest) {
        return net.jqwik.api.Combinators.combine(candidate, rest).as((c, steps) -> {
            List<Step> all = new java.util.ArrayList<>();
            all.add(new Start(c));
            all.addAll(steps);
            return all;
        });
    }

    @Property(tries = 60)
    void acceptedTasksEndExactlyOnce_acrossCanaryStartsPromotesAndRollbacks(@ForAll("scenarios") List<Step> steps) {
        VirtualClock clock = new VirtualClock();
        ServeConfig running = TestConfigs.parse(STABLE);
        ReleaseClassifier classifier = new ReleaseClassifier(running.priorityRules());
        try (Engine engine = Engine.builder().clock(clock)
                .executor(new SimulatedGpuExecutor(2, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(2)))
                .policy("priority").flow(running.flow()).classifier(classifier).build()) {
            CompletionOutbox completions = engine.completions();
            engine.start();
            ConfigPlane plane = new ConfigPlane(engine, classifier, running, STABLE, "q.yaml", Path.of("."),
                    Map.<String, String>of()::get, "priority");
            Set<String> accepted = new HashSet<>();
            Set<String> refused = new HashSet<>();
            Map<String, Integer> ended = new HashMap<>();
            int next = 0;
            for (Step step : steps) {
                switch (step) {
                    case Submit s -> {
                        for (int k = 0; k < s.count(); k++) {
                            String id = "t" + next++;
                            try {
                                engine.send(new Command.Submit(new TaskSpec(id, "m", "hi", s.priority(), null,
                                        s.canary() ? "c" : "s", "chat", null, 256, 16, null), 256)).join();
                                accepted.add(id);
                            } catch (CompletionException e) {
                                refused.add(id);
                            }
                        }
                    }
                    case Advance a -> clock.runUntil(clock.nanos() + a.millis() * 1_000_000L);
                    case Start s -> {
                        try {
                            plane.startCanary(new ConfigService.CanaryRequest(TextNode.valueOf(CANDIDATES.get(s.candidate())),
                                    "tenant", null, List.of("c"), null), "test");
                        } catch (ConfigService.Refused e) {
                            // one runs already, or (after a promote) the candidate is the running config
                            assertThat(e.status() == 409 || e.status() == 400 && e.getMessage().contains("it is the running config"))
                                    .as(e.getMessage()).isTrue();
                        }
                    }
                    case Promote p -> {
                        if (((CanaryControl.Status) plane.canary()).running()) {
                            plane.promoteCanary("test");
                        }
                    }
                    case Rollback r -> {
                        if (((CanaryControl.Status) plane.canary()).running()) {
                            plane.rollbackCanary("test");
                        }
                    }
                    case Pause p -> engine.send(new Command.PauseDispatch(p.pause())).join();
                }
                completions.drain(10_000, v -> {
                    ended.merge(v.id(), 1, Integer::sum);
                    plane.finished(v);
                });
            }
            engine.send(new Command.PauseDispatch(false)).join();
            clock.runUntilIdle();
            completions.drain(100_000, (TaskView v) -> ended.merge(v.id(), 1, Integer::sum));

            assertThat(ended.keySet()).isEqualTo(accepted); // none lost, none refused yet finished
            assertThat(ended.values()).allMatch(n -> n == 1); // none finished twice
            for (String id : accepted) {
                assertThat(engine.send(new Command.FindTask(id)).join()).hasValueSatisfying(
                        v -> assertThat(v.state().isFinal()).isTrue());
            }
            EngineSnapshot end = engine.send(new Command.TakeSnapshot()).join();
            assertThat(end.queued()).isZero();
            assertThat(end.running()).isZero();
            assertThat(refused).noneMatch(ended::containsKey); // either set may be empty in a scenario
            // the scenarios reach what is tested: canary tasks shed, and timed out or demoted, by a candidate's limits
            boolean shed = end.flow().releases().stream().anyMatch(r -> r.release().equals("canary") && r.shed() > 0);
            boolean timedOut = end.flow().releases().stream()
                    .anyMatch(r -> r.release().equals("canary") && r.timedOut() + r.demoted() > 0);
            Statistics.label("canary task shed").collect(shed);
            Statistics.label("canary task timed out or demoted").collect(timedOut);
            Statistics.label("canary task shed").coverage(c -> c.check(true).percentage(p -> p >= 5));
            Statistics.label("canary task timed out or demoted").coverage(c -> c.check(true).percentage(p -> p >= 5));
        }
    }
}
