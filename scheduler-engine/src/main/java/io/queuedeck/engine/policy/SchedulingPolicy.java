package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;

/**
 * Decides which waiting task runs next. A policy holds the waiting tasks of one model and is
 * called only from the scheduler loop's thread, with the engine clock's time; it never reads a
 * clock itself. Every operation is O(log n) in the number of waiting tasks.
 *
 * <p>The loop calls {@link #enqueue} when a task starts waiting (arrival, preemption, retry,
 * reprioritization), {@link #peek}/{@link #poll} when a GPU slot is free, and {@link #remove}
 * when a waiting task is cancelled or moved. A policy that shares GPU time ({@link #preemptive})
 * is also told of every decode step of a running task and may, through {@link #preempts}, make
 * a more urgent waiting task take a running task's place.
 */
public interface SchedulingPolicy {

    /** The name the registry knows this policy by. */
    String name();

    /**
     * A task joins this policy for the first time: a new arrival, or a waiting task handed over
     * when the live policy is switched. Called once, before its first {@link #enqueue}.
     */
    default void admit(Task task, long now) {}

    /** Adds a task that starts waiting. */
    void enqueue(Task task, long now);

    /** The task that would run next, without removing it; null when none waits. */
    Task peek(long now);

    /** Removes and returns the task that runs next; null when none waits. */
    Task poll(long now);

    /** Removes a waiting task; false when this policy does not hold it. */
    boolean remove(Task task);

    /** Number of waiting tasks. */
    int size();

    /** Negative when {@code a} is more urgent than {@code b}: the order {@link #poll} follows. */
    int compare(Task a, Task b);

    /** Whether this policy ever preempts: when false the loop skips {@link #preempts} altogether. */
    default boolean preemptive() {
        return false;
    }

    /**
     * Whether {@code waiting} should take {@code running}'s place at a step boundary. Stricter
     * than {@link #compare}: the FIFO tie-break orders the queue, but swapping two tasks of the
     * same class would only pay a second prefill for nothing.
     *
     * @param batchSize tasks in the running task's batch: a resumed task's recompute stalls all of them
     */
    default boolean preempts(Task waiting, Task running, int batchSize) {
        return false;
    }

    /**
     * A running task finished a decode step (its service time is already charged). Not called for
     * the step that generates a task's last token: that step arrives as {@link #onCompleted}.
     */
    default void onStep(Task running, long now) {}

    /** A task this policy once held finished successfully (for policies that learn lengths or charge usage). */
    default void onCompleted(Task task, long now) {}

    /** Why a waiting task sits where it does: a score and its factors, for policies that score. */
    default java.util.Optional<ScoreBreakdown> explain(Task task, long now) {
        return java.util.Optional.empty();
    }

    /**
     * Whether an operator's place within a lane holds: once {@link #alignForPlace} has made the
     * moved task tie with its new neighbour on the policy's own keys, the rank alone orders the
     * two. True for fifo, priority and mlfq (where it holds until MLFQ itself changes a task's
     * level: a starvation boost, or a demotion after it ran); false for policies that order a
     * lane by a score the operator cannot give a task (age, size, deadline, usage), where a rank
     * only breaks ties.
     */
    default boolean keepsLaneOrder() {
        return false;
    }

    /**
     * Makes {@code moving}, out of the queue, tie with {@code neighbour} on every key but the
     * rank (MLFQ: the neighbour's level; priority and MLFQ: whether it was given up on as late),
     * so that a place next to it holds. Nothing to do for policies whose keys within a lane are
     * the priority alone.
     */
    default void alignForPlace(Task moving, Task neighbour) {}

    /** Whether the policy needs knowledge only a simulation has (true output lengths). */
    default boolean simulationOnly() {
        return false;
    }

    /** Period of {@link #onTick}, or 0 for a policy that needs no ticks. */
    default long tickIntervalNanos() {
        return 0;
    }

    /** Periodic housekeeping (for example, promoting starved tasks). */
    default void onTick(long now) {}

    /** Number of queue levels the policy keeps (MLFQ); 1 for flat policies. */
    default int levels() {
        return 1;
    }

    /** Waiting tasks per level, index 0 most urgent; length {@link #levels()}. */
    default int[] depthByLevel() {
        return new int[] {size()};
    }
}
