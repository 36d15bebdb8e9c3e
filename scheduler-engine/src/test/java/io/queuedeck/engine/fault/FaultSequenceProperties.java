package io.queuedeck.engine.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.ProgressWatchdog;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Random sequences of faults and clears on a loaded simulated cluster never lose an accepted task
 * and never complete one twice: once the faults are over, every task reaches exactly one final state.
 */
class FaultSequenceProperties {
    private static final long SECOND = 1_000_000_000L;
    private static final List<FaultKind> KINDS = List.of(FaultKind.CRASH, FaultKind.HANG, FaultKind.SLOW, FaultKind.FLAP,
            FaultKind.KV_EXHAUSTION, FaultKind.OOM, FaultKind.POISON, FaultKind.PREEMPTION_STORM);

    /** One action: inject {@code kind} on {@code instance} (or clear one, when kind is null), then let {@code gapMs} pass. */
    record Action(FaultKind kind, int instance, int gapMs, int clearIndex) {}

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<FaultKind> kind = Arbitraries.of(KINDS).injectNull(0.3);
        return Combinators.combine(kind, Arbitraries.integers().between(0, 2), Arbitraries.integers().between(50, 8_000),
                Arbitraries.integers().between(0, 5)).as(Action::new).list().ofMinSize(1).ofMaxSize(12);
    }

    @Property(tries = 25)
    void randomFaultsAndClears_neverLoseOrDuplicateACompletedTask(@ForAll("actions") List<Action> actions) {
        VirtualClock clock = new VirtualClock();
        SimulatedGpuExecutor gpus = new SimulatedGpuExecutor(3, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(8));
        Engine engine = Engine.builder().clock(clock).executor(new ProgressWatchdog(gpus, Duration.ofSeconds(5), i -> {}))
                .policy("priority").policyConfig(io.queuedeck.engine.policy.PolicyConfig.of(Map.of("preemptive", "true")))
                .build();
        CompletionOutbox outbox = engine.completions();
        engine.start();
        FaultCatalogue faults = new FaultCatalogue(engine, FaultClock.of(clock), () -> 5);
        long[] n = {0};
        Runnable[] arrive = new Runnable[1];
        boolean[] arriving = {true};
        arrive[0] = () -> { // a steady 8 tasks a second of mixed priority
            if (!arriving[0]) {
                return;
            }
            long i = ++n[0];
            engine.send(new Command.Submit(new TaskSpec("t" + i, "m", "", (int) (i % 10), null, null, null, null,
                    (int) (20 + i % 200), (int) (50 + i * 37 % 3000), null))).join();
            clock.scheduleAfter(SECOND / 8, arrive[0]);
        };
        clock.schedule(0, arrive[0]);
        List<String> injected = new java.util.ArrayList<>();
        for (Action action : actions) {
            if (action.kind() == null) {
                if (!injected.isEmpty()) {
                    faults.clear(injected.get(action.clearIndex() % injected.size()));
                }
            } else {
                BlastRadius radius = action.kind().onInstances() ? BlastRadius.instance(action.instance()) : BlastRadius.NODE;
                injected.add(faults.inject(new FaultSpec(action.kind(), radius)).id());
            }
            clock.runUntil(clock.nanos() + action.gapMs() * 1_000_000L);
        }
        faults.clearAll();
        arriving[0] = false;
        Map<String, Integer> finals = new HashMap<>();
        Set<String> succeeded = new HashSet<>();
        Map<String, Integer> completions = new HashMap<>();
        long settleBy = clock.nanos() + 3_600 * SECOND;
        while (engine.send(new Command.CountActive()).join() > 0 && clock.nanos() < settleBy) {
            clock.runUntil(clock.nanos() + SECOND);
        }
        outbox.drain(Integer.MAX_VALUE, (TaskView view) -> {
            finals.merge(view.id(), 1, Integer::sum);
            if (view.state() == TaskState.SUCCEEDED) {
                succeeded.add(view.id());
                completions.merge(view.id(), 1, Integer::sum);
            }
        });
        long accepted = engine.send(new Command.TakeSnapshot()).join().counters().submitted();

        assertThat(engine.send(new Command.CountActive()).join()).as("tasks still active an hour after the faults").isZero();
        assertThat(finals).as("one final state per accepted task").hasSize((int) accepted);
        assertThat(finals.values()).allMatch(count -> count == 1);
        assertThat(completions.values()).allMatch(count -> count == 1);
        engine.close();
    }
}
