package io.queuedeck.console.policies;

import io.queuedeck.engine.sim.PolicyResult;

/** A figure of a policy comparison that the chart shows and the ratio columns are taken of. */
public enum CompareFigure {
    GOODPUT("Goodput", "% of tasks that met their class's TTFT and TPOT objectives", true),
    E2E_MEAN("End-to-end mean", "ms, arrival to last token", false),
    E2E_P50("End-to-end p50", "ms, arrival to last token", false),
    E2E_P99("End-to-end p99", "ms, arrival to last token", false),
    TTFT_P50("TTFT p50", "ms, arrival to first token", false),
    TTFT_P99("TTFT p99", "ms, arrival to first token", false),
    URGENT_P99("Urgent p99", "ms, end to end, of the most urgent priority class", false),
    DEADLINES_MISSED("Deadlines missed", "% of tasks with a deadline that finished after it", false);

    private final String label;
    private final String unit;
    private final boolean higherIsBetter;

    CompareFigure(String label, String unit, boolean higherIsBetter) {
        this.label = label;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
    }

    public String label() {
        return label;
    }

    /** What the figure measures, in a few words with its unit. */
    public String unit() {
        return unit;
    }

    /** Whether it is a percentage (else milliseconds). */
    public boolean isShare() {
        return this == GOODPUT || this == DEADLINES_MISSED;
    }

    /** Goodput is better high; latencies and missed deadlines are better low. */
    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /**
     * This figure of {@code result}; NaN when it has none (no task of the urgent class finished).
     *
     * @param urgentClass the most urgent priority class of the run, as {@code PolicyResult#byPriority} names it
     */
    public double of(PolicyResult result, String urgentClass) {
        PolicyResult.Figures all = result.all();
        return switch (this) {
            case GOODPUT -> 100 * result.lab().goodputShare();
            case E2E_MEAN -> all.latencyMeanMs();
            case E2E_P50 -> all.latencyP50Ms();
            case E2E_P99 -> all.latencyP99Ms();
            case TTFT_P50 -> all.ttftP50Ms();
            case TTFT_P99 -> all.ttftP99Ms();
            case DEADLINES_MISSED -> 100 * all.deadlineMissRate();
            case URGENT_P99 -> {
                PolicyResult.Figures urgent = urgentClass == null ? null : result.byPriority().get(urgentClass);
                yield urgent == null ? Double.NaN : urgent.latencyP99Ms();
            }
        };
    }

    @Override
    public String toString() {
        return label; // what a combo box shows
    }
}
