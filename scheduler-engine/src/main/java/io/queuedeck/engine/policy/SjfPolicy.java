package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;

/**
 * Shortest predicted job first, with aging.
 *
 * <p>A task's predicted output comes from its {@link Predictor} (parameter {@code predictor}; the
 * default, {@code mean}, is its {@code max_tokens} when it sets one, otherwise the running mean
 * output of finished tasks of the same model and business class). Its predicted work is
 * {@code prefill(prompt) + predicted output × decode step}.
 *
 * <p>Aging: a task's score is its predicted work minus {@code aging} times its wait, smallest
 * first. Since every waiting task's wait grows at the same rate, the order is that of
 * {@code predicted work + aging × arrival}: fixed once the task joins, O(log n). A task of
 * predicted work W is overtaken only by tasks that arrive within W / aging after it.
 *
 * <p>Giving up ({@link GiveUp}, decision 0079): a task of priority above {@code strict_through}
 * (default 2) that has lost its class's TTFT objective goes behind every task that can still meet
 * its own, shortest first among the late ones too.
 */
@PolicyName("sjf")
final class SjfPolicy extends KeyedPolicy {
    private final double aging;
    private final double prefillTokensPerSecond;
    private final double decodeStepNanos;
    private final Predictions predictions;

    SjfPolicy(PolicyConfig config) {
        aging = config.doubleValue("aging", 1.0, 0, 1_000);
        prefillTokensPerSecond = config.doubleValue("prefill_tokens_per_s", 47_000, 1, 1e9);
        decodeStepNanos = config.doubleValue("decode_step_ms", 7.4, 0.001, 10_000) * 1e6;
        predictions = new Predictions(config);
        GiveUp giveUp = GiveUp.of(config);
        giveUpOn(giveUp.never() ? null : giveUp.above(GiveUp.strictThrough(config)));
    }

    /** Output tokens this policy expects from {@code task}. */
    double predictedTokens(Task task) {
        return predictions.tokens(task);
    }

    @Override
    double key(Task task, long now) {
        double work = task.contextTokens() * 1e9 / prefillTokensPerSecond
                + Math.max(1, predictedTokens(task) - task.generatedTokens()) * decodeStepNanos;
        return work + aging * task.arrivedAt();
    }

    @Override
    public void onCompleted(Task task, long now) {
        predictions.completed(task);
    }

    @Override
    public boolean simulationOnly() {
        return predictions.needsTruth();
    }

    @Override
    public String name() {
        return "sjf";
    }
}
