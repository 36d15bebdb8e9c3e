package io.queuedeck.engine.drill;

import java.util.ArrayList;
import java.util.List;

/**
 * A probe's state while a drill runs, for a live display: what it measures so far in the part of
 * its window that has passed.
 *
 * @param measured the value so far (0 while pending)
 * @param light    pending (its window has not begun, nothing in it was seen yet, it is judged at the end, or
 *                 it is short of its minimum while its window is still open), green (within its bound), amber
 *                 (within, but past 80% of a maximum) or red (broken)
 */
public record ProbeLight(String name, String metric, String mode, double measured, Light light) {

    /** A probe's state. */
    public enum Light { PENDING, GREEN, AMBER, RED }

    private static final long SECOND = 1_000_000_000L;
    private static final long CONTINUOUS_WINDOW = 30 * SECOND;

    /** Every probe of {@code drill} at {@code now} (nanos from the start), judged on what has been seen. */
    static List<ProbeLight> of(Drill drill, DrillResult.Phases phases, List<io.queuedeck.engine.task.TaskView> finished,
                               List<int[]> live, long now, long completedTwice) {
        List<ProbeLight> lights = new ArrayList<>();
        for (Drill.Probe p : drill.probes()) {
            lights.add(light(p, drill.target().tiers(), phases, finished, live, now, completedTwice));
        }
        return lights;
    }

    private static ProbeLight light(Drill.Probe p, io.queuedeck.engine.tier.Tiers tiers, DrillResult.Phases phases, List<io.queuedeck.engine.task.TaskView> finished,
                                    List<int[]> live, long now, long completedTwice) {
        String metric = p.metric().wireName(), mode = p.mode().wireName();
        if (p.metric() == Drill.Metric.TASKS_LOST || p.metric() == Drill.Metric.CALLBACKS_LOST
                || p.metric() == Drill.Metric.CALLBACKS_DUPLICATED) {
            return new ProbeLight(p.name(), metric, mode, 0, Light.PENDING); // known only once every task had its chance
        }
        if (p.metric() == Drill.Metric.TASKS_COMPLETED_TWICE) {
            return judged(p, metric, mode, completedTwice, false);
        }
        long from = switch (p.mode()) {
            case BEFORE, CONTINUOUS -> 0;
            case DURING -> nanos(phases.during());
            case AFTER -> nanos(phases.after());
        };
        long end = switch (p.mode()) {
            case BEFORE -> nanos(phases.during());
            case DURING -> nanos(phases.recovery());
            case AFTER, CONTINUOUS -> nanos(phases.end());
        };
        long to = Math.min(now, end);
        if (now <= from) {
            return new ProbeLight(p.name(), metric, mode, 0, Light.PENDING);
        }
        double value;
        long samples = 0;
        if (p.mode() == Drill.Mode.CONTINUOUS) {
            value = p.max() != null ? 0 : Double.POSITIVE_INFINITY;
            for (long w = 0; w < to; w += CONTINUOUS_WINDOW) {
                Windows.Measure m = Windows.measure(p.metric(), p.priority(), p.tier(), tiers, finished, live, w,
                        Math.min(to, w + CONTINUOUS_WINDOW));
                value = p.max() != null ? Math.max(value, m.value()) : Math.min(value, m.value());
                samples += m.samples();
            }
            if (Double.isInfinite(value)) {
                value = 0;
            }
        } else {
            Windows.Measure m = Windows.measure(p.metric(), p.priority(), p.tier(), tiers, finished, live, from, to);
            value = m.value();
            samples = m.samples();
        }
        if (samples == 0 && p.metric().needsSamples()) {
            return new ProbeLight(p.name(), metric, mode, 0, Light.PENDING); // nothing seen yet is not a pass
        }
        return judged(p, metric, mode, value, now < end);
    }

    /**
     * The light for {@code value}; while the window is {@code open} a value short of a minimum is
     * still counting up (44 dead letters of the 50 a drill wants showed red, "broken", mid-window).
     */
    static ProbeLight judged(Drill.Probe p, String metric, String mode, double value, boolean open) {
        if (open && p.min() != null && value < p.min() && (p.max() == null || value <= p.max())) {
            return new ProbeLight(p.name(), metric, mode, value, Light.PENDING);
        }
        boolean broken = (p.max() != null && value > p.max()) || (p.min() != null && value < p.min());
        Light light = broken ? Light.RED : p.max() != null && p.max() > 0 && value >= 0.8 * p.max() ? Light.AMBER : Light.GREEN;
        return new ProbeLight(p.name(), metric, mode, value, light);
    }

    private static long nanos(double seconds) {
        return Math.round(seconds * 1e9);
    }
}
