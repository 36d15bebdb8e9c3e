package io.queuedeck.engine.exec.sim;

import io.queuedeck.engine.exec.Executor;

/** Simulated GPU instances: an executor that also reports the work it did. */
public interface SimulatedGpus extends Executor {

    /** Work done so far, summed over instances. Loop thread. */
    GpuUsage usage();
}
