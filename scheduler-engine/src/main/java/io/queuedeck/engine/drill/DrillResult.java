package io.queuedeck.engine.drill;

import java.util.List;

/**
 * What a drill run found: the verdict, each probe's measurement, the score, the run log, the
 * per-second series for charts and the accounting of every task.
 *
 * @param holds       whether the hypothesis held: every probe passed and nothing aborted the run
 * @param abortReason why a stop condition or the kill switch ended it early; null if it ran out
 * @param notInjected the faults a step asked for that were refused, each with why (the run did not test them)
 * @param score       the resilience score, 0..100 (docs/faults.md)
 * @param phases      when each phase began, in seconds from the start
 */
public record DrillResult(Drill drill, boolean holds, String abortReason, List<String> notInjected, List<ProbeResult> probes, double score,
                          Accounting accounting, List<LogLine> log, List<Sample> samples, List<Marker> markers,
                          Phases phases, List<String> findings) {

    /**
     * The verdict in words, the same on screen, in the report and on the command line: an aborted run
     * did not show the hypothesis to hold, which is not the same as showing that it does not.
     */
    public String verdict() {
        return holds ? "the hypothesis holds" : abortReason != null || !notInjected.isEmpty() ? "the hypothesis was not shown to hold"
                : "the hypothesis does not hold";
    }

    /** Why the run did not test its hypothesis, in a few words, or null when it did. */
    public String untested() {
        return abortReason != null ? "aborted: " + abortReason
                : notInjected.isEmpty() ? null : "a fault was not injected: " + notInjected.getFirst()
                + (notInjected.size() > 1 ? " (and " + (notInjected.size() - 1) + " more)" : "");
    }

    /**
     * One probe's verdict.
     *
     * @param measured the value (the worst 30-s window for continuous probes)
     * @param samples  tasks (or seconds) the value was computed from
     * @param credit   its share of credit, 0..1 (1 when passed)
     */
    public record ProbeResult(Drill.Probe probe, double measured, long samples, boolean passed, double credit) {
        /**
         * Whether there was anything to judge by: a window in which no task of its class finished, or
         * which a stopped run never reached, is not judged (and not passed either: the hypothesis does
         * not hold on what was not seen).
         */
        public boolean judged() {
            return passed || samples > 0 || !probe.metric().needsSamples();
        }

        /** "pass", "FAIL" or "not judged", as reports write it. */
        public String outcome() {
            return passed ? "pass" : judged() ? "FAIL" : "not judged";
        }
    }

    /**
     * Where every accepted task ended.
     *
     * @param lost           accepted, never final, and unknown to the engine at the end
     * @param completedTwice completed more than once
     * @param unfinished     accepted and still waiting or running in the engine when the settle window
     *                       ended (live drills on a busy engine): not lost, they run on after the drill
     */
    public record Accounting(long accepted, long refused, long completed, long deadLettered, long timedOut,
                             long cancelled, long lost, long completedTwice, long unfinished) {}

    /**
     * One line of the run log.
     *
     * @param second   seconds since the start (virtual)
     * @param steady   whether every stop condition's metric was within bounds at that moment
     */
    public record LogLine(double second, String action, String observed, boolean steady) {}

    /** The run log's action naming the engine a live drill ran on: its own settings, not the file's target. */
    public static final String LIVE_TARGET = "target";

    /**
     * The system at one second: for charts. Latencies are of tasks that arrived in that second (ms).
     *
     * @param waitP99Ms the p99 queue wait per tier of the drill's table, in the table's order
     *                  ({@code drill().target().tiers()}); 0 where none of a tier arrived
     */
    public record Sample(double second, int queued, int running, int instancesServing, List<Double> waitP99Ms) {
        public Sample {
            waitP99Ms = List.copyOf(waitP99Ms);
        }
    }

    /** A labelled moment on the charts: a step, a fault beginning or ending, an abort. */
    public record Marker(double second, String label) {}

    /** Phase starts in seconds: faults begin at {@code during}, are all cleared by {@code recovery}, after-probes from {@code after} to {@code end}. */
    public record Phases(double during, double recovery, double after, double end) {}
}
