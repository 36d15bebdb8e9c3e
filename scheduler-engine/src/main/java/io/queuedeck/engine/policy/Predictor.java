package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.TaskSpec;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Predicts a task's output length from what is known when it arrives, with a quality one can
 * state. Chosen by the {@code predictor} parameter of {@code sjf}, {@code weighted}, {@code mlfq}
 * and {@code gittins} ({@code simulate --predictor} sets it for all of them):
 * <ul>
 *   <li>{@code mean} (default): {@code max_tokens} when the task sets it, else the running mean
 *       output of finished tasks of its model and business class;</li>
 *   <li>{@code constant[:N]}: N tokens for every task (128 by default): no information;</li>
 *   <li>{@code learned}: trained online on the run's finished tasks from the features a task has
 *       (prompt tokens, model, tenant, business class, max_tokens): the mean log output of the
 *       finest group with at least {@value #MIN_SAMPLES} finished tasks, among model+class+tenant+prompt
 *       octave, model+class+prompt octave, model+class and all; capped by max_tokens;</li>
 *   <li>{@code oracle}: the true length (simulation only);</li>
 *   <li>{@code noisy:SIGMA}: the true length times {@code e^(SIGMA × z)}, z standard normal
 *       (simulation only);</li>
 *   <li>{@code rank:TAU}: a prediction whose Kendall rank correlation with the truth is about
 *       TAU: {@code e^(ρ·ln L + √(1−ρ²)·s·z)} with {@code ρ = sin(π·TAU/2)} (the Gaussian copula's
 *       τ–ρ relation) and s the standard deviation of ln L over finished tasks (simulation only).</li>
 * </ul>
 * Noise is drawn from the seed and the task id, so a task gets the same prediction whenever it is
 * asked and under every policy. A prediction is made once, when the task arrives.
 */
public final class Predictor {
    /** Finished tasks a learned group needs before it is trusted. */
    static final int MIN_SAMPLES = 8;
    private static final double DEFAULT_TOKENS = 128;

    private enum Kind { MEAN, CONSTANT, LEARNED, ORACLE, NOISY, RANK }

    private final Kind kind;
    private final double parameter;
    private final long seed;
    private final String text;
    /** Per group key: count, mean of ln(output), mean output. */
    private final Map<String, double[]> groups = new HashMap<>();
    /** Welford over ln(output) of every finished task: count, mean, M2. */
    private final double[] logStats = new double[3];

    private Predictor(Kind kind, double parameter, long seed, String text) {
        this.kind = kind;
        this.parameter = parameter;
        this.seed = seed;
        this.text = text;
    }

    /** Parses {@code mean|constant[:N]|learned|oracle|noisy:SIGMA|rank:TAU}. */
    public static Predictor parse(String text, long seed) {
        String spec = text.trim().toLowerCase(Locale.ROOT);
        int colon = spec.indexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        String arg = colon < 0 ? null : spec.substring(colon + 1);
        Kind kind = switch (name) {
            case "mean" -> Kind.MEAN;
            case "constant" -> Kind.CONSTANT;
            case "learned" -> Kind.LEARNED;
            case "oracle" -> Kind.ORACLE;
            case "noisy" -> Kind.NOISY;
            case "rank" -> Kind.RANK;
            default -> throw new IllegalArgumentException("predictor must be mean, constant[:N], learned, oracle,"
                    + " noisy:SIGMA or rank:TAU, got '" + text + "'");
        };
        double value = switch (kind) {
            case CONSTANT -> arg == null ? DEFAULT_TOKENS : number(arg, text, 1, 1e7);
            case NOISY -> number(required(arg, text), text, 0, 10);
            case RANK -> number(required(arg, text), text, -1, 1);
            default -> {
                if (arg != null) {
                    throw new IllegalArgumentException("predictor '" + name + "' takes no argument, got '" + text + "'");
                }
                yield 0;
            }
        };
        return new Predictor(kind, value, seed, spec);
    }

    private static String required(String arg, String text) {
        if (arg == null || arg.isBlank()) {
            throw new IllegalArgumentException("predictor '" + text + "' needs a value, e.g. noisy:0.5 or rank:0.56");
        }
        return arg;
    }

    private static double number(String arg, String text, double min, double max) {
        try {
            double value = Double.parseDouble(arg);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException("predictor '" + text + "': value must be a number in [" + min + ", " + max + "]");
    }

    /** A fresh predictor of the same kind (nothing learned yet): for replays. */
    public Predictor copy() {
        return new Predictor(kind, parameter, seed, text);
    }

    /** Whether it reads the true output length, which only a simulation knows. */
    public boolean needsTruth() {
        return kind == Kind.ORACLE || kind == Kind.NOISY || kind == Kind.RANK;
    }

    @Override
    public String toString() {
        return text;
    }

    /**
     * Predicted output tokens of a task arriving now.
     *
     * @param id          the task's id (seeds its noise)
     * @param spec        what was submitted
     * @param trueOutput  its true length (read only by the simulation-only kinds)
     */
    public double predict(String id, TaskSpec spec, int trueOutput) {
        Integer cap = spec.maxTokens();
        return switch (kind) {
            case MEAN -> {
                if (cap != null) {
                    yield cap;
                }
                double[] g = groups.get(classKey(spec));
                yield g == null ? DEFAULT_TOKENS : g[2];
            }
            case CONSTANT -> parameter;
            case LEARNED -> {
                double[] g = null;
                for (String key : learnedKeys(spec)) {
                    double[] candidate = groups.get(key);
                    if (candidate != null && candidate[0] >= MIN_SAMPLES) {
                        g = candidate;
                        break;
                    }
                }
                double value = g == null ? DEFAULT_TOKENS : Math.exp(g[1]);
                yield cap == null ? value : Math.min(cap, value);
            }
            case ORACLE -> trueOutput;
            case NOISY -> trueOutput * Math.exp(parameter * gaussian(id));
            case RANK -> {
                double rho = Math.sin(Math.PI * parameter / 2);
                double sd = logStats[0] >= 2 ? Math.sqrt(logStats[2] / (logStats[0] - 1)) : 1.0;
                yield Math.exp(rho * Math.log(Math.max(1, trueOutput)) + Math.sqrt(1 - rho * rho) * sd * gaussian(id));
            }
        };
    }

    /** A task of {@code spec} finished with {@code output} tokens. */
    public void learn(TaskSpec spec, int output) {
        double log = Math.log(Math.max(1, output));
        logStats[0]++;
        double delta = log - logStats[1];
        logStats[1] += delta / logStats[0];
        logStats[2] += delta * (log - logStats[1]);
        if (kind == Kind.MEAN) {
            add(classKey(spec), log, output);
        } else if (kind == Kind.LEARNED) {
            for (String key : learnedKeys(spec)) {
                add(key, log, output);
            }
        }
    }

    private void add(String key, double log, int output) {
        double[] g = groups.computeIfAbsent(key, k -> new double[3]);
        g[0]++;
        g[1] += (log - g[1]) / g[0];
        g[2] += (output - g[2]) / g[0];
    }

    private static String classKey(TaskSpec spec) {
        return spec.model() + '\u0000' + (spec.businessClass() == null ? "" : spec.businessClass());
    }

    /** From the finest group to all tasks. */
    private static String[] learnedKeys(TaskSpec spec) {
        String modelClass = classKey(spec);
        int octave = 31 - Integer.numberOfLeadingZeros(Math.max(1, spec.promptTokens()));
        String tenant = spec.tenant() == null ? "" : spec.tenant();
        return new String[] {modelClass + '\u0000' + tenant + '\u0000' + octave, modelClass + '\u0001' + octave,
                modelClass, ""};
    }

    /** A standard normal draw fixed by the seed and the id (Box-Muller). */
    private double gaussian(String id) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + (id == null ? 0 : id.hashCode()));
        double u1 = 1 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * Kendall's τ-b between {@code a} and {@code b} (same length): +1 same order, 0 unrelated,
     * −1 reversed. Exact, O(n²): callers pass a sample of a few thousand.
     */
    public static double kendallTau(double[] a, double[] b) {
        long concordant = 0, discordant = 0, tiesA = 0, tiesB = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = i + 1; j < a.length; j++) {
                int x = Double.compare(a[i], a[j]);
                int y = Double.compare(b[i], b[j]);
                if (x == 0 && y == 0) {
                    continue;
                } else if (x == 0) {
                    tiesA++;
                } else if (y == 0) {
                    tiesB++;
                } else if (x == y) {
                    concordant++;
                } else {
                    discordant++;
                }
            }
        }
        double denominator = Math.sqrt((double) (concordant + discordant + tiesA) * (concordant + discordant + tiesB));
        return denominator == 0 ? 0 : (concordant - discordant) / denominator;
    }
}
