package io.queuedeck.engine.drill;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.fault.FaultCatalogue;
import java.time.Duration;
import java.util.Objects;

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
}
