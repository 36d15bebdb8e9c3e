package io.queuedeck.engine.drill;

import io.queuedeck.engine.drill.DrillResult.Accounting;
import io.queuedeck.engine.drill.DrillResult.ProbeResult;
import io.queuedeck.engine.drill.DrillResult.Sample;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Judges a finished run: each probe over its window, the accounting, the resilience score
 * (docs/faults.md: 100 × Σ weight × credit / Σ weight, where a passed probe earns 1 and a failed
 * one earns what is left of its bound, 1 − overshoot/bound, at least 0; an aborted run, or one
 * with a fault the catalogue refused, scores at most half) and the findings.
 */
final class Verdict {
    private static final long SECOND = 1_000_000_000L;
    /** Continuous probes are judged in windows of this length; the worst counts. */
    private static final long CONTINUOUS_WINDOW = 30 * SECOND;

    private final Drill drill;
    private final List<TaskView> views;
    private final List<int[]> live;
    private final DrillResult.Phases phases;
    private final EngineSnapshot last;
    private final long refused;
    private final String abortReason;
    private final List<String> notInjected;
    private final List<DrillResult.LogLine> log;
    private final List<DrillResult.Marker> markers;
    private final long failovers;
    private final long accepted;
    /** The drill's tasks still waiting or running in the engine when the settle window ended (live only). */
    private final long unfinished;
    private final DrillCallbacks.Count callbacks;

    /** @param accepted tasks the drill owns that the engine accepted; -1: every task the engine accepted (its own engine) */
    Verdict(Drill drill, List<TaskView> views, List<int[]> live, DrillResult.Phases phases, EngineSnapshot last,
            long refused, String abortReason, List<String> notInjected, List<DrillResult.LogLine> log, List<DrillResult.Marker> markers,
            long failovers, long accepted, long unfinished, DrillCallbacks.Count callbacks) {
        this.accepted = accepted;
        this.unfinished = unfinished;
        this.callbacks = callbacks;
        this.drill = drill;
        this.views = views;
        this.live = live;
        this.phases = phases;
        this.last = last;
        this.refused = refused;
        this.abortReason = abortReason;
        this.notInjected = List.copyOf(notInjected);
        this.log = log;
        this.markers = markers;
        this.failovers = failovers;
    }

    DrillResult result() {
        Accounting accounting = accounting();
        List<ProbeResult> probes = new ArrayList<>();
        for (Drill.Probe probe : drill.probes()) {
            probes.add(judge(probe, accounting));
        }
        double weights = probes.stream().mapToDouble(p -> p.probe().weight()).sum();
        double earned = probes.stream().mapToDouble(p -> p.probe().weight() * p.credit()).sum();
        double score = weights == 0 ? 100 : 100 * earned / weights;
        if (abortReason != null || !notInjected.isEmpty()) { // a run that did not test what it set out to
            score = Math.min(score, 50);
        }
        boolean holds = abortReason == null && notInjected.isEmpty() && probes.stream().allMatch(ProbeResult::passed);
        return new DrillResult(drill, holds, abortReason, notInjected, probes, Math.round(score * 10) / 10.0, accounting, log,
                samples(), markers, phases, findings(probes, accounting));
    }

    private Accounting accounting() {
        Map<String, Integer> completions = new HashMap<>();
        Set<String> finalIds = new HashSet<>();
        long completed = 0, dead = 0, timedOut = 0, cancelled = 0;
        for (TaskView view : views) {
            finalIds.add(view.id());
            switch (view.state()) {
                case SUCCEEDED -> {
                    completed++;
                    completions.merge(view.id(), 1, Integer::sum);
                }
                case DEAD_LETTERED -> dead++;
                case TIMED_OUT -> timedOut++;
                case CANCELLED -> cancelled++;
                default -> { }
            }
        }
        long twice = completions.values().stream().filter(n -> n > 1).count();
        long accepted = this.accepted >= 0 ? this.accepted : last.counters().submitted();
        long rejected = (this.accepted >= 0 ? 0 : last.counters().rejected()) + refused;
        return new Accounting(accepted, rejected, completed, dead, timedOut, cancelled,
                Math.max(0, accepted - finalIds.size() - unfinished), twice, unfinished);
    }

    private ProbeResult judge(Drill.Probe probe, Accounting accounting) {
        double value;
        long samples;
        if (probe.metric() == Drill.Metric.CALLBACKS_LOST || probe.metric() == Drill.Metric.CALLBACKS_DUPLICATED) {
            // without callbacks nothing was measured, and a probe that measured nothing must not pass
            value = callbacks == null ? Double.NaN
                    : probe.metric() == Drill.Metric.CALLBACKS_LOST ? callbacks.lost() : callbacks.twice();
            samples = callbacks == null ? 0 : callbacks.finished();
        } else if (probe.metric().wholeRun()) {
            value = probe.metric() == Drill.Metric.TASKS_LOST ? accounting.lost() : accounting.completedTwice();
            samples = accounting.accepted();
        } else if (probe.mode() == Drill.Mode.CONTINUOUS) {
            value = probe.max() != null ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            samples = 0;
            long end = nanos(phases.end());
            for (long from = 0; from < end; from += CONTINUOUS_WINDOW) {
                Windows.Measure m = Windows.measure(probe.metric(), probe.priority(), probe.tier(), drill.target().tiers(), views, live, from,
                        Math.min(end, from + CONTINUOUS_WINDOW));
                value = probe.max() != null ? Math.max(value, m.value()) : Math.min(value, m.value());
                samples += m.samples();
            }
            if (Double.isInfinite(value)) {
                value = 0;
            }
        } else {
            long[] window = window(probe.mode());
            Windows.Measure m = Windows.measure(probe.metric(), probe.priority(), probe.tier(), drill.target().tiers(), views, live, window[0], window[1]);
            value = m.value();
            samples = m.samples();
        }
        // a window in which nothing was measured (no task of the class finished, a run stopped before
        // it) says nothing about the hypothesis: not a pass, as a probe without callbacks is not
        boolean measured = samples > 0 || !probe.metric().needsSamples();
        boolean passed = measured && (probe.max() == null || value <= probe.max()) && (probe.min() == null || value >= probe.min());
        double credit = 1;
        if (!passed) {
            credit = 0;
            if (probe.max() != null && value > probe.max() && probe.max() > 0) {
                credit = Math.max(0, 1 - (value - probe.max()) / probe.max());
            } else if (probe.min() != null && value < probe.min() && probe.min() > 0) {
                credit = Math.max(0, value / probe.min());
            }
        }
        return new ProbeResult(probe, value, samples, passed, credit);
    }

    private long[] window(Drill.Mode mode) {
        return switch (mode) {
            case BEFORE -> new long[] {0, nanos(phases.during())};
            case DURING -> new long[] {nanos(phases.during()), nanos(phases.recovery())};
            case AFTER -> new long[] {nanos(phases.after()), nanos(phases.end())};
            case CONTINUOUS -> new long[] {0, nanos(phases.end())};
        };
    }

    private static long nanos(double seconds) {
        return Math.round(seconds * 1e9);
    }

    /** Per second: live levels, and the p99 wait per tier of the tasks that arrived in that second. */
    private List<Sample> samples() {
        List<Sample> samples = new ArrayList<>(live.size());
        Map<Integer, List<TaskView>> bySecond = new HashMap<>();
        for (TaskView view : views) {
            if (view.firstDispatchAt() >= 0) {
                bySecond.computeIfAbsent((int) (view.arrivedAt() / SECOND), k -> new ArrayList<>()).add(view);
            }
        }
        io.queuedeck.engine.tier.Tiers tiers = drill.target().tiers();
        for (int i = 0; i < live.size(); i++) {
            List<TaskView> arrived = bySecond.getOrDefault(i, List.of());
            List<Double> waits = new ArrayList<>(tiers.size());
            for (io.queuedeck.engine.tier.Tier tier : tiers.list()) {
                waits.add(tierP99(arrived, tier.name(), tiers));
            }
            samples.add(new Sample(i + 1, live.get(i)[0], live.get(i)[1], live.get(i)[2], waits));
        }
        return samples;
    }

    private static double tierP99(List<TaskView> views, String tier, io.queuedeck.engine.tier.Tiers tiers) {
        return Windows.p99(views.stream().filter(v -> Windows.matches(v, null, tier, tiers))
                .mapToDouble(v -> v.waitedNanos() / 1e6).toArray()).value();
    }

    private List<String> findings(List<ProbeResult> probes, Accounting a) {
        List<String> findings = new ArrayList<>();
        if (abortReason != null) {
            findings.add("The drill was aborted (" + abortReason + "); every fault was cleared at that moment.");
        }
        for (String fault : notInjected) {
            findings.add("A fault was not injected, so the hypothesis was not tested against it: " + fault + ".");
        }
        for (ProbeResult p : probes) {
            if (!p.passed() && p.samples() == 0 && p.probe().metric().needsSamples()) {
                findings.add(String.format(Locale.ROOT, "Probe '%s' was not judged: nothing to measure %s %s (no sample in its window).",
                        p.probe().name(), p.probe().metric().wireName(), p.probe().mode().wireName()));
            } else if (!p.passed()) {
                findings.add(String.format(Locale.ROOT, "Probe '%s' failed: %s %s was %.2f, bound %s.", p.probe().name(),
                        p.probe().metric().wireName(), p.probe().mode().wireName(), p.measured(), bound(p.probe())));
            }
        }
        if (failovers > 0) {
            findings.add("The progress watchdog failed over " + failovers + " hung GPU(s).");
        }
        findings.add(String.format(Locale.ROOT, "%d tasks accepted: %d completed, %d dead-lettered, %d timed out, "
                        + "%d cancelled, %d lost, %d completed twice; %d refused at admission.", a.accepted(), a.completed(),
                a.deadLettered(), a.timedOut(), a.cancelled(), a.lost(), a.completedTwice(), a.refused()));
        if (a.unfinished() > 0) {
            findings.add(String.format(Locale.ROOT, "%d of the drill's tasks were still waiting or running in the engine when"
                    + " the settle window ended: not lost (they run on), but not judged either.", a.unfinished()));
        }
        if (callbacks != null) {
            findings.add(String.format(Locale.ROOT, "%d callbacks due: %d reached the receiver, %d never did (%d dead-lettered),"
                    + " %d more than once.", callbacks.finished(), callbacks.delivered(), callbacks.lost(), callbacks.dead(),
                    callbacks.twice()));
        }
        findings.add(String.format(Locale.ROOT, "%d preemptions, %d failed attempts, %d retries over the run.",
                last.counters().preemptions(), last.counters().failed(), last.counters().retried()));
        double recovered = recoveredAt();
        findings.add(recovered < 0 ? "The queue did not come back to its steady-state depth before the end."
                : String.format(Locale.ROOT, "The queue was back to its steady-state depth %.0f s after the last fault ended.",
                recovered - phases.recovery()));
        return findings;
    }

    static String bound(Drill.Probe probe) {
        return (probe.max() == null ? "" : "≤ " + trim(probe.max())) + (probe.max() != null && probe.min() != null ? ", " : "")
                + (probe.min() == null ? "" : "≥ " + trim(probe.min()));
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** The first second after the faults when the queue is no deeper than the deepest second of the steady state (at least 5). */
    private double recoveredAt() {
        int steadyEnd = (int) Math.min(live.size(), phases.during());
        int worst = 5;
        for (int i = 0; i < steadyEnd; i++) {
            worst = Math.max(worst, live.get(i)[0]);
        }
        for (int i = (int) phases.recovery(); i < live.size(); i++) {
            if (live.get(i)[0] <= worst) {
                return i + 1;
            }
        }
        return -1;
    }
}
