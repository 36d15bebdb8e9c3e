package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;

/**
 * Priority with aging: a waiting task's urgency grows exponentially with its wait,
 * {@code urgency(t) = (10 - priority) × e^(alpha × wait)}, highest first.
 *
 * <p>Comparing two urgencies at any moment t is comparing {@code ln(10 - p) - alpha × arrival}:
 * the {@code alpha × t} term is common to both and cancels. So the order never changes as time
 * passes, the key is computed once, and no periodic re-sorting is needed: O(log n) per operation.
 *
 * <p>No starvation: a task of priority 9 (urgency 1) outranks a task of priority 0 (urgency 10)
 * that arrived {@code ln(10) / alpha} seconds after it (23 s at the default alpha of 0.1), so
 * every task is overtaken only by tasks that arrived before it or within that window.
 *
 * <p>Giving up ({@link GiveUp}, decision 0079): a task of priority above {@code strict_through}
 * (default 2) that has lost its class's TTFT objective ({@code give_up_seconds},
 * {@code late_give_up_seconds}) goes behind every task that can still meet its own, in urgency order
 * among the late ones. Among the others the order is still by urgency, aging as above.
 */
@PolicyName("aging")
final class AgingPolicy extends KeyedPolicy {
    private final double alphaPerNano;

    AgingPolicy(PolicyConfig config) {
        alphaPerNano = config.doubleValue("alpha", 0.1, 1e-6, 100) / 1e9;
        int strictThrough = GiveUp.strictThrough(config);
        GiveUp giveUp = GiveUp.of(config);
        giveUpOn(giveUp.never() ? null : giveUp.above(strictThrough));
    }

    /** Longest an urgent arrival can keep overtaking a waiting task, in seconds. */
    double overtakeWindowSeconds() {
        return Math.log(TaskSpec.MAX_PRIORITY + 1) / (alphaPerNano * 1e9);
    }

    @Override
    double key(Task task, long now) {
        return alphaPerNano * task.arrivedAt() - Math.log(TaskSpec.MAX_PRIORITY + 1 - task.priority());
    }

    @Override
    public String name() {
        return "aging";
    }
}
