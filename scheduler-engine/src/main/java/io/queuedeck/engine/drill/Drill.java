package io.queuedeck.engine.drill;

import io.queuedeck.engine.fault.FaultSpec;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A game day as data, read from a drill file (docs/faults.md): what is tested and why, on which
 * system, what must hold (probes), what is done (steps), when to give up (stop conditions) and how
 * long recovery may take.
 *
 * @param name           short name, for reports
 * @param description    what the drill does
 * @param hypothesis     what should hold while it does
 * @param target         the simulated system it runs on
 * @param steadyState    how long the system runs before the first step (the "before" probes' window)
 * @param recoveryWindow how long after the last fault the system may take to come back
 * @param observe        how long the "after" probes watch once the recovery window has passed
 * @param probes         what must hold, and when
 * @param stopConditions when to abort and clear every fault
 * @param steps          what is done, in order
 */
public record Drill(String name, String description, String hypothesis, Target target, Duration steadyState,
                    Duration recoveryWindow, Duration observe, List<Probe> probes, List<StopCondition> stopConditions,
                    List<Step> steps) {

    public Drill {
        Objects.requireNonNull(name, "name");
        probes = List.copyOf(probes);
        stopConditions = List.copyOf(stopConditions);
        steps = List.copyOf(steps);
    }

    /**
     * The simulated cluster a drill runs on.
     *
     * @param gpus             simulated H100s
     * @param maxBatch         sequences per batch
     * @param policy           scheduling policy and its parameters
     * @param load             arrival rate as a fraction of the cluster's capacity (0 for none)
     * @param seed             the workload's random seed
     * @param watchdog         progress watchdog timeout; null for no watchdog
     * @param maxAttempts      attempts per task (1: no retries)
     * @param inversion        inversion protocol: none, inheritance or ceiling
     * @param store            none (in memory), or embedded: a fresh embedded store in a temporary
     *                         directory, which {@code store_full} faults can fail
     * @param callbacks        every task carries a callback to a real receiver, posted by the shipped
     *                         dispatcher with these settings; null: no callbacks
     * @param flow             {@code target.tiers}, as the config's {@code tiers} section: the tier table
     *                         (probes name its tiers) and limits; null: the default tiers, no limits
     * @param backends         real OpenAI-compatible servers in place of the simulated GPUs, each behind
     *                         a fault proxy (real clock only); null: the simulated cluster
     */
    public record Target(int gpus, int maxBatch, String policy, Map<String, String> policyParameters, double load,
                         long seed, Duration watchdog, int maxAttempts, String inversion, String store, Callbacks callbacks,
                         io.queuedeck.engine.tier.FlowSettings flow, Backends backends) {
        public Target {
            policyParameters = policyParameters == null ? Map.of() : Map.copyOf(policyParameters);
            store = store == null ? "none" : store;
            flow = flow == null ? io.queuedeck.engine.tier.FlowSettings.NONE : flow;
        }

        /** On the simulated cluster. */
        public Target(int gpus, int maxBatch, String policy, Map<String, String> policyParameters, double load,
                      long seed, Duration watchdog, int maxAttempts, String inversion, String store, Callbacks callbacks,
                      io.queuedeck.engine.tier.FlowSettings flow) {
            this(gpus, maxBatch, policy, policyParameters, load, seed, watchdog, maxAttempts, inversion, store, callbacks,
                    flow, null);
        }

        /** On the default tiers without limits. */
        public Target(int gpus, int maxBatch, String policy, Map<String, String> policyParameters, double load,
                      long seed, Duration watchdog, int maxAttempts, String inversion, String store, Callbacks callbacks) {
            this(gpus, maxBatch, policy, policyParameters, load, seed, watchdog, maxAttempts, inversion, store, callbacks, null);
        }

        /** The tier table the drill's engine runs and its probes name. */
        public io.queuedeck.engine.tier.Tiers tiers() {
            return flow.table();
        }

        /** Without callbacks. */
        public Target(int gpus, int maxBatch, String policy, Map<String, String> policyParameters, double load,
                      long seed, Duration watchdog, int maxAttempts, String inversion, String store) {
            this(gpus, maxBatch, policy, policyParameters, load, seed, watchdog, maxAttempts, inversion, store, null);
        }

        /** In memory. */
        public Target(int gpus, int maxBatch, String policy, Map<String, String> policyParameters, double load,
                      long seed, Duration watchdog, int maxAttempts, String inversion) {
            this(gpus, maxBatch, policy, policyParameters, load, seed, watchdog, maxAttempts, inversion, "none");
        }
    }

    /**
     * The callback dispatcher's settings in a drill ({@code target.callbacks}), as in {@code serve}'s
     * {@code callbacks} section.
     *
     * @param maxAttempts attempts per callback, the first included
     * @param baseDelay   backoff before the second attempt, doubling after
     * @param maxDelay    the backoff's cap
     */
    public record Callbacks(int maxAttempts, Duration baseDelay, Duration maxDelay) {}

    /**
     * Real OpenAI-compatible servers as a drill's target ({@code target.backends}): each is reached
     * through its own {@link io.queuedeck.engine.fault.TcpFaultProxy}, which {@code network} faults on
     * {@code backend:NAME} set (latency, 5xx and 429 answers, resets, stalled streams).
     *
     * @param servers           name → base URL, in the file's order
     * @param capacity          tasks a second the servers together complete: {@code load} is a fraction of it
     * @param slots             concurrent requests per server
     * @param firstTokenTimeout how long a request may wait for its first token (ends a stalled stream)
     */
    public record Backends(Map<String, String> servers, double capacity, int slots, Duration firstTokenTimeout) {
        public Backends {
            servers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(servers));
        }
    }

    /** When a probe looks: before the first step, while faults act, after recovery, or the whole run in 30-s windows. */
    public enum Mode {
        BEFORE, DURING, AFTER, CONTINUOUS;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a probe or stop condition measures over a window. */
    public enum Metric {
        /** 99th percentile of queue wait of the tasks that started in the window, ms. */
        QUEUE_WAIT_P99_MS,
        /** 99th percentile of time to first token of the tasks that produced it in the window, ms. */
        TTFT_P99_MS,
        /** The longest time to first token of the tasks that arrived in the window, ms: what a p99 hides. */
        TTFT_MAX_MS,
        /** Dead-lettered over finished tasks in the window. */
        ERROR_RATE,
        /** Tasks dead-lettered in the window. */
        DEAD_LETTERS,
        /** Most tasks waiting at any second of the window. */
        QUEUE_DEPTH,
        /** Tasks completed per second over the window. */
        THROUGHPUT_TPS,
        /** Submissions the engine refused in the window (a full store answers 503; a full queue 429). */
        REFUSED,
        /** Tasks accepted that never reached a final state (the whole run). */
        TASKS_LOST,
        /** Tasks completed more than once (the whole run). */
        TASKS_COMPLETED_TWICE,
        /** Finished tasks whose callback never reached the receiver by the end of the run (needs {@code target.callbacks}). */
        CALLBACKS_LOST,
        /** Tasks whose callback reached the receiver more than once (needs {@code target.callbacks}). */
        CALLBACKS_DUPLICATED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Measured on the whole run at its end, whatever the mode. */
        public boolean wholeRun() {
            return this == TASKS_LOST || this == TASKS_COMPLETED_TWICE || this == CALLBACKS_LOST
                    || this == CALLBACKS_DUPLICATED;
        }

        /**
         * A value taken from samples (tasks of the window, or its seconds): a window without one
         * measured nothing, which is no pass. A count (dead letters, completions) of none is a
         * measurement: zero.
         */
        public boolean needsSamples() {
            return this == QUEUE_WAIT_P99_MS || this == TTFT_P99_MS || this == TTFT_MAX_MS || this == ERROR_RATE
                    || this == QUEUE_DEPTH || this == REFUSED;
        }
    }

    /**
     * One thing that must hold.
     *
     * @param priority only tasks of this priority (null: any)
     * @param tier     only tasks of this tier of the target's table (null: any)
     * @param max      the measured value must be at most this (null: no upper bound)
     * @param min      the measured value must be at least this (null: no lower bound)
     * @param weight   its share of the resilience score
     */
    public record Probe(String name, Metric metric, Integer priority, String tier, Double max, Double min, Mode mode,
                        double weight) {}

    /**
     * Abort the drill (and clear every fault) when {@code metric} over the last {@code window}
     * passes {@code above}.
     */
    public record StopCondition(Metric metric, Integer priority, String tier, double above, Duration window) {}

    /** One step: injecting, waiting, clearing, changing load, submitting, or a parallel block. */
    public sealed interface Step {
        /** Injects a fault; {@code name} lets a later step clear it. */
        record Inject(String name, FaultSpec fault) implements Step {}

        /** Lets time pass. */
        record Wait(Duration duration) implements Step {}

        /** Clears the fault named, or every fault ("all"). */
        record Clear(String name) implements Step {}

        /** Sets the arrival rate to {@code load} of capacity. */
        record Load(double load) implements Step {}

        /**
         * Submits {@code count} tasks at once.
         *
         * @param resource an exclusive resource they hold while they run (metadata exclusive_resource), or null
         */
        record Submit(int count, int priority, int promptTokens, int outputTokens, String resource) implements Step {}

        /** Branches that start together; the block ends when the longest ends. */
        record Parallel(List<List<Step>> branches) implements Step {}
    }
}
