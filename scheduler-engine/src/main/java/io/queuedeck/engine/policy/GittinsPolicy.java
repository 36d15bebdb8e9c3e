package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;
import java.util.HashMap;
import java.util.Map;

/**
 * The Gittins index policy over attained service: the optimal non-clairvoyant order for mean
 * response time in an M/G/1 queue (Gittins; Scully, Harchol-Balter and Scheller-Wolf 2018).
 *
 * <p>A task's size is uncertain: {@code S = predicted tokens × R}, where R, the ratio of true to
 * predicted length, follows a distribution learned online from the run's finished tasks of the
 * same model and business class (a histogram of ln R in {@value #BUCKETS} buckets). Its index, at
 * attained service {@code a} tokens, is
 * {@code max over Δ of P(S − a ≤ Δ | S > a) / E[work(min(S − a, Δ)) | S > a]}, where a token's
 * work is a decode step and the context's prefill is paid first. The highest index runs first
 * (a key of minus the index, fixed when the task joins: a preempted task joins again with its
 * attained service). Until a class has {@value Predictor#MIN_SAMPLES} finished tasks the index
 * is that of a certain size, 1 / predicted work: shortest predicted job first.
 *
 * <p>With the {@code oracle} predictor every R is 1 and the policy is SRPT on predicted work.
 */
@PolicyName("gittins")
final class GittinsPolicy extends KeyedPolicy {
    /** Buckets of ln R, from {@link #LOG_MIN} in steps of {@link #LOG_STEP}. */
    static final int BUCKETS = 48;
    private static final double LOG_MIN = -6, LOG_STEP = 0.25;

    private final Predictions predictions;
    private final double prefillNanosPerToken;
    private final double decodeStepNanos;
    private final Map<String, long[]> ratios = new HashMap<>();

    GittinsPolicy(PolicyConfig config) {
        predictions = new Predictions(config);
        prefillNanosPerToken = 1e9 / config.doubleValue("prefill_tokens_per_s", 47_000, 1, 1e9);
        decodeStepNanos = config.doubleValue("decode_step_ms", 7.4, 0.001, 10_000) * 1e6;
    }

    @Override
    double key(Task task, long now) {
        return -index(task);
    }

    /** The Gittins index of {@code task} now, in completions per nanosecond of work. */
    double index(Task task) {
        double predicted = Math.max(1, predictions.tokens(task));
        double attained = task.generatedTokens();
        double prefill = task.contextTokens() * prefillNanosPerToken;
        long[] counts = ratios.get(group(task));
        long total = 0;
        if (counts != null) {
            for (long c : counts) {
                total += c;
            }
        }
        if (total < Predictor.MIN_SAMPLES) {
            return 1 / (prefill + Math.max(1, predicted - attained) * decodeStepNanos);
        }
        // The conditional distribution of S given S > a, over the buckets' sizes.
        double surviving = 0;
        double[] size = new double[BUCKETS];
        for (int b = 0; b < BUCKETS; b++) {
            size[b] = Math.max(1, Math.round(predicted * Math.exp(LOG_MIN + (b + 0.5) * LOG_STEP)));
            if (size[b] > attained) {
                surviving += counts[b];
            }
        }
        if (surviving == 0) {
            // longer than anything seen: it is about to finish as far as we know; treat it as one more token
            return 1 / (prefill + decodeStepNanos);
        }
        double best = 0, done = 0, expectedWork = 0, remainingMass = surviving;
        double previous = attained;
        for (int b = 0; b < BUCKETS; b++) {
            if (size[b] <= attained || counts[b] == 0) {
                continue;
            }
            // Extending the quantum from `previous` to size[b]: every task still running pays the extra tokens.
            expectedWork += remainingMass / surviving * (size[b] - previous) * decodeStepNanos;
            done += counts[b];
            remainingMass -= counts[b];
            previous = size[b];
            best = Math.max(best, (done / surviving) / (prefill + expectedWork));
        }
        return best;
    }

    @Override
    public void onCompleted(Task task, long now) {
        double predicted = Math.max(1, predictions.tokens(task));
        double log = Math.log(Math.max(1, task.generatedTokens()) / predicted);
        int bucket = (int) Math.max(0, Math.min(BUCKETS - 1, Math.floor((log - LOG_MIN) / LOG_STEP)));
        ratios.computeIfAbsent(group(task), g -> new long[BUCKETS])[bucket]++;
        predictions.completed(task);
    }

    @Override
    public boolean simulationOnly() {
        return predictions.needsTruth();
    }

    private static String group(Task task) {
        String businessClass = task.spec().businessClass();
        return task.model() + '\u0000' + (businessClass == null ? "" : businessClass);
    }

    @Override
    public String name() {
        return "gittins";
    }
}
