package io.queuedeck.engine.sim;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one policy achieved on one workload. Latencies in milliseconds of simulated time. In JSON
 * the {@code all} figures appear inline, so a report is one flat object per policy with
 * {@code by_priority} and {@code by_tenant} holding the same figures per class.
 *
 * @param policy                 policy name
 * @param all                    the figures over every completed task
 * @param rejected               arrivals the engine refused (a model not served, a task larger than any KV cache)
 * @param throughputTps          tasks completed per simulated second, first arrival to last completion
 * @param makespanS              first arrival to last completion, simulated seconds
 * @param preemptions            times a running task gave up its slot
 * @param gpuUtilization         GPU time spent stepping over instances × makespan, 0 to 1
 * @param slotUtilization        batch slots in use over all slots, time-weighted over the makespan, 0 to 1
 * @param fairnessMaxServiceGap  worst gap in service between backlogged tenants, in fair shares
 *                               (see docs/simulator.md); 0 without tenants or contention
 * @param oracleRatio            this policy's mean latency over the srpt-oracle's on the same run;
 *                               null when the oracle was not run
 * @param lab                    the research figures: lower bound, goodput, inter-token latency,
 *                               Jain's index, memory preemptions (docs/simulator.md)
 * @param byPriority             the figures per priority class (as submitted)
 * @param byTenant               the figures per tenant; empty when no task has a tenant
 * @param latencyQuantilesMs     end-to-end latency at quantiles 0, 0.001, …, 1 (for CDF charts; not in reports)
 * @param wallMillis             real time the simulation took (not part of the deterministic output)
 * @param events                 discrete events processed (not part of the deterministic output)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"policy", "all", "rejected", "throughput_tps", "makespan_s", "preemptions", "gpu_utilization",
        "slot_utilization", "fairness_max_service_gap", "oracle_ratio", "by_priority", "by_tenant"})
public record PolicyResult(String policy, @JsonUnwrapped Figures all, long rejected, double throughputTps,
                           double makespanS, long preemptions, double gpuUtilization, double slotUtilization,
                           double fairnessMaxServiceGap,
                           Double oracleRatio, @JsonUnwrapped Lab lab, Map<String, Figures> byPriority, Map<String, Figures> byTenant,
                           @JsonIgnore List<Double> latencyQuantilesMs,
                           @JsonIgnore long wallMillis, @JsonIgnore long events) {

    /** The policy whose mean latency the others are measured against. */
    public static final String ORACLE = "srpt-oracle";

    public PolicyResult {
        // Copies that keep the callers' order: classes print in the order they were added.
        byPriority = Collections.unmodifiableMap(new LinkedHashMap<>(byPriority));
        byTenant = Collections.unmodifiableMap(new LinkedHashMap<>(byTenant));
        latencyQuantilesMs = List.copyOf(latencyQuantilesMs);
    }

    /**
     * The figures of one class of tasks (all of them, a priority class or a tenant).
     *
     * @param tasks            tasks completed
     * @param latencyMeanMs    end-to-end latency: arrival to last token
     * @param ttftMeanMs       time to first token, from arrival
 * @param ttftIdleP99Ms    p99 of the same tasks' TTFT alone on an idle instance (prefill plus one
 *                         decode step): the baseline of the priority-isolation bar
     * @param queueWaitMeanMs  time without a GPU: queued, preempted or waiting to retry
     * @param maxWaitMs        the longest total wait of any task (starvation)
     * @param deadlineMissRate tasks with a deadline that finished after it, over tasks with a deadline; 0 when none has one
     * @param sloMetShare      tasks that met their class's TTFT and TPOT objectives (goodput), over tasks
     * @param ttftSloMissShare tasks whose TTFT missed their class's objective, over tasks
     * @param tpotSloMissShare tasks whose time per output token missed their class's objective, over tasks
     *                         (a task may miss both: the two shares and the met share need not sum to 1)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonPropertyOrder({"tasks", "latency_mean_ms", "latency_p50_ms", "latency_p90_ms", "latency_p99_ms",
            "latency_max_ms", "ttft_mean_ms", "ttft_p50_ms", "ttft_p99_ms", "ttft_idle_p99_ms", "queue_wait_mean_ms", "queue_wait_p99_ms",
            "max_wait_ms", "deadline_miss_rate", "slo_met_share", "ttft_slo_miss_share", "tpot_slo_miss_share"})
    public record Figures(long tasks, double latencyMeanMs, double latencyP50Ms, double latencyP90Ms,
                          double latencyP99Ms, double latencyMaxMs, double ttftMeanMs, double ttftP50Ms,
                          double ttftP99Ms, double ttftIdleP99Ms, double queueWaitMeanMs, double queueWaitP99Ms, double maxWaitMs,
                          double deadlineMissRate, double sloMetShare, double ttftSloMissShare, double tpotSloMissShare) {}

    /**
     * Run-wide figures for comparing schedulers.
     *
     * @param lowerBoundMeanMs  mean over the completed tasks of a bound no schedule can beat on
     *                          this workload and these GPUs (GpuModel#lowerBoundNanos; proof in
     *                          docs/policies.md)
     * @param lowerBoundRatio   mean latency over that bound (at least 1)
     * @param goodputTps        tasks per simulated second that met their class's TTFT and TPOT objectives
     * @param goodputShare      those tasks over all completed tasks
     * @param itlP50Ms          median gap between consecutive tokens of a task
     * @param itlP99Ms          99th percentile of those gaps
     * @param tpotMeanMs        mean time per output token after the first, over tasks with two or more
     * @param jainIndex         Jain's index over tenants of 1 / mean slowdown (latency over the
     *                          task's bound): 1 when every tenant is slowed alike; 1 without tenants
     * @param memoryPreemptions preemptions because the KV cache was full (included in preemptions)
     * @param recomputedTokens  tokens computed again after a preemption threw their KV away
     * @param steps             GPU steps, over all instances
     * @param timerEvents       timers the virtual clock fired (arrivals, GPU steps, policy ticks):
     *                          the discrete events proper, without per-token arithmetic
     * @param predictorTau      Kendall's tau between predicted and true output lengths of the
     *                          completed tasks, when the policy used a predictor; null otherwise
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Lab(double lowerBoundMeanMs, double lowerBoundRatio, double goodputTps, double goodputShare,
                      double itlP50Ms, double itlP99Ms, double tpotMeanMs, double jainIndex, long memoryPreemptions,
                      long recomputedTokens, long steps, long timerEvents, Double predictorTau) {

        /** No figures (an empty run). */
        public static final Lab NONE = new Lab(0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, null);

        public Lab withPredictorTau(Double tau) {
            return new Lab(lowerBoundMeanMs, lowerBoundRatio, goodputTps, goodputShare, itlP50Ms, itlP99Ms, tpotMeanMs,
                    jainIndex, memoryPreemptions, recomputedTokens, steps, timerEvents, tau);
        }

        public Lab withTimerEvents(long timers) {
            return new Lab(lowerBoundMeanMs, lowerBoundRatio, goodputTps, goodputShare, itlP50Ms, itlP99Ms, tpotMeanMs,
                    jainIndex, memoryPreemptions, recomputedTokens, steps, timers, predictorTau);
        }
    }

    /** This result with other research figures. */
    public PolicyResult withLab(Lab value) {
        return new PolicyResult(policy, all, rejected, throughputTps, makespanS, preemptions, gpuUtilization,
                slotUtilization, fairnessMaxServiceGap, oracleRatio, value, byPriority, byTenant, latencyQuantilesMs,
                wallMillis, events);
    }

    /** This result with {@code ratio} as its oracle ratio. */
    public PolicyResult withOracleRatio(Double ratio) {
        return new PolicyResult(policy, all, rejected, throughputTps, makespanS, preemptions, gpuUtilization,
                slotUtilization, fairnessMaxServiceGap, ratio, lab, byPriority, byTenant, latencyQuantilesMs, wallMillis, events);
    }

    /**
     * Sets every result's {@code oracle_ratio} to its mean latency over the {@value #ORACLE}'s,
     * when the oracle is among {@code results} (and finished any task); otherwise leaves them null.
     */
    public static List<PolicyResult> compareToOracle(List<PolicyResult> results) {
        PolicyResult oracle = results.stream().filter(r -> r.policy.equals(ORACLE)).findFirst().orElse(null);
        if (oracle == null || !(oracle.all.latencyMeanMs() > 0)) {
            return List.copyOf(results);
        }
        List<PolicyResult> compared = new ArrayList<>(results.size());
        for (PolicyResult r : results) {
            double ratio = r.all.latencyMeanMs() / oracle.all.latencyMeanMs();
            compared.add(r.withOracleRatio(Math.round(ratio * 1000) / 1000.0));
        }
        return compared;
    }
}
