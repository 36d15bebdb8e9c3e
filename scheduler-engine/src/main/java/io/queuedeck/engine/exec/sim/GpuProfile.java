package io.queuedeck.engine.exec.sim;

/**
 * Performance model of one GPU instance serving one model.
 *
 * <p>Defaults: a 7B model (Llama-2-7B) on one H100 80 GB, from the Vidur simulator's profiles
 * (Agrawal et al., "Vidur: A Large-Scale Simulation Framework for LLM Inference", MLSys 2024):
 * a decode step of about 5.6 ms at batch 1 and prefill of about 47,000 tokens/s. Decode is
 * memory-bound at small batches, so the step time stays flat up to {@code flatBatch} sequences
 * and grows linearly after it; with the defaults a full batch of 32 takes 7.4 ms a step. The KV
 * cache holds about 120,000 tokens: 80 GB less 14 GB of fp16 weights and activation space, at
 * 0.5 MB per token (2 × 32 layers × 4,096 dims × 2 bytes).
 *
 * @param maxBatch             most sequences in one batch
 * @param kvCapacityTokens     KV-cache size in tokens
 * @param prefillTokensPerSec  prefill throughput
 * @param decodeStepMillis     decode step time at batch 1 (and up to {@code flatBatch})
 * @param flatBatch            batch size up to which decode is memory-bound (flat)
 * @param decodeSlopeMillis    added step time per sequence beyond {@code flatBatch}
 * @param modelLoadMillis      time to reload the model after a crash
 *
 * <p>This is the simple model: no token budget, no chunking, attention free of context, KV
 * reserved whole on joining. The engine's own tests use it (their timings are easy to state);
 * {@code simulate} uses {@link VllmProfile} unless told {@code --step-model simple}.
 */
public record GpuProfile(int maxBatch, long kvCapacityTokens, double prefillTokensPerSec, double decodeStepMillis,
                         int flatBatch, double decodeSlopeMillis, long modelLoadMillis) implements GpuModel {

    public static final GpuProfile LLAMA2_7B_H100 = new GpuProfile(32, 120_000, 47_000, 5.6, 16, 0.11, 15_000);

    public GpuProfile {
        if (maxBatch < 1) throw new IllegalArgumentException("max batch must be at least 1, got " + maxBatch);
        if (kvCapacityTokens < 1) throw new IllegalArgumentException("KV capacity must be positive, got " + kvCapacityTokens);
        if (!(prefillTokensPerSec > 0)) throw new IllegalArgumentException("prefill rate must be positive, got " + prefillTokensPerSec);
        if (!(decodeStepMillis > 0)) throw new IllegalArgumentException("decode step must be positive, got " + decodeStepMillis);
        if (flatBatch < 1) throw new IllegalArgumentException("flat batch must be at least 1, got " + flatBatch);
        if (decodeSlopeMillis < 0) throw new IllegalArgumentException("decode slope must not be negative, got " + decodeSlopeMillis);
        if (modelLoadMillis < 0) throw new IllegalArgumentException("model load time must not be negative, got " + modelLoadMillis);
    }

    public GpuProfile withMaxBatch(int batch) {
        return new GpuProfile(batch, kvCapacityTokens, prefillTokensPerSec, decodeStepMillis, flatBatch,
                decodeSlopeMillis, modelLoadMillis);
    }

    /** Decode step time for {@code batch} sequences, in nanoseconds. */
    public long decodeStepNanos(int batch) {
        double millis = decodeStepMillis + decodeSlopeMillis * Math.max(0, batch - flatBatch);
        return Math.round(millis * 1e6);
    }

    /** Prefill time for {@code tokens} tokens, in nanoseconds. */
    public long prefillNanos(long tokens) {
        return Math.round(tokens * 1e9 / prefillTokensPerSec);
    }

    /**
     * Tasks per second that {@code instances} such GPUs serve when saturated, for tasks of
     * {@code meanPrompt} prompt and {@code meanOutput} output tokens on average: each task costs
     * its prefill (which stalls its batch) plus its share of full-batch decode steps. The batch is
     * the maximum, or what the KV cache holds of average tasks if that is less. The simulator's
     * {@code --load} divides by this, for synthetic workloads and trace replays alike.
     */
    public double capacityTasksPerSecond(double meanPrompt, double meanOutput, int instances) {
        if (!(meanPrompt >= 0 && meanOutput > 0) || instances < 1) {
            throw new IllegalArgumentException("need mean prompt >= 0, mean output > 0 and at least one instance, got "
                    + meanPrompt + ", " + meanOutput + ", " + instances);
        }
        double perTask = meanPrompt + meanOutput;
        int batch = (int) Math.max(1, Math.min(maxBatch, kvCapacityTokens / perTask));
        double seconds = prefillNanos(Math.round(meanPrompt)) / 1e9 + meanOutput * decodeStepNanos(batch) / 1e9 / batch;
        return instances / seconds;
    }

    /** Alone on an idle instance, the first token comes after one step: prefill plus a decode pass. */
    @Override
    public long idleTtftNanos(int promptTokens) {
        return prefillNanos(promptTokens) + decodeStepNanos(1);
    }

    /**
     * A task's steps are at least its own prefill plus one decode pass at batch 1 per token:
     * other tasks only lengthen a step (decode time never falls with the batch, and a prefill
     * adds its tokens' time).
     */
    @Override
    public TaskBound lowerBound() {
        long decode = decodeStepNanos(1);
        return (prompt, output) -> prefillNanos(prompt) + (long) Math.max(1, output) * decode;
    }

    @Override
    public SimulatedGpus newExecutor(int count, String model) {
        return new SimulatedGpuExecutor(count, model, this);
    }
}
