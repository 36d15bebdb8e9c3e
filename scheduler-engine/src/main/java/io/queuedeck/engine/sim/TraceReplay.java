package io.queuedeck.engine.sim;

import io.queuedeck.engine.exec.sim.GpuModel;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.task.TaskSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How a trace is replayed: which part of it, how fast, and how rows without a priority or tenant
 * get one.
 *
 * @param timeScale    multiplies every arrival time: 0.5 replays twice as fast (twice the load)
 * @param windowStartS first second of the trace to replay (before scaling)
 * @param windowEndS   last second to replay (before scaling); infinity for all
 * @param priorities   rule for rows without a priority: {@code keep} (priority 5), {@code prompt}
 *                     (short prompts are interactive: up to 512 tokens priority 1, up to 2,048
 *                     priority 3, longer 5), or {@code mix:1=0.1,3=0.3,5=0.6} (seeded random)
 * @param tenants      rows without a tenant get one of {@code tenant-1..tenant-N} at random; 0 leaves them without
 * @param seed         seed of the random rules
 * @param deadlines    rule for rows without a deadline: {@code none}, or {@code P=SECONDS,…}: a task of
 *                     priority P (after the priority rule) must finish within SECONDS of simulated
 *                     time after it arrives, e.g. {@code 0=2,1=5,3=30}; unlisted priorities get none.
 *                     The same for every task of a class, so a deadline says nothing of a task's length.
 */
public record TraceReplay(double timeScale, double windowStartS, double windowEndS, String priorities, int tenants,
                          long seed, String deadlines) {

    public static TraceReplay defaults() {
        return new TraceReplay(1.0, 0, Double.POSITIVE_INFINITY, "keep", 0, 1, "none");
    }

    /** A replay that gives rows without a deadline none. */
    public TraceReplay(double timeScale, double windowStartS, double windowEndS, String priorities, int tenants,
                       long seed) {
        this(timeScale, windowStartS, windowEndS, priorities, tenants, seed, "none");
    }

    public TraceReplay {
        if (!(timeScale > 0)) throw new IllegalArgumentException("--time-scale must be positive, got " + timeScale);
        if (!(windowStartS >= 0 && windowEndS > windowStartS)) {
            throw new IllegalArgumentException("--window must be start:end seconds with 0 <= start < end");
        }
        if (tenants < 0) throw new IllegalArgumentException("--tenants must not be negative, got " + tenants);
        parseMix(priorities); // fail early on a bad rule
        parseDeadlines(deadlines);
    }

    public TraceReplay withTimeScale(double scale) {
        return new TraceReplay(scale, windowStartS, windowEndS, priorities, tenants, seed, deadlines);
    }

    /** The rows inside the window, as arrivals for {@code model} with ids {@code r000001}… */
    public List<Arrival> arrivals(Trace trace, String model) {
        List<double[]> mix = parseMix(priorities);
        long[] withinNanos = parseDeadlines(deadlines);
        SplittableRandom random = new SplittableRandom(seed);
        List<Arrival> arrivals = new ArrayList<>();
        long startMs = Math.round(windowStartS * 1e3);
        for (TraceRow row : window(trace)) {
            double scaledMs = (row.arrivalMs() - startMs) * timeScale;
            long at = Math.round(scaledMs * 1e6);
            int priority = row.priority() != null ? row.priority() : pickPriority(row, mix, random);
            String tenant = row.tenant() != null ? row.tenant()
                    : tenants > 0 ? "tenant-" + (1 + random.nextInt(tenants)) : null;
            // Deadlines are trace-relative like arrivals, placed on the simulation clock's wall time.
            // A class deadline is in simulated time: it does not scale with the trace.
            Instant deadline = row.deadlineMs() != null
                    ? VirtualClock.DEFAULT_ORIGIN.plusNanos(Math.round((row.deadlineMs() - startMs) * timeScale * 1e6))
                    : withinNanos[priority] >= 0 ? VirtualClock.DEFAULT_ORIGIN.plusNanos(at + withinNanos[priority]) : null;
            // No max_tokens: a client rarely knows its answer's length, and a policy that saw
            // the traced length here would be clairvoyant. The true length travels beside the
            // spec (Arrival.outputTokens), for the GPU model and the srpt-oracle only; the
            // engine's KV admission check reserves that length.
            TaskSpec spec = new TaskSpec(String.format(Locale.ROOT, "r%06d", arrivals.size() + 1),
                    row.model() != null ? row.model() : model, "", priority, null, tenant, row.businessClass(),
                    deadline, null, row.promptTokens(), null);
            arrivals.add(new Arrival(at, spec, row.outputTokens()));
        }
        return arrivals;
    }

    /**
     * The time scale that offers {@code load} times the saturated capacity of {@code instances}
     * GPUs of {@code profile}: the window's request rate over {@code load} × capacity, the
     * capacity estimated from the window's mean prompt and output lengths
     * ({@link GpuModel#capacityTasksPerSecond}).
     */
    public double timeScaleForLoad(Trace trace, double load, GpuModel profile, int instances) {
        if (!(load > 0)) {
            throw new IllegalArgumentException("--load must be positive, got " + load);
        }
        List<TraceRow> rows = window(trace);
        return rate(rows) / (load * capacity(rows, profile, instances));
    }

    /** The load this replay's time scale offers to {@code instances} GPUs of {@code profile}. */
    public double offeredLoad(Trace trace, GpuModel profile, int instances) {
        List<TraceRow> rows = window(trace);
        return rate(rows) / timeScale / capacity(rows, profile, instances);
    }

    private static double capacity(List<TraceRow> rows, GpuModel profile, int instances) {
        double prompt = rows.stream().mapToInt(TraceRow::promptTokens).average().orElse(0);
        double output = rows.stream().mapToInt(TraceRow::outputTokens).average().orElse(1);
        return profile.capacityTasksPerSecond(prompt, output, instances);
    }

    /** Requests per second of trace time over the rows' span (one request alone: one per second). */
    private static double rate(List<TraceRow> rows) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("the window holds no request of the trace");
        }
        double spanS = (rows.getLast().arrivalMs() - rows.getFirst().arrivalMs()) / 1e3;
        return spanS > 0 ? (rows.size() - 1) / spanS : 1.0;
    }

    /** The rows whose arrival falls inside the window. */
    public List<TraceRow> window(Trace trace) {
        long startMs = Math.round(windowStartS * 1e3);
        double endMs = windowEndS * 1e3;
        return trace.rows().stream().filter(r -> r.arrivalMs() >= startMs && r.arrivalMs() <= endMs).toList();
    }

    private static int pickPriority(TraceRow row, List<double[]> mix, SplittableRandom random) {
        if (mix == null) {
            return TaskSpec.DEFAULT_PRIORITY;
        }
        if (mix.isEmpty()) {
            return row.promptTokens() <= 512 ? 1 : row.promptTokens() <= 2048 ? 3 : 5;
        }
        return SyntheticWorkload.pick(mix, random.nextDouble());
    }

    /** Per priority, the time allowed in nanoseconds, or -1 for no deadline. */
    private static long[] parseDeadlines(String rule) {
        long[] within = new long[TaskSpec.MAX_PRIORITY + 1];
        java.util.Arrays.fill(within, -1);
        if (rule == null || rule.equals("none")) {
            return within;
        }
        for (String part : rule.split(",")) {
            String[] kv = part.split("=");
            try {
                int priority = Integer.parseInt(kv[0].trim());
                double seconds = Double.parseDouble(kv[1].trim());
                if (kv.length != 2 || priority < 0 || priority > TaskSpec.MAX_PRIORITY || !(seconds > 0 && seconds <= 1e6)) {
                    throw new NumberFormatException();
                }
                within[priority] = Math.round(seconds * 1e9);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--deadlines must be none or P=SECONDS,... with P in 0..9 and"
                        + " 0 < SECONDS <= 1000000, got '" + part + "'");
            }
        }
        return within;
    }

    /** null for keep, empty for prompt, the pairs for mix. */
    private static List<double[]> parseMix(String rule) {
        if (rule == null || rule.equals("keep")) {
            return null;
        }
        if (rule.equals("prompt")) {
            return List.of();
        }
        if (!rule.startsWith("mix:")) {
            throw new IllegalArgumentException("--priorities must be keep, prompt or mix:P=SHARE,..., got '" + rule + "'");
        }
        List<double[]> pairs = new ArrayList<>();
        java.util.Set<Integer> given = new java.util.HashSet<>();
        for (String part : rule.substring(4).split(",")) {
            String[] kv = part.split("=");
            int priority;
            double share;
            try {
                priority = Integer.parseInt(kv[0].trim());
                share = Double.parseDouble(kv[1].trim());
                // Infinity, or shares whose sum overflows, gave every task the last priority without a word
                if (priority < 0 || priority > 9 || !(share > 0) || !Double.isFinite(share) || share > 1e9) {
                    throw new NumberFormatException();
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--priorities mix entries must be P=SHARE with P in 0..9 and SHARE > 0"
                        + " (at most 1e9), got '" + part + "'");
            }
            if (!given.add(priority)) {
                throw new IllegalArgumentException("--priorities mix gives priority " + priority + " twice; give each once");
            }
            pairs.add(new double[] {priority, share});
        }
        return pairs;
    }
}
