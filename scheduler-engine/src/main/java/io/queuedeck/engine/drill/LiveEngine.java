package io.queuedeck.engine.drill;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * "The running engine" as a drill's target: an engine already started on the real clock (the
 * console's, or one {@code drill --realtime} starts) and the fault catalogue that serves it, whose
 * kill switch the drill pulls on abort. The drill's own load, steps, probes and stop conditions run
 * as on the virtual clock; its {@code target} cluster settings are the engine's own and are not
 * applied.
 *
 * @param settleLimit how long, after the drill, its accepted tasks have to reach a final state
 *                    before the unfinished count as lost
 */
public record LiveEngine(Engine engine, FaultCatalogue faults, Duration settleLimit) {
    public LiveEngine {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(faults, "faults");
        if (settleLimit == null || settleLimit.isNegative() || settleLimit.isZero()) {
            throw new IllegalArgumentException("settleLimit must be positive, got " + settleLimit);
        }
    }

    /** With ten minutes for the drill's tasks to finish after it. */
    public LiveEngine(Engine engine, FaultCatalogue faults) {
        this(engine, faults, Duration.ofMinutes(10));
    }

    /**
     * Why {@code drill} cannot run against this engine now, if it cannot: a probe only the virtual
     * clock can measure (the drill's own callback receiver), a load of the simulated model that no
     * instance serves (real backends), or a stop condition the engine already breaks (it would abort
     * in its first second). Asks the engine's loop: not on its thread.
     */
    public Optional<String> refusal(Drill drill) {
        List<String> unmeasurable = drill.probes().stream()
                .filter(p -> p.metric() == Drill.Metric.CALLBACKS_LOST || p.metric() == Drill.Metric.CALLBACKS_DUPLICATED)
                .map(p -> p.metric().wireName()).distinct().toList();
        if (!unmeasurable.isEmpty()) {
            return Optional.of("its probes " + String.join(", ", unmeasurable) + " count callbacks at a receiver of"
                    + " the drill's own, on the virtual clock; a running engine posts its callbacks to its clients'"
                    + " URLs, so they could not be measured");
        }
        EngineSnapshot now = engine.send(new Command.TakeSnapshot()).join();
        List<String> served = now.instances().stream().map(i -> i.model()).distinct().sorted().toList();
        if (!served.contains(Engine.Builder.DEFAULT_MODEL)) { // every task would be refused at admission, its faults too
            return Optional.of("its load asks for " + Engine.Builder.DEFAULT_MODEL + ", the simulated GPUs' model, and this"
                    + " engine's instances serve " + String.join(", ", served) + " (real inference servers): a drill of"
                    + " real servers is a file with target.backends, run with `drill FILE --realtime`");
        }
        return Optional.ofNullable(StopChecks.brokenBeforeStart(drill, now))
                .map(broken -> "the engine breaks a stop condition already (" + broken + "): it would abort in its first second");
    }
}
