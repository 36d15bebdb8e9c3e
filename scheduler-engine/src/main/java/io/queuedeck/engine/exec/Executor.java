package io.queuedeck.engine.exec;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import java.util.List;
import java.util.Optional;

/**
 * Runs tasks on GPU instances: the simulated GPU model, or a real inference server. The
 * scheduler loop decides what runs where; the executor runs it and reports back through its
 * {@link ExecutorContext}. Every method is called on the loop thread; an executor that does
 * work on other threads reports back with {@link ExecutorContext#post}.
 */
public interface Executor {

    /** Called once, on the loop thread, before any other method. */
    void bind(ExecutorContext context);

    /** Number of instances; their ids are 0..n-1. */
    int instanceCount();

    /** The model instance {@code id} serves. */
    String model(int instance);

    /** Whether {@code instance} can take {@code task} now (healthy, a free slot, memory). */
    boolean canAccept(int instance, Task task);

    /**
     * Whether {@code instance} could take {@code incoming} once {@code outgoing}, which runs
     * there, has left: the loop asks before it preempts.
     */
    boolean canAcceptReplacing(int instance, Task incoming, Task outgoing);

    /** Tasks running on {@code instance}, for load balancing. */
    int load(int instance);

    /** Why {@code spec} can never run here (for example, more tokens than any instance holds). */
    Optional<String> admissionError(TaskSpec spec);

    /** Starts {@code task} on {@code instance}; the loop has checked {@link #canAccept}. */
    void dispatch(int instance, Task task);

    /**
     * Takes a running task off its instance at once, keeping what it generated: for preemption
     * at a step boundary and for cancellation.
     */
    void evict(Task task);

    /** The instances now. */
    List<InstanceStatus> status();

    /** Fault hook: the instance dies; its tasks fail back to the scheduler; it restarts later. */
    default void crash(int instance) {
        throw new UnsupportedOperationException("this executor cannot crash instances");
    }

    /** Fault hook: every step on the instance takes {@code factor} times as long (1 restores it). */
    default void slowDown(int instance, double factor) {
        throw new UnsupportedOperationException("this executor cannot slow instances down");
    }

    /** Stops sending the instance new work while what runs there finishes, or ends that. */
    default void setDraining(int instance, boolean draining) {
        throw new UnsupportedOperationException("this executor cannot drain instances");
    }

    /** Fault hook: takes the instance out of service (its tasks go back to the queue) or back in. */
    default void setOnline(int instance, boolean online) {
        throw new UnsupportedOperationException("this executor cannot take instances offline");
    }
}
