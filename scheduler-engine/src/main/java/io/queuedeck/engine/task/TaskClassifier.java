package io.queuedeck.engine.task;

import java.time.Instant;

/**
 * Gives a validated task its priority and records how ({@link TaskSpec.Classification}): the
 * priority rules of the running config, or of a candidate for a canary's share of tasks. Called
 * by {@code Engine.send} on the sender's thread, so it must be pure and quick; it reads rules
 * that a reload swaps whole, never locks.
 */
@FunctionalInterface
public interface TaskClassifier {
    /** No rules: a priority the client gave is kept, else the default one. */
    TaskClassifier NONE = (spec, explicit, mostUrgentAllowed, now) -> spec.withPriority(Math.max(mostUrgentAllowed,
                    explicit ? spec.priority() : TaskSpec.DEFAULT_PRIORITY))
            .withClassification(explicit ? TaskSpec.Classification.GIVEN : TaskSpec.Classification.UNMATCHED);

    /**
     * The classified spec.
     *
     * @param spec              validated and complete (its id and the default priority filled in)
     * @param explicit          whether the client gave the priority itself
     * @param mostUrgentAllowed the most urgent priority the sender may use (0 for any): a rule's
     *                          priority is capped at it (an explicit one was checked at the edge)
     * @param now               the wall-clock time on the engine clock, for deadline rules
     */
    TaskSpec classify(TaskSpec spec, boolean explicit, int mostUrgentAllowed, Instant now);
}
