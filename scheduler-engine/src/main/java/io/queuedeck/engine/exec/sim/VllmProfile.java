package io.queuedeck.engine.exec.sim;

/**
 * vLLM V1's step model over a {@link StepCost} profile: each step schedules at most
 * {@code maxNumSeqs} sequences and {@code maxNumBatchedTokens} tokens, decode tokens first, then
 * prefill chunks in the remaining budget; KV memory is paged in blocks of
 * {@code cost.blockSize()} tokens, allocated as tokens are computed, and a full cache preempts a
 * running task (recompute).
 *
 * @param cost                the step-cost profile (model on GPU)
 * @param maxNumSeqs          most sequences on an instance (vLLM {@code max_num_seqs})
 * @param maxNumBatchedTokens token budget of one step (vLLM {@code max_num_batched_tokens})
 * @param chunkedPrefill      whether a prompt may be split over steps; without it a prompt is
 *                            prefilled whole in one step, alone if it is larger than the budget
 * @param chunkOrder          who gets the budget left after decoding first
 * @param kvCapacityTokens    KV-cache size in tokens
 * @param urgentPriority      tasks of this priority or a more urgent one are the urgent class: one
 *                            that finds no instance with room preempts less urgent running tasks
 *                            (recompute) to be admitted; -1: no urgent class (vLLM's FCFS admission)
 * @param bulkChunkTokens     with an urgent class, most prefill tokens that tasks outside it get in
 *                            one step on an instance while an urgent prompt is being prefilled
 *                            there (-1: no cap), so that the urgent prompt's steps stay short
 */
public record VllmProfile(StepCost cost, int maxNumSeqs, int maxNumBatchedTokens, boolean chunkedPrefill,
                          ChunkOrder chunkOrder, long kvCapacityTokens, int urgentPriority, int bulkChunkTokens)
        implements GpuModel {

    /** Who gets a step's prefill budget, and which task a full KV cache preempts. */
    public enum ChunkOrder {
        /** The scheduling policy's order: its most urgent task is prefilled first and preempted last. */
        POLICY,
        /** vLLM V1's: the order tasks were admitted to the instance; the last admitted is preempted first. */
        ADMISSION
    }

    /** The shipped profile of {@code gpu} ("h100", "a100") with vLLM's defaults for that GPU. */
    public static VllmProfile defaults(String gpu) {
        return of(StepCost.shipped(gpu));
    }

    /** vLLM's defaults as the profile file states them; chunked prefill on, chunks in policy order. */
    public static VllmProfile of(StepCost cost) {
        return new VllmProfile(cost, cost.maxNumSeqs(), cost.maxNumBatchedTokens(), true, ChunkOrder.POLICY,
                cost.kvCapacityTokens(), -1, -1);
    }

    public VllmProfile {
        if (maxNumSeqs < 1) throw new IllegalArgumentException("max_num_seqs must be at least 1, got " + maxNumSeqs);
        if (maxNumBatchedTokens < 1) throw new IllegalArgumentException("max_num_batched_tokens must be at least 1, got " + maxNumBatchedTokens);
        if (kvCapacityTokens < cost.blockSize()) throw new IllegalArgumentException("KV capacity must hold a block, got " + kvCapacityTokens);
        java.util.Objects.requireNonNull(chunkOrder, "chunkOrder");
        if (urgentPriority < -1 || urgentPriority > io.queuedeck.engine.task.TaskSpec.MAX_PRIORITY) {
            throw new IllegalArgumentException("urgent priority must be -1 (none) to "
                    + io.queuedeck.engine.task.TaskSpec.MAX_PRIORITY + ", got " + urgentPriority);
        }
        if (bulkChunkTokens < -1) throw new IllegalArgumentException("bulk chunk tokens must be -1 (no cap) or more, got " + bulkChunkTokens);
        if (bulkChunkTokens >= 0 && urgentPriority < 0) {
            throw new IllegalArgumentException("a bulk chunk cap needs an urgent class (urgent priority)");
        }
    }

    /**
     * With an urgent class: tasks of priority {@code priority} or more urgent preempt less urgent
     * ones for room, and the others prefill at most {@code bulkChunkTokens} per step while an
     * urgent prompt is prefilled (-1: no cap).
     */
    public VllmProfile withUrgentClass(int priority, int bulkChunkTokens) {
        return new VllmProfile(cost, maxNumSeqs, maxNumBatchedTokens, chunkedPrefill, chunkOrder, kvCapacityTokens,
                priority, bulkChunkTokens);
    }

    /** Whether {@code priority} is in the urgent class. */
    boolean urgent(int priority) {
        return priority <= urgentPriority;
    }

    public VllmProfile withMaxNumSeqs(int seqs) {
        return new VllmProfile(cost, seqs, maxNumBatchedTokens, chunkedPrefill, chunkOrder, kvCapacityTokens,
                urgentPriority, bulkChunkTokens);
    }

    public VllmProfile withMaxNumBatchedTokens(int tokens) {
        return new VllmProfile(cost, maxNumSeqs, tokens, chunkedPrefill, chunkOrder, kvCapacityTokens,
                urgentPriority, bulkChunkTokens);
    }

    public VllmProfile withChunkedPrefill(boolean on) {
        return new VllmProfile(cost, maxNumSeqs, maxNumBatchedTokens, on, chunkOrder, kvCapacityTokens,
                urgentPriority, bulkChunkTokens);
    }

    public VllmProfile withChunkOrder(ChunkOrder order) {
        return new VllmProfile(cost, maxNumSeqs, maxNumBatchedTokens, chunkedPrefill, order, kvCapacityTokens,
                urgentPriority, bulkChunkTokens);
    }

    public VllmProfile withKvCapacityTokens(long tokens) {
        return new VllmProfile(cost, maxNumSeqs, maxNumBatchedTokens, chunkedPrefill, chunkOrder, tokens,
                urgentPriority, bulkChunkTokens);
    }

    /** KV blocks of one instance. */
    public long kvBlocks() {
        return kvCapacityTokens / cost.blockSize();
    }

    @Override
    public int maxBatch() {
        return maxNumSeqs;
    }

    /** The budget a task alone gets for its prompt: all of it without chunking. */
    private int budgetFor(int prompt) {
        return chunkedPrefill ? maxNumBatchedTokens : Math.max(maxNumBatchedTokens, prompt);
    }

    @Override
    public long idleTtftNanos(int promptTokens) {
        return Math.round(cost.idlePrefillMillis(Math.max(1, promptTokens), budgetFor(promptTokens)) * 1e6);
    }

    /**
     * The shortest steps a task can take part in: its prompt needs at least
     * {@code ceil(P / budget)} steps, each costing the CPU overhead and at least the cheapest
     * linear time per token times its tokens (the profile's lower envelope), plus the attention
     * of its own chunks (whose FLOPs sum to the same {@code P²/2} whatever the split); then
     * {@code output − 1} decode steps, each at least one token's linear time, the overhead and
     * the attention over its own context. Other tasks in a step only add to it.
     */
    @Override
    public TaskBound lowerBound() {
        int budget = maxNumBatchedTokens;
        double floor = envelope(1);
        double perTokenAtBudget = Double.POSITIVE_INFINITY;
        for (int n = 1; n <= budget; n++) { // every n: a sampled minimum could be too high to be a bound
            perTokenAtBudget = Math.min(perTokenAtBudget, envelope(n) / n);
        }
        int[] points = cost.linearTokens();
        double[] ms = cost.linearMs();
        int k = points.length - 1;
        double lastSlope = Math.max(0, (ms[k] - ms[k - 1]) / (points[k] - points[k - 1]));
        // without chunking a prompt over the budget runs in one step of its own size, where the
        // cost per token falls towards the curve's last slope
        double perToken = Math.min(perTokenAtBudget, envelope(budget) / budget);
        double perTokenUnchunked = Math.min(perToken, lastSlope);
        double attentionFlopRate = cost.attentionTflops() * 1e12;
        double cpu = cost.cpuOverheadMs();
        return (promptTokens, outputTokens) -> {
            long p = Math.max(1, promptTokens);
            int taskBudget = chunkedPrefill ? budget : Math.max(budget, promptTokens);
            long steps = (p + taskBudget - 1) / taskBudget;
            double rate = promptTokens > budget && !chunkedPrefill ? perTokenUnchunked : perToken;
            double flops = 4.0 * cost.layers() * cost.hidden() * p * (double) p / 2;
            double prefill = Math.max(p * rate, steps * floor) + steps * cpu + flops / attentionFlopRate * 1e3;
            long decodes = Math.max(0, outputTokens - 1);
            double contextSum = decodes * (double) p + decodes * (decodes + 1) / 2.0;
            double decode = decodes * (floor + cpu) + cost.decodeAttentionMillis(Math.round(contextSum));
            return (long) Math.floor((prefill + decode) * 1e6);
        };
    }

    /** The largest nondecreasing function below the linear curve: min over m >= n of linear(m). */
    double envelope(long n) {
        int[] tokens = cost.linearTokens();
        double min = cost.linearMillis(n);
        for (int t : tokens) {
            if (t > n) {
                min = Math.min(min, cost.linearMillis(t));
            }
        }
        return min;
    }

    /**
     * Saturated throughput for tasks of these mean lengths: each step fills its token budget
     * (decodes of up to {@code maxNumSeqs} or what the KV cache holds of average tasks, the rest
     * prefill), so a task costs its tokens' share of a full step's time.
     */
    @Override
    public double capacityTasksPerSecond(double meanPrompt, double meanOutput, int instances) {
        if (!(meanPrompt >= 0 && meanOutput > 0) || instances < 1) {
            throw new IllegalArgumentException("need mean prompt >= 0, mean output > 0 and at least one instance, got "
                    + meanPrompt + ", " + meanOutput + ", " + instances);
        }
        double resident = meanPrompt + meanOutput / 2; // mean context of a running task
        int seqs = (int) Math.max(1, Math.min(maxNumSeqs, kvCapacityTokens / (meanPrompt + meanOutput)));
        // In steady state a step decodes `seqs` sequences; the prefill share per step is
        // seqs / meanOutput tasks' prompts (one task finishes every meanOutput / seqs steps).
        double prefillPerStep = seqs / meanOutput * meanPrompt;
        double tokens = seqs + prefillPerStep;
        double stepsPerBudget = Math.max(1, tokens / maxNumBatchedTokens);
        double stepMs = cost.linearMillis(Math.round(Math.min(tokens, maxNumBatchedTokens))) * stepsPerBudget
                + cost.decodeAttentionMillis(Math.round(seqs * resident))
                + cost.prefillAttentionMillis(Math.round(prefillPerStep), 0)
                + cost.cpuOverheadMs() * stepsPerBudget;
        double tasksPerStep = seqs / meanOutput;
        return instances * tasksPerStep / (stepMs / 1e3);
    }

    @Override
    public SimulatedGpus newExecutor(int count, String model) {
        return new VllmGpuExecutor(count, model, this);
    }
}
