package io.queuedeck.engine.control;

import io.queuedeck.engine.task.TaskClassifier;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskSpec.Classification;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Classifies each new task by the running rules, or by a canary's candidate rules for the tasks
 * its split takes. What it reads is one immutable {@link Routing} swapped whole by a reload, a
 * canary's start or its end, so a task is classified entirely by one version. Any thread.
 */
public final class ReleaseClassifier implements TaskClassifier {
    // Shared by every task of a kind, not one per queued task: a client's own priority by release
    // (stable, canary) and priority, and no rule matched (or none configured) by release.
    private static final Classification[][] EXPLICIT = new Classification[2][TaskSpec.MAX_PRIORITY + 1];
    private static final Classification[] NO_RULES = {
            new Classification(Classification.DEFAULT, Classification.STABLE, Classification.NO_RULES),
            new Classification(Classification.DEFAULT, Classification.CANARY, Classification.NO_RULES)};
    private static final Classification[] NO_RULE = {
            new Classification(Classification.DEFAULT, Classification.STABLE, "no rule matched"),
            new Classification(Classification.DEFAULT, Classification.CANARY, "no rule matched")};

    static {
        for (int p = TaskSpec.MIN_PRIORITY; p <= TaskSpec.MAX_PRIORITY; p++) {
            EXPLICIT[0][p] = new Classification(Classification.EXPLICIT, Classification.STABLE, "the client gave priority " + p);
            EXPLICIT[1][p] = new Classification(Classification.EXPLICIT, Classification.CANARY, "the client gave priority " + p);
        }
    }

    private final AtomicReference<Routing> routing;

    /**
     * What classifies new tasks now.
     *
     * @param stable      the running config's rules
     * @param candidate   the canary's rules, or null when no canary runs
     * @param split       which tasks the canary takes (null when none runs)
     */
    public record Routing(RuleSet stable, RuleSet candidate, CanarySplit split) {
        public Routing {
            if ((candidate == null) != (split == null)) {
                throw new IllegalArgumentException("a canary needs both its rules and its split");
            }
        }
    }

    public ReleaseClassifier(RuleSet stable) {
        routing = new AtomicReference<>(new Routing(stable, null, null));
    }

    /** Replaces what classifies new tasks; tasks already queued keep their classification. */
    public void route(Routing value) {
        routing.set(java.util.Objects.requireNonNull(value, "routing"));
    }

    public Routing routing() {
        return routing.get();
    }

    @Override
    public TaskSpec classify(TaskSpec spec, boolean explicit, int mostUrgentAllowed, Instant now) {
        Routing current = routing.get();
        boolean canary = current.split() != null && current.split().routesToCanary(spec);
        String release = canary ? Classification.CANARY : Classification.STABLE;
        if (explicit) {
            return spec.withClassification(EXPLICIT[canary ? 1 : 0][spec.priority()]);
        }
        RuleSet rules = canary ? current.candidate() : current.stable();
        PriorityRule.Verdict verdict = rules.first(spec, now);
        int priority = verdict == null ? TaskSpec.DEFAULT_PRIORITY : verdict.priority();
        String reason = verdict == null ? "no rule matched" : String.join("; ", verdict.held());
        if (priority < mostUrgentAllowed) {
            reason += "; priority " + priority + " capped at " + mostUrgentAllowed + " by the client's allowance";
            priority = mostUrgentAllowed;
        } else if (verdict == null) {
            return spec.withPriority(priority).withClassification((rules.rules().isEmpty() ? NO_RULES : NO_RULE)[canary ? 1 : 0]);
        }
        return spec.withPriority(priority).withClassification(new Classification(
                verdict == null ? Classification.DEFAULT : verdict.rule(), release, reason));
    }
}
