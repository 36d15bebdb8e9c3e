package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A policy's {@link Predictor}, from its {@code predictor} and {@code predictor_seed}
 * parameters, with each task's prediction made once, when it first asks, and kept until the
 * task finishes (the next prediction may know more; this task's must not change under it).
 */
final class Predictions {
    private final Predictor predictor;
    private final Map<Task, Double> made = new IdentityHashMap<>();

    Predictions(PolicyConfig config) {
        this(config.text("predictor", "mean"), config);
    }

    private Predictions(String spec, PolicyConfig config) {
        predictor = Predictor.parse(spec, config.longValue("predictor_seed", 1, Long.MIN_VALUE, Long.MAX_VALUE));
    }

    /** The configured predictor, or null when the policy was given none (it then keeps its own rule). */
    static Predictions ifGiven(PolicyConfig config) {
        String spec = config.text("predictor", null);
        return spec == null ? null : new Predictions(spec, config);
    }

    /** Predicted output tokens of {@code task}. */
    double tokens(Task task) {
        Double known = made.get(task);
        if (known == null) {
            known = predictor.predict(task.id(), task.spec(), task.outputTokens());
            made.put(task, known);
        }
        return known;
    }

    /** {@code task} finished: learn from it, forget its prediction. */
    void completed(Task task) {
        made.remove(task);
        predictor.learn(task.spec(), task.generatedTokens());
    }

    /** Whether the predictor reads true lengths, which only a simulation has. */
    boolean needsTruth() {
        return predictor.needsTruth();
    }
}
