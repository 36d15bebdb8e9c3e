package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;
import java.util.HashMap;
import java.util.Map;

/**
 * Shortest predicted job first, with aging.
 *
 * <p>A task's predicted output is its {@code max_tokens} when it sets one, otherwise the running
 * mean output of finished tasks of the same model and business class (a simple length predictor;
 * {@code default_tokens} until one has finished). Its predicted work is
 * {@code prefill(prompt) + predicted output × decode step}.
 *
 * <p>Aging: a task's score is its predicted work minus {@code aging} times its wait, smallest
 * first. Since every waiting task's wait grows at the same rate, the order is that of
 * {@code predicted work + aging × arrival}: fixed once the task joins, O(log n). A task of
 * predicted work W is overtaken only by tasks that arrive within W / aging after it.
 */
@PolicyName("sjf")
final class SjfPolicy extends KeyedPolicy {
    private final double aging;
    private final double prefillTokensPerSecond;
    private final double decodeStepNanos;
    private final double defaultTokens;
    private final Map<String, double[]> meanOutput = new HashMap<>();

    SjfPolicy(PolicyConfig config) {
        aging = config.doubleValue("aging", 1.0, 0, 1_000);
        prefillTokensPerSecond = config.doubleValue("prefill_tokens_per_s", 47_000, 1, 1e9);
        decodeStepNanos = config.doubleValue("decode_step_ms", 7.4, 0.001, 10_000) * 1e6;
        defaultTokens = config.doubleValue("default_tokens", 128, 1, 1e6);
    }

    /** Output tokens this policy expects from {@code task}. */
    double predictedTokens(Task task) {
        if (task.spec().maxTokens() != null) {
            return task.spec().maxTokens();
        }
        double[] mean = meanOutput.get(group(task));
        return mean == null ? defaultTokens : mean[0];
    }

    @Override
    double key(Task task, long now) {
        double work = task.contextTokens() * 1e9 / prefillTokensPerSecond
                + Math.max(1, predictedTokens(task) - task.generatedTokens()) * decodeStepNanos;
        return work + aging * task.arrivedAt();
    }

    @Override
    public void onCompleted(Task task, long now) {
        double[] mean = meanOutput.computeIfAbsent(group(task), g -> new double[2]);
        mean[1]++;
        mean[0] += (task.generatedTokens() - mean[0]) / mean[1];
    }

    private static String group(Task task) {
        String businessClass = task.spec().businessClass();
        return task.model() + '\u0000' + (businessClass == null ? "" : businessClass);
    }

    @Override
    public String name() {
        return "sjf";
    }
}
