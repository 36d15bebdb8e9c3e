package io.queuedeck.console.gateway;

import io.queuedeck.engine.metrics.LatencyMetrics;
import java.time.Instant;

/**
 * Latency of one engine snapshot interval.
 *
 * @param at     when the interval ended
 * @param recent queue wait, time to first token and end-to-end latency in that interval
 */
public record LatencySample(Instant at, LatencyMetrics.Stats recent) {}
