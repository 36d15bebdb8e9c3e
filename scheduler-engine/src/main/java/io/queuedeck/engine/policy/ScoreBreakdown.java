package io.queuedeck.engine.policy;

import java.util.List;

/**
 * A task's score under a scoring policy, factor by factor (like Slurm's {@code sprio}).
 *
 * @param score   the total; higher runs first
 * @param factors each factor's normalized value, weight and contribution (value × weight)
 */
public record ScoreBreakdown(double score, List<Factor> factors) {
    public ScoreBreakdown {
        factors = List.copyOf(factors);
    }

    /** One factor: {@code value} in [0, 1], {@code contribution = value × weight}. */
    public record Factor(String name, double value, double weight, double contribution) {}
}
