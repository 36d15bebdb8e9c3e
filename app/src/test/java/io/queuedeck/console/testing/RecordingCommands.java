package io.queuedeck.console.testing;

import io.queuedeck.console.gateway.EngineCommands;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Engine commands that only record what was asked and answer at once (or fail, if told to). */
public final class RecordingCommands implements EngineCommands {
    public final List<String> sent = new ArrayList<>();
    public RuntimeException failWith;
    public List<TaskView> waiting = List.of();

    private <T> CompletableFuture<T> answer(String command, T value) {
        sent.add(command);
        return failWith == null ? CompletableFuture.completedFuture(value) : CompletableFuture.failedFuture(failWith);
    }

    @Override public CompletableFuture<Void> crashInstance(int instance) { return answer("crash " + instance, null); }
    @Override public CompletableFuture<Void> slowInstance(int instance, double factor) { return answer("slow " + instance + " x" + factor, null); }
    @Override public CompletableFuture<Void> setInstanceOnline(int instance, boolean online) { return answer((online ? "online " : "offline ") + instance, null); }
    @Override public CompletableFuture<Void> pauseDispatch(boolean pause) { return answer(pause ? "pause" : "resume", null); }
    @Override public CompletableFuture<Void> setTierMode(io.queuedeck.engine.tier.Tier tier, io.queuedeck.engine.tier.TierMode mode) {
        return answer("tier " + tier + " " + mode, null);
    }
    @Override public CompletableFuture<Void> switchPolicy(String name) { return answer("policy " + name, null); }
    @Override public CompletableFuture<Void> switchPolicy(String name, String parameters) {
        return answer("policy " + name + (parameters.isBlank() ? "" : " " + parameters), null);
    }
    @Override public CompletableFuture<TaskView> reprioritize(String taskId, int priority) { return answer("move " + taskId + " to " + priority, null); }
    @Override public CompletableFuture<Void> setLaneMode(int priority, io.queuedeck.engine.tier.TierMode mode) {
        return answer("lane " + priority + " " + mode.name().toLowerCase(java.util.Locale.ROOT), null);
    }
    @Override public CompletableFuture<TaskView> place(String taskId, int priority, io.queuedeck.engine.task.Placement placement) {
        String where = switch (placement) {
            case io.queuedeck.engine.task.Placement.Front f -> "front";
            case io.queuedeck.engine.task.Placement.Back b -> "back";
            case io.queuedeck.engine.task.Placement.Before b -> "before " + b.taskId();
            case io.queuedeck.engine.task.Placement.After a -> "after " + a.taskId();
        };
        return answer("place " + taskId + " in " + priority + " " + where, null);
    }
    @Override public CompletableFuture<TaskView> cancel(String taskId) { return answer("cancel " + taskId, null); }
    @Override public CompletableFuture<TaskView> retry(String taskId) { return answer("retry " + taskId, null); }
    @Override public CompletableFuture<TaskView> submitPoisonTask() { return answer("poison", null); }
    @Override public CompletableFuture<java.util.Optional<TaskView>> task(String taskId) {
        return answer("task " + taskId, waiting.stream().filter(t -> t.id().equals(taskId)).findFirst());
    }
    public io.queuedeck.engine.policy.ScoreBreakdown score;
    @Override public CompletableFuture<java.util.Optional<io.queuedeck.engine.policy.ScoreBreakdown>> explain(String taskId) {
        return answer("explain " + taskId, java.util.Optional.ofNullable(score));
    }
    public List<TaskView> running = List.of();
    @Override public CompletableFuture<List<TaskView>> runningTasks(int limit) { return answer("running " + limit, running); }
    public List<TaskView> dead = List.of();
    @Override public CompletableFuture<List<TaskView>> deadLettered(int limit) { return answer("dead " + limit, dead); }
    @Override public CompletableFuture<List<TaskView>> waitingTasks(int limitPerPriority) { return answer("waiting " + limitPerPriority, waiting); }
}
