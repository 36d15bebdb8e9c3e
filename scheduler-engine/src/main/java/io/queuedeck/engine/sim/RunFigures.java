package io.queuedeck.engine.sim;

import io.queuedeck.engine.exec.sim.GpuModel;
import io.queuedeck.engine.exec.sim.GpuUsage;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * Turns the finished tasks of one simulated run into a {@link PolicyResult}. Percentiles are
 * exact (nearest rank over every task), so the same run always prints the same figures.
 *
 * @param policy        policy name
 * @param tasks         the tasks that completed, in arrival order
 * @param rejected      arrivals the engine refused
 * @param preemptions   preemptions counted by the engine
 * @param usage         GPU time spent stepping, summed over instances
 * @param instances     GPU instances
 * @param profile       the instances' performance model (batch slots, TTFT of a task alone, lower bound)
 * @param objectives    per-class TTFT and TPOT objectives, for goodput
 * @param startNanos    first arrival
 * @param endNanos      last completion
 * @param deadlineNanos converts a spec's deadline to engine-clock nanoseconds
 */
record RunFigures(String policy, List<TaskView> tasks, long rejected, long preemptions, GpuUsage usage,
                  int instances, GpuModel profile, ServiceObjectives objectives, long startNanos, long endNanos, ToLongFunction<Instant> deadlineNanos) {

    /** Width of the windows in which tenants' service is compared. */
    static final long FAIRNESS_WINDOW_NANOS = 10_000_000_000L;
    /** The CDF is kept at quantiles 0, 1/CDF_STEPS, …, 1. */
    static final int CDF_STEPS = 1000;
    /** The class of tasks that name no tenant, when others do. */
    static final String NO_TENANT = "(none)";

    PolicyResult result(long wallNanos, long events) {
        double makespanS = (endNanos - startNanos) / 1e9;
        Map<String, PolicyResult.Figures> byPriority = new LinkedHashMap<>();
        TreeMap<Integer, List<TaskView>> priorities = new TreeMap<>();
        Map<String, List<TaskView>> tenants = new TreeMap<>(RunFigures::naturalOrder);
        boolean anyTenant = tasks.stream().anyMatch(t -> t.spec().tenant() != null);
        for (TaskView task : tasks) {
            priorities.computeIfAbsent(task.spec().priority(), p -> new ArrayList<>()).add(task);
            if (anyTenant) {
                tenants.computeIfAbsent(tenantOf(task), t -> new ArrayList<>()).add(task);
            }
        }
        priorities.forEach((p, list) -> byPriority.put(Integer.toString(p), figures(list)));
        Map<String, PolicyResult.Figures> byTenant = new LinkedHashMap<>();
        tenants.forEach((t, list) -> byTenant.put(t, figures(list)));
        long n = tasks.size();
        double capacity = instances * (double) (endNanos - startNanos);
        return new PolicyResult(policy, figures(tasks), rejected, round(makespanS > 0 ? n / makespanS : 0),
                round(makespanS), preemptions, capacity > 0 ? round4(usage.busyNanos() / capacity) : 0,
                capacity > 0 ? round4(usage.sequenceNanos() / (capacity * profile.maxBatch())) : 0,
                anyTenant ? round(fairnessGap(tenants)) : 0, null, lab(makespanS, tenants, anyTenant), byPriority, byTenant, cdf(),
                wallNanos / 1_000_000, events);
    }

    private PolicyResult.Figures figures(List<TaskView> group) {
        int n = group.size();
        if (n == 0) {
            return new PolicyResult.Figures(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        long[] latency = new long[n];
        long[] ttft = new long[n];
        long[] ttftIdle = new long[n];
        long[] wait = new long[n];
        int withDeadline = 0, missed = 0, met = 0, ttftMissed = 0, tpotMissed = 0;
        for (int i = 0; i < n; i++) {
            TaskView task = group.get(i);
            latency[i] = task.finishedAt() - task.arrivedAt();
            ttft[i] = task.firstTokenAt() - task.arrivedAt();
            // which objective a class misses: the goodput test of lab(), one part at a time
            int priority = task.spec().priority();
            boolean ttftMet = objectives.met(priority, ttft[i] / 1e6, 0);
            boolean tpotMet = objectives.met(priority, 0, tpotMillis(task));
            met += ttftMet && tpotMet ? 1 : 0;
            ttftMissed += ttftMet ? 0 : 1;
            tpotMissed += tpotMet ? 0 : 1;
            ttftIdle[i] = profile.idleTtftNanos(task.spec().promptTokens());
            wait[i] = task.waitedNanos();
            Instant deadline = task.spec().deadline();
            if (deadline != null) {
                withDeadline++;
                if (task.finishedAt() > deadlineNanos.applyAsLong(deadline)) {
                    missed++;
                }
            }
        }
        Arrays.sort(latency);
        Arrays.sort(ttft);
        Arrays.sort(ttftIdle);
        Arrays.sort(wait);
        return new PolicyResult.Figures(n, ms(mean(latency)), ms(rank(latency, 0.50)), ms(rank(latency, 0.90)),
                ms(rank(latency, 0.99)), ms(latency[n - 1]), ms(mean(ttft)), ms(rank(ttft, 0.50)), ms(rank(ttft, 0.99)),
                ms(rank(ttftIdle, 0.99)),
                ms(mean(wait)), ms(rank(wait, 0.99)), ms(wait[n - 1]),
                withDeadline == 0 ? 0 : round4((double) missed / withDeadline), round4((double) met / n),
                round4((double) ttftMissed / n), round4((double) tpotMissed / n));
    }

    /** The research figures (see {@link PolicyResult.Lab}). */
    private PolicyResult.Lab lab(double makespanS, Map<String, List<TaskView>> tenants, boolean anyTenant) {
        if (tasks.isEmpty()) {
            return PolicyResult.Lab.NONE;
        }
        GpuModel.TaskBound bound = profile.lowerBound();
        double boundSum = 0, latencySum = 0, tpotSum = 0;
        long good = 0, withTpot = 0;
        for (TaskView task : tasks) {
            boundSum += bound.nanos(task.spec().promptTokens(), task.outputTokens());
            latencySum += task.finishedAt() - task.arrivedAt();
            double ttft = (task.firstTokenAt() - task.arrivedAt()) / 1e6;
            double tpot = tpotMillis(task);
            if (task.outputTokens() > 1) {
                tpotSum += tpot;
                withTpot++;
            }
            if (objectives.met(task.spec().priority(), ttft, tpot)) {
                good++;
            }
        }
        double jain = 1;
        if (anyTenant && tenants.size() > 1) {
            double sum = 0, squares = 0;
            for (List<TaskView> group : tenants.values()) {
                double slowdown = 0;
                for (TaskView task : group) {
                    slowdown += (task.finishedAt() - task.arrivedAt())
                            / (double) Math.max(1, bound.nanos(task.spec().promptTokens(), task.outputTokens()));
                }
                double x = group.size() / slowdown;
                sum += x;
                squares += x * x;
            }
            jain = sum * sum / (tenants.size() * squares);
        }
        var itl = usage.interTokenNanos();
        boolean anyGap = itl.getTotalCount() > 0;
        return new PolicyResult.Lab(ms(boundSum / tasks.size()), round4(latencySum / boundSum),
                round(makespanS > 0 ? good / makespanS : 0), round4((double) good / tasks.size()),
                anyGap ? ms(itl.getValueAtPercentile(50)) : 0, anyGap ? ms(itl.getValueAtPercentile(99)) : 0,
                withTpot == 0 ? 0 : round(tpotSum / withTpot), round4(jain), usage.memoryPreemptions(),
                usage.recomputedTokens(), usage.steps(), 0, null);
    }

    /** Mean time per output token after the first; 0 for a one-token answer. */
    private static double tpotMillis(TaskView task) {
        int tokens = task.outputTokens();
        return tokens > 1 ? (task.finishedAt() - task.firstTokenAt()) / 1e6 / (tokens - 1) : 0;
    }

    /** End-to-end latency at every CDF step, in milliseconds (three decimals). */
    private List<Double> cdf() {
        if (tasks.isEmpty()) {
            return List.of();
        }
        long[] latency = tasks.stream().mapToLong(t -> t.finishedAt() - t.arrivedAt()).sorted().toArray();
        List<Double> points = new ArrayList<>(CDF_STEPS + 1);
        for (int i = 0; i <= CDF_STEPS; i++) {
            points.add(Math.round(rank(latency, (double) i / CDF_STEPS) / 1e3) / 1e3);
        }
        return points;
    }

    /**
     * The fairness figure: in each {@link #FAIRNESS_WINDOW_NANOS} window, among the tenants that
     * had a task waiting for a GPU throughout the window (backlogged: they wanted more than they
     * got), the gap between the most and the least service (prompt plus output tokens) received
     * in the window, divided by the mean service of those tenants (their fair share, all shares
     * being equal). The result is the worst window's gap; 0 when no window has two backlogged
     * tenants. A task's tokens are spread evenly over the time it spent running.
     */
    private double fairnessGap(Map<String, List<TaskView>> tenants) {
        int windows = (int) ((endNanos - startNanos) / FAIRNESS_WINDOW_NANOS) + 1;
        Map<String, double[]> service = new HashMap<>();
        Map<String, boolean[]> backlogged = new HashMap<>();
        for (Map.Entry<String, List<TaskView>> entry : tenants.entrySet()) {
            double[] served = new double[windows];
            List<long[]> waiting = new ArrayList<>();
            for (TaskView task : entry.getValue()) {
                List<long[]> running = new ArrayList<>();
                long runTotal = 0;
                List<Task.Transition> history = task.history();
                for (int i = 0; i < history.size(); i++) {
                    Task.Transition step = history.get(i);
                    long until = i + 1 < history.size() ? history.get(i + 1).at() : task.finishedAt();
                    if (step.to() == TaskState.RUNNING) {
                        running.add(new long[] {step.at(), until});
                        runTotal += until - step.at();
                    } else if (step.to().isWaiting() || step.to() == TaskState.RETRY_WAIT) {
                        waiting.add(new long[] {step.at(), until});
                    }
                }
                double perNano = runTotal > 0 ? (task.spec().promptTokens() + task.outputTokens()) / (double) runTotal : 0;
                for (long[] interval : running) {
                    spread(served, interval[0], interval[1], perNano);
                }
            }
            service.put(entry.getKey(), served);
            backlogged.put(entry.getKey(), coveredWindows(waiting, windows));
        }
        double worst = 0;
        for (int k = 0; k < windows; k++) {
            double max = Double.NEGATIVE_INFINITY, min = Double.POSITIVE_INFINITY, sum = 0;
            int count = 0;
            for (String tenant : tenants.keySet()) {
                if (backlogged.get(tenant)[k]) {
                    double s = service.get(tenant)[k];
                    max = Math.max(max, s);
                    min = Math.min(min, s);
                    sum += s;
                    count++;
                }
            }
            if (count >= 2 && sum > 0) {
                worst = Math.max(worst, (max - min) / (sum / count));
            }
        }
        return worst;
    }

    /** Adds {@code perNano} × the overlap of [from, to) with each window to that window. */
    private void spread(double[] served, long from, long to, double perNano) {
        long a = from - startNanos;
        long b = to - startNanos;
        while (a < b) {
            int k = (int) (a / FAIRNESS_WINDOW_NANOS);
            long windowEnd = (k + 1) * FAIRNESS_WINDOW_NANOS;
            long upTo = Math.min(b, windowEnd);
            if (k < served.length) {
                served[k] += (upTo - a) * perNano;
            }
            a = upTo;
        }
    }

    /** The windows that the union of {@code intervals} covers from start to end. */
    private boolean[] coveredWindows(List<long[]> intervals, int windows) {
        boolean[] covered = new boolean[windows];
        intervals.sort(Comparator.comparingLong(i -> i[0]));
        int i = 0;
        while (i < intervals.size()) {
            long from = intervals.get(i)[0];
            long to = intervals.get(i)[1];
            i++;
            while (i < intervals.size() && intervals.get(i)[0] <= to) {
                to = Math.max(to, intervals.get(i)[1]);
                i++;
            }
            long a = from - startNanos;
            long b = to - startNanos;
            long firstWhole = (a + FAIRNESS_WINDOW_NANOS - 1) / FAIRNESS_WINDOW_NANOS;
            for (long k = firstWhole; (k + 1) * FAIRNESS_WINDOW_NANOS <= b && k < windows; k++) {
                covered[(int) k] = true;
            }
        }
        return covered;
    }

    private static String tenantOf(TaskView task) {
        return task.spec().tenant() == null ? NO_TENANT : task.spec().tenant();
    }

    /** Nearest rank: the smallest value with at least a fraction {@code q} of values at or below it. */
    static long rank(long[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double mean(long[] values) {
        double sum = 0;
        for (long v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static double ms(double nanos) {
        return round(nanos / 1e6);
    }

    /** Two decimals: enough for milliseconds, and stable text for byte-identical reports. */
    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private static double round4(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }

    /** Orders "tenant-2" before "tenant-10": runs of digits compare as numbers. */
    static int naturalOrder(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i), y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int si = i, sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) i++;
                while (j < b.length() && Character.isDigit(b.charAt(j))) j++;
                String da = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                String db = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                int c = da.length() != db.length() ? Integer.compare(da.length(), db.length()) : da.compareTo(db);
                if (c != 0) {
                    return c;
                }
            } else {
                if (x != y) {
                    return Character.compare(x, y);
                }
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b);
    }
}
