package io.queuedeck.engine.drill;

import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.TaskView;
import java.util.List;
import java.util.Locale;

/**
 * The stop conditions, checked every second over their trailing windows. A queue-wait condition
 * also counts the oldest task still waiting, so a stall is caught before its tasks start.
 */
final class StopChecks {
    private final List<Drill.StopCondition> conditions;
    private final io.queuedeck.engine.tier.Tiers tiers;

    StopChecks(Drill drill) {
        this.conditions = drill.stopConditions();
        this.tiers = drill.target().tiers();
    }

    /** Which condition is broken now, in words; null when none is. */
    String broken(Run run, EngineSnapshot snapshot) {
        long now = (long) (run.second() * 1e9);
        for (Drill.StopCondition c : conditions) {
            Windows.Measure m = Windows.measure(c.metric(), c.priority(), c.tier(), tiers, run.finished(), run.live(),
                    Math.max(0, now - c.window().toNanos()), now + 1);
            double value = m.value();
            if (c.metric() == Drill.Metric.QUEUE_WAIT_P99_MS && c.priority() == null && c.tier() == null) {
                value = Math.max(value, snapshot.oldestWaitMs());
            }
            if (value > c.above()) {
                return String.format(Locale.ROOT, "%s%s = %.1f above %.1f over the last %d s", c.metric().wireName(),
                        c.tier() == null ? (c.priority() == null ? "" : " P" + c.priority()) : " " + c.tier(), value,
                        c.above(), c.window().toSeconds());
            }
        }
        return null;
    }

    /**
     * A condition the running engine breaks already, before any step (what the first second would
     * measure: its queue depth, its oldest wait), in words; null when none is. A drill started then
     * would abort at once and prove nothing (AWS FIS, too, will not start an experiment whose stop
     * condition is in alarm).
     */
    static String brokenBeforeStart(Drill drill, EngineSnapshot now) {
        for (Drill.StopCondition c : drill.stopConditions()) {
            double value = switch (c.metric()) {
                case QUEUE_DEPTH -> now.queued();
                case QUEUE_WAIT_P99_MS -> c.priority() == null && c.tier() == null ? now.oldestWaitMs() : Double.NaN;
                default -> Double.NaN; // measured on tasks that finish during the drill: nothing to judge yet
            };
            if (value > c.above()) {
                return String.format(Locale.ROOT, "%s is %,.0f now, above the stop condition's %,.0f", c.metric().wireName(),
                        value, c.above());
            }
        }
        return null;
    }

    /** Whether no condition is broken, judged on finished tasks only (for the run log). */
    boolean steady(Run run) {
        long now = (long) (run.second() * 1e9);
        for (Drill.StopCondition c : conditions) {
            Windows.Measure m = Windows.measure(c.metric(), c.priority(), c.tier(), tiers, run.finished(), run.live(),
                    Math.max(0, now - c.window().toNanos()), now + 1);
            if (m.value() > c.above()) {
                return false;
            }
        }
        return true;
    }

    /** What a check reads of a running drill. */
    interface Run {
        double second();

        List<TaskView> finished();

        List<int[]> live();
    }
}
