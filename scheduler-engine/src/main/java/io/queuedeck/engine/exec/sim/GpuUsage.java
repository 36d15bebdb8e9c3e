package io.queuedeck.engine.exec.sim;

/**
 * Work done by simulated instances, summed over them.
 *
 * @param busyNanos          time spent stepping: every completed step's duration
 * @param sequenceNanos      each completed step's duration times the sequences in it: over busy
 *                           time, the mean batch size
 * @param steps              steps completed
 * @param memoryPreemptions  tasks put back in the queue because the KV cache filled up (also
 *                           counted among the engine's preemptions)
 * @param recomputedTokens   tokens whose KV had been computed once, thrown away by a preemption
 *                           and computed again
 * @param interTokenNanos    gaps between consecutive tokens of one task (every such gap), as a
 *                           histogram with 1% wide buckets
 */
public record GpuUsage(long busyNanos, long sequenceNanos, long steps, long memoryPreemptions, long recomputedTokens,
                       org.HdrHistogram.Histogram interTokenNanos) {}
