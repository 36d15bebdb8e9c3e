package io.queuedeck.engine.drill;

import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.Tiers;
import java.util.Arrays;
import java.util.List;

/** A metric over a window of a run, from the final views of finished tasks and the per-second samples. */
final class Windows {
    private static final long SECOND = 1_000_000_000L;

    private Windows() {}

    /** The value and how many tasks (or seconds) it comes from. */
    record Measure(double value, long samples) {}

    /** Over the tasks of {@code priority} and {@code tier} (nulls: any); {@code tiers}: the table the drill runs (decision 0070). */
    static Measure measure(Drill.Metric metric, Integer priority, String tier, Tiers tiers, List<TaskView> views,
                           List<int[]> live, long from, long to) {
        java.util.function.Predicate<TaskView> ofClass = v -> matches(v, priority, tier, tiers);
        return switch (metric) {
            case QUEUE_WAIT_P99_MS -> p99(views.stream()
                    .filter(v -> ofClass.test(v) && in(v.arrivedAt(), from, to) && v.firstDispatchAt() >= 0)
                    .mapToDouble(v -> v.waitedNanos() / 1e6).toArray());
            case TTFT_P99_MS -> p99(views.stream()
                    .filter(v -> ofClass.test(v) && in(v.arrivedAt(), from, to) && v.firstTokenAt() >= 0)
                    .mapToDouble(v -> (v.firstTokenAt() - v.arrivedAt()) / 1e6).toArray());
            case TTFT_MAX_MS -> {
                double[] ttft = views.stream()
                        .filter(v -> ofClass.test(v) && in(v.arrivedAt(), from, to) && v.firstTokenAt() >= 0)
                        .mapToDouble(v -> (v.firstTokenAt() - v.arrivedAt()) / 1e6).toArray();
                yield new Measure(Arrays.stream(ttft).max().orElse(0), ttft.length);
            }
            case ERROR_RATE -> {
                long all = views.stream().filter(v -> ofClass.test(v) && in(v.finishedAt(), from, to)).count();
                long dead = views.stream().filter(v -> ofClass.test(v) && in(v.finishedAt(), from, to)
                        && v.state() == TaskState.DEAD_LETTERED).count();
                yield new Measure(all == 0 ? 0 : (double) dead / all, all);
            }
            case DEAD_LETTERS -> {
                long dead = views.stream().filter(v -> ofClass.test(v) && in(v.finishedAt(), from, to)
                        && v.state() == TaskState.DEAD_LETTERED).count();
                yield new Measure(dead, dead);
            }
            case THROUGHPUT_TPS -> {
                long done = views.stream().filter(v -> ofClass.test(v) && in(v.finishedAt(), from, to)
                        && v.state() == TaskState.SUCCEEDED).count();
                yield new Measure(done / Math.max(1e-9, (to - from) / 1e9), done);
            }
            case QUEUE_DEPTH -> {
                int first = (int) Math.max(0, from / SECOND), last = (int) Math.min(live.size(), to / SECOND);
                int most = 0;
                for (int i = first; i < last; i++) {
                    most = Math.max(most, live.get(i)[0]);
                }
                yield new Measure(most, Math.max(0, last - first));
            }
            case REFUSED -> {
                int first = (int) Math.max(0, from / SECOND), last = (int) Math.min(live.size(), to / SECOND);
                long refused = 0;
                for (int i = first; i < last; i++) {
                    refused += live.get(i).length > 3 ? live.get(i)[3] : 0;
                }
                yield new Measure(refused, Math.max(0, last - first));
            }
            case TASKS_LOST, TASKS_COMPLETED_TWICE, CALLBACKS_LOST, CALLBACKS_DUPLICATED -> throw new IllegalArgumentException(metric + " is measured on the whole run");
        };
    }

    static boolean matches(TaskView view, Integer priority, String tier, Tiers tiers) {
        int own = view.spec().priority() == null ? view.priority() : view.spec().priority();
        return (priority == null || own == priority)
                && (tier == null || tiers.of(own).name().equals(tier));
    }

    private static boolean in(long at, long from, long to) {
        return at >= from && at < to;
    }

    static Measure p99(double[] values) {
        if (values.length == 0) {
            return new Measure(0, 0);
        }
        Arrays.sort(values);
        return new Measure(values[Math.max(0, (int) Math.ceil(values.length * 0.99) - 1)], values.length);
    }
}
