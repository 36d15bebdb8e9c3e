package io.queuedeck.engine.sim;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * What one policy achieved on one workload. Latencies in milliseconds of simulated time.
 *
 * @param policy          policy name
 * @param tasks           tasks completed
 * @param throughputTps   tasks completed per simulated second, first arrival to last completion
 * @param makespanS       first arrival to last completion, simulated seconds
 * @param latencyMeanMs   end-to-end latency (arrival to last token)
 * @param ttftMeanMs      time to first token
 * @param queueWaitMeanMs time spent waiting for a GPU (queued or preempted)
 * @param preemptions     times a running task gave up its slot
 * @param byPriority      the same figures per priority class
 * @param wallMillis      real time the simulation took (not part of the deterministic output)
 * @param events          discrete events processed (not part of the deterministic output)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"policy", "tasks", "throughput_tps", "makespan_s", "latency_mean_ms", "latency_p50_ms",
        "latency_p99_ms", "ttft_mean_ms", "ttft_p99_ms", "queue_wait_mean_ms", "queue_wait_p99_ms", "preemptions",
        "by_priority"})
public record PolicyResult(String policy, long tasks, double throughputTps, double makespanS, double latencyMeanMs,
                           double latencyP50Ms, double latencyP99Ms, double ttftMeanMs, double ttftP99Ms,
                           double queueWaitMeanMs, double queueWaitP99Ms, long preemptions,
                           Map<String, ClassResult> byPriority,
                           @JsonIgnore long wallMillis, @JsonIgnore long events) {

    /** The figures of one priority class. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonPropertyOrder({"tasks", "latency_mean_ms", "latency_p50_ms", "latency_p99_ms", "ttft_mean_ms", "ttft_p99_ms",
            "queue_wait_mean_ms"})
    public record ClassResult(long tasks, double latencyMeanMs, double latencyP50Ms, double latencyP99Ms,
                              double ttftMeanMs, double ttftP99Ms, double queueWaitMeanMs) {}
}
