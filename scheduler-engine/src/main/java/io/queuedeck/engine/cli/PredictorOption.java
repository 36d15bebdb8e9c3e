package io.queuedeck.engine.cli;

import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.Predictor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code simulate --predictor}: the same predictor for every policy that takes one, unless a --param names its own. */
final class PredictorOption {
    /** The policies that read a {@code predictor} parameter. */
    static final Set<String> PREDICTING = Set.of("sjf", "weighted", "mlfq", "gittins");

    private PredictorOption() {}

    /** The same configs with the predictor's noise drawn from {@code seed} (a sweep's seeds vary it too). */
    static Map<String, PolicyConfig> reseed(Map<String, PolicyConfig> configs, long seed) {
        Map<String, PolicyConfig> result = new LinkedHashMap<>();
        configs.forEach((name, config) -> {
            if (config.values().containsKey("predictor")) {
                Map<String, String> values = new HashMap<>(config.values());
                values.put("predictor_seed", Long.toString(seed));
                result.put(name, PolicyConfig.of(values));
            } else {
                result.put(name, config);
            }
        });
        return result;
    }

    static Map<String, PolicyConfig> apply(Map<String, PolicyConfig> configs, String predictor, long seed) {
        if (predictor == null) {
            return configs;
        }
        Predictor.parse(predictor, seed); // refuse a bad one before anything runs
        Map<String, PolicyConfig> result = new LinkedHashMap<>();
        configs.forEach((name, config) -> {
            if (PREDICTING.contains(name) && !config.values().containsKey("predictor")) {
                Map<String, String> values = new HashMap<>(config.values());
                values.put("predictor", predictor);
                values.putIfAbsent("predictor_seed", Long.toString(seed));
                result.put(name, PolicyConfig.of(values));
            } else {
                result.put(name, config);
            }
        });
        return result;
    }
}
