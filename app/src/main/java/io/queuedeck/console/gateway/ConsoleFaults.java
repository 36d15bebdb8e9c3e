package io.queuedeck.console.gateway;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultClock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The console's one fault catalogue, shared by the Drills screen and the console's REST API, so
 * that the kill switch disarms injection everywhere in this process. Its timers run on their own
 * daemon thread, never the loop's or the FX thread (the catalogue waits for the engine's answers).
 */
public final class ConsoleFaults {
    private ConsoleFaults() {}

    /**
     * @param backends the real inference servers the engine runs on, for http faults; null on simulated GPUs
     * @param baseRate the demo load's tasks/s, which a {@code burst factor=N} multiplies (0: no load, and a burst needs a rate)
     */
    public static FaultCatalogue start(Engine engine, io.queuedeck.engine.exec.openai.OpenAiExecutor backends,
                                       java.util.function.DoubleSupplier baseRate) {
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("queuedeck-fault-timers").factory());
        FaultCatalogue faults = new FaultCatalogue(engine, FaultClock.live(timers, engine.clock()::nanos), baseRate);
        if (backends != null) { // as serve has them: an http fault was refused with "this engine has no real backends"
            faults.registerBackends(backends.faults());
        }
        return faults;
    }
}
