package io.queuedeck.engine.exec;

import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.task.Task;
import java.util.List;

/** How an executor reports to the scheduler loop. Loop thread only, except {@link #post}. */
public interface ExecutorContext {

    /** The engine clock: the executor's only time source and timer service. */
    EngineClock clock();

    /** {@code task} produced its first token. */
    void firstToken(Task task);

    /** {@code count} new tokens were generated (by any task): the engine's tokens/s counts them as they come. */
    default void tokensGenerated(int count) {}

    /** {@code task} finished; it has left its instance. */
    void succeeded(Task task, String output);

    /** {@code task} failed and has left its instance; {@code retryable} failures may run again. */
    void failed(Task task, String reason, boolean retryable);

    /**
     * {@code task} will not run and has left its instance: whoever was to read its answer is gone
     * (a front-door client that left). It ends cancelled, as its client's cancel would have ended
     * it, not as a failure for the dead letters.
     */
    default void abandoned(Task task, String reason) {
        failed(task, reason, false);
    }

    /** {@code task} was handed back unfinished (its instance went offline); it keeps its tokens. */
    void handedBack(Task task);

    /**
     * {@code instance} finished a decode step of {@code batch} (finished tasks already removed):
     * the loop's chance to demote, preempt and fill free slots before the next step.
     */
    void stepFinished(int instance, List<Task> batch);

    /** {@code instance} changed health or freed capacity outside a step boundary. */
    void instanceChanged(int instance);

    /**
     * Negative when running task {@code a} is more urgent than {@code b} under the scheduling
     * policy of their model: for executors that share a step between tasks (who gets a prefill
     * chunk first, who is preempted when memory runs out). 0 when the policy does not say.
     */
    default int compareUrgency(Task a, Task b) {
        return 0;
    }

    /** Runs {@code action} on the loop thread: for executors that work on threads of their own. */
    void post(Runnable action);
}
