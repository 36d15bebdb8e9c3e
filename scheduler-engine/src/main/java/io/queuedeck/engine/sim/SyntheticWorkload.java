package io.queuedeck.engine.sim;

import io.queuedeck.engine.exec.sim.GpuModel;
import io.queuedeck.engine.task.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A chat-like synthetic workload: Poisson arrivals; prompt and output lengths log-normal with
 * medians near a chat service's and a long tail; a mix of priorities. Every task's
 * {@code max_tokens} is the same client cap ({@value #MAX_OUTPUT}), not its true length.
 *
 * @param tasks        number of tasks
 * @param seed         random seed: the same seed gives the same tasks
 * @param promptMedian median prompt length in tokens
 * @param promptP99    99th percentile prompt length
 * @param outputMedian median output length
 * @param outputP99    99th percentile output length
 * @param priorityMix  priorities and their shares, e.g. {@code [[1, 0.1], [3, 0.3], [5, 0.6]]}
 */
public record SyntheticWorkload(int tasks, long seed, double promptMedian, double promptP99, double outputMedian,
                                double outputP99, List<double[]> priorityMix) {

    /** z-score of the 99th percentile of a normal distribution. */
    private static final double Z99 = 2.3263;
    /** Longest prompt and output generated, so one draw cannot exceed a GPU's KV cache. */
    static final int MAX_PROMPT = 16_000, MAX_OUTPUT = 4_000;

    /** The chat mix: prompts ~1,000 (p99 4,000), outputs ~130 (p99 600), 10/30/60% at priority 1/3/5. */
    public static SyntheticWorkload chat(int tasks, long seed) {
        return new SyntheticWorkload(tasks, seed, 1_000, 4_000, 130, 600,
                List.of(new double[] {1, 0.1}, new double[] {3, 0.3}, new double[] {5, 0.6}));
    }

    public SyntheticWorkload {
        if (tasks < 1) throw new IllegalArgumentException("tasks must be at least 1, got " + tasks);
        if (!(promptMedian >= 1 && promptP99 >= promptMedian)) throw new IllegalArgumentException("need 1 <= prompt median <= prompt p99");
        if (!(outputMedian >= 1 && outputP99 >= outputMedian)) throw new IllegalArgumentException("need 1 <= output median <= output p99");
        priorityMix = List.copyOf(priorityMix);
    }

    private double promptSigma() {
        return Math.log(promptP99 / promptMedian) / Z99;
    }

    private double outputSigma() {
        return Math.log(outputP99 / outputMedian) / Z99;
    }

    /** Mean prompt length of the (untruncated) log-normal. */
    public double meanPrompt() {
        return promptMedian * Math.exp(promptSigma() * promptSigma() / 2);
    }

    /** Mean output length of the (untruncated) log-normal. */
    public double meanOutput() {
        return outputMedian * Math.exp(outputSigma() * outputSigma() / 2);
    }

    /** Tasks per second that {@code instances} GPUs serve when saturated with this workload's mean task. */
    public double capacityTasksPerSecond(GpuModel profile, int instances) {
        return profile.capacityTasksPerSecond(meanPrompt(), meanOutput(), instances);
    }

    /** The arrivals at {@code ratePerSecond}, for {@code model}, with ids {@code t000001}… */
    public List<Arrival> generate(double ratePerSecond, String model) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("arrival rate must be positive, got " + ratePerSecond);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Arrival> arrivals = new ArrayList<>(tasks);
        double at = 0;
        for (int i = 0; i < tasks; i++) {
            at += -Math.log(1 - random.nextDouble()) / ratePerSecond;
            arrivals.add(draw(random, String.format(Locale.ROOT, "t%06d", i + 1), Math.round(at * 1e9), model));
        }
        return arrivals;
    }

    /** One task drawn from this workload's distributions; {@code id} may be null (the engine assigns one). */
    public Arrival draw(SplittableRandom random, String id, long atNanos, String model) {
        int prompt = logNormal(random, promptMedian, promptSigma(), MAX_PROMPT);
        int output = logNormal(random, outputMedian, outputSigma(), MAX_OUTPUT);
        int priority = pickPriority(random.nextDouble());
        // max_tokens is the client's cap, the same for every task: the true length travels beside
        // the spec, for the GPU model and the oracle only (a cap equal to the answer would make
        // every policy that reads max_tokens clairvoyant).
        TaskSpec spec = new TaskSpec(id, model, "", priority, null, null, null, null, MAX_OUTPUT, prompt, null);
        return new Arrival(atNanos, spec, output);
    }

    private static int logNormal(SplittableRandom random, double median, double sigma, int max) {
        double value = median * Math.exp(sigma * gaussian(random));
        return (int) Math.max(1, Math.min(max, Math.round(value)));
    }

    /** Standard normal by Box-Muller: deterministic across JDKs, unlike nextGaussian's algorithm choice. */
    private static double gaussian(SplittableRandom random) {
        double u1 = 1 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private int pickPriority(double draw) {
        return pick(priorityMix, draw);
    }

    /** The priority that {@code draw}, uniform in [0, 1), selects from {@code mix} ([priority, share] pairs). */
    static int pick(List<double[]> mix, double draw) {
        double total = mix.stream().mapToDouble(p -> p[1]).sum();
        double cumulative = 0;
        for (double[] entry : mix) {
            cumulative += entry[1] / total;
            if (draw < cumulative) {
                return (int) entry[0];
            }
        }
        return (int) mix.getLast()[0];
    }
}
