package io.queuedeck.engine.exec.sim;

/**
 * A performance model of simulated GPU instances: what the simulator needs to build them and to
 * put its figures in proportion. {@link GpuProfile} is the simple model (a step prefills every
 * joining task whole and decodes at a flat cost); {@link VllmProfile} is vLLM V1's step model
 * with a token budget, chunked prefill, context-dependent attention and paged KV memory.
 */
public sealed interface GpuModel permits GpuProfile, VllmProfile {

    /** Most sequences in one step of one instance. */
    int maxBatch();

    /** KV-cache size of one instance, in tokens. */
    long kvCapacityTokens();

    /** Time to first token of a task alone on an idle instance, ns. */
    long idleTtftNanos(int promptTokens);

    /**
     * A lower bound on any task's arrival-to-last-token time under any schedule on these
     * instances, however lightly loaded: the sum of the shortest steps it could possibly take
     * part in (docs/policies.md proves it for each model).
     */
    default long lowerBoundNanos(int promptTokens, int outputTokens) {
        return lowerBound().nanos(promptTokens, outputTokens);
    }

    /** {@link #lowerBoundNanos} with its constants worked out once, for many tasks. */
    TaskBound lowerBound();

    /** A per-task lower bound on latency. */
    @FunctionalInterface
    interface TaskBound {
        long nanos(int promptTokens, int outputTokens);
    }

    /** Tasks per second that {@code instances} such GPUs serve when saturated with tasks of these mean lengths. */
    double capacityTasksPerSecond(double meanPrompt, double meanOutput, int instances);

    /** {@code count} instances serving {@code model}. */
    SimulatedGpus newExecutor(int count, String model);
}
