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

    /**
     * What the instance's server reports of its own load, for the saturation detector; null when
     * it reports nothing (the simulated GPUs: their slots say it all). Called on the loop thread,
     * so it answers from the last figures it read and never waits for a server.
     */
    default BackendLoad reportedLoad(int instance) {
        return null;
    }

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

    /**
     * Fault hook: the instance hangs (true) — its tasks make no progress and do not fail — or
     * recovers (false). A restart ({@link #crash}) ends a hang.
     */
    default void hang(int instance, boolean hung) {
        throw new UnsupportedOperationException("this executor cannot hang instances");
    }

    /**
     * Fault hook: the instance's KV cache shrinks to {@code fraction} of its size (1 restores it);
     * running tasks that no longer fit are handed back to the queue (preempted) and recompute
     * their context when they run again.
     */
    default void limitKvCache(int instance, double fraction) {
        throw new UnsupportedOperationException("this executor cannot limit the KV cache");
    }

    /**
     * Fault hook: a task whose prompt has more than {@code promptTokens} tokens fails on the
     * instance with an out-of-memory error; 0 ends the fault.
     */
    default void failPromptsAbove(int instance, int promptTokens) {
        throw new UnsupportedOperationException("this executor cannot fail large prompts");
    }

    /**
     * When {@code instance} last made progress (a step, a token, a finished or failed task) on the
     * engine clock, or -1 if this executor does not say: what the progress watchdog reads.
     */
    default long lastProgressNanos(int instance) {
        return -1;
    }
}
