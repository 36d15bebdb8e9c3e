package io.queuedeck.console.gateway;

import io.queuedeck.engine.task.TaskView;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The commands the screens send to the engine. Every method returns at once; the future
 * completes on the FX thread (in the running console), and a refused command has already been
 * reported to the operator by the time it fails, so callers only react to success.
 */
public interface EngineCommands {

    CompletableFuture<Void> crashInstance(int instance);

    CompletableFuture<Void> slowInstance(int instance, double factor);

    CompletableFuture<Void> setInstanceOnline(int instance, boolean online);

    CompletableFuture<Void> pauseDispatch(boolean pause);

    /** Pauses, drains or reactivates one tier's lanes (core P0-2, normal P3-6, batch P7-9). */
    CompletableFuture<Void> setTierMode(io.queuedeck.engine.tier.Tier tier, io.queuedeck.engine.tier.TierMode mode);

    /** Pauses, drains or reactivates one priority lane on its own. */
    CompletableFuture<Void> setLaneMode(int priority, io.queuedeck.engine.tier.TierMode mode);

    CompletableFuture<Void> switchPolicy(String name);

    /** Switches to {@code name} with {@code parameters} ("key=value,key=value"; blank for the defaults). */
    CompletableFuture<Void> switchPolicy(String name, String parameters);

    CompletableFuture<TaskView> reprioritize(String taskId, int priority);

    /** Puts a waiting task into {@code priority}'s lane at {@code placement} (fifo, priority and mlfq keep such places). */
    CompletableFuture<TaskView> place(String taskId, int priority, io.queuedeck.engine.task.Placement placement);

    CompletableFuture<TaskView> cancel(String taskId);

    /** Queues a dead-lettered task again, with a fresh set of attempts. */
    CompletableFuture<TaskView> retry(String taskId);

    /** Fault drill: submits a task that fails on every attempt (and so ends in the dead letters). */
    CompletableFuture<TaskView> submitPoisonTask();

    /** The task with this id, if the engine still knows it. */
    CompletableFuture<java.util.Optional<TaskView>> task(String taskId);

    /** A waiting task's score factor by factor, under a scoring policy (weighted); empty otherwise. */
    CompletableFuture<java.util.Optional<io.queuedeck.engine.policy.ScoreBreakdown>> explain(String taskId);

    /** Running tasks, at most {@code limit} (1 to 1,000), in submission order. */
    CompletableFuture<List<TaskView>> runningTasks(int limit);

    /** Dead-lettered tasks the engine still keeps, oldest first, at most {@code limit} (1 to 1,000). */
    CompletableFuture<List<TaskView>> deadLettered(int limit);

    /**
     * Waiting tasks, at most {@code limitPerPriority} per priority: each lane in dispatch order
     * under fifo, priority and mlfq, in arrival order (as operators left it) under the scoring policies.
     */
    CompletableFuture<List<TaskView>> waitingTasks(int limitPerPriority);
}
