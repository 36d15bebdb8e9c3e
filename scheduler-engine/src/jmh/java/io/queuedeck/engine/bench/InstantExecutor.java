package io.queuedeck.engine.bench;

import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.exec.ExecutorContext;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A bench-only executor that costs nothing: one instance serving model {@value #MODEL}, with one
 * slot, whose task finishes the moment it is told to. What is left to measure is the scheduler.
 *
 * <p>Two ways to finish a task:
 * <ul>
 *   <li>{@link #completeRunning()}, called by the benchmark itself on the loop thread (a
 *       virtual-clock engine, where the benchmark thread is the loop thread);</li>
 *   <li>{@code completeOnDispatch}: every dispatch posts the completion back to the loop through
 *       {@link ExecutorContext#post}, as a real executor reporting from its own thread would (a
 *       system-clock engine). On a virtual clock {@code post} runs at once, inside dispatch, so
 *       this mode would drain the whole queue in one call: do not use it there.</li>
 * </ul>
 *
 * <p>Completion reports the first token, then success, then {@code instanceChanged}: the loop
 * does not dispatch on {@code succeeded} alone (the simulated GPU follows it with
 * {@code stepFinished}), so freed capacity must be announced.
 */
final class InstantExecutor implements Executor {
    static final String MODEL = "m";
    private static final String OUTPUT = "ok";

    private final boolean completeOnDispatch;
    private final Runnable completeAction = this::completeRunning;
    private ExecutorContext context;
    private Task running;
    private long completed;
    private volatile CountDownLatch completions;

    InstantExecutor(boolean completeOnDispatch) {
        this.completeOnDispatch = completeOnDispatch;
    }

    /** Counts down {@code latch} on every completion from now on (loop thread), for end-to-end timing. */
    void countCompletionsOn(CountDownLatch latch) {
        completions = latch;
    }

    /** Finishes the running task at once. Loop thread only. */
    void completeRunning() {
        Task task = running;
        if (task == null) {
            throw new IllegalStateException("no task is running");
        }
        running = null;
        task.addToken(context.clock().nanos());
        context.firstToken(task);
        context.succeeded(task, OUTPUT);
        completed++;
        CountDownLatch latch = completions;
        if (latch != null) {
            latch.countDown();
        }
        context.instanceChanged(0);
    }

    /** The task on the slot, or null. */
    Task running() {
        return running;
    }

    /** Tasks finished so far. Loop thread only. */
    long completed() {
        return completed;
    }

    @Override
    public void bind(ExecutorContext context) {
        if (this.context != null) {
            throw new IllegalStateException("executor is already bound to an engine");
        }
        this.context = context;
    }

    @Override
    public int instanceCount() {
        return 1;
    }

    @Override
    public String model(int instance) {
        return MODEL;
    }

    @Override
    public boolean canAccept(int instance, Task task) {
        return running == null;
    }

    @Override
    public boolean canAcceptReplacing(int instance, Task incoming, Task outgoing) {
        return true;
    }

    @Override
    public int load(int instance) {
        return running == null ? 0 : 1;
    }

    @Override
    public Optional<String> admissionError(TaskSpec spec) {
        return MODEL.equals(spec.model()) ? Optional.empty() : Optional.of("model '" + spec.model() + "' is not served here");
    }

    @Override
    public void dispatch(int instance, Task task) {
        if (running != null) {
            throw new IllegalStateException("the slot is taken by " + running.id());
        }
        running = task;
        if (completeOnDispatch) {
            context.post(completeAction);
        }
    }

    @Override
    public void evict(Task task) {
        if (running == task) {
            running = null;
        }
    }

    @Override
    public List<InstanceStatus> status() {
        return List.of(new InstanceStatus(0, MODEL, InstanceState.UP, running == null ? 0 : 1, 1, 0, 0, 1.0));
    }
}
