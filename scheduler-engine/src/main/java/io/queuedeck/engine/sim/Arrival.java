package io.queuedeck.engine.sim;

import io.queuedeck.engine.task.TaskSpec;

/**
 * One task of a workload: when it arrives and how long its answer really is.
 *
 * @param atNanos      arrival time on the simulation clock
 * @param spec         what is submitted
 * @param outputTokens tokens it will generate (the truth a clairvoyant oracle may know)
 */
public record Arrival(long atNanos, TaskSpec spec, int outputTokens) {}
