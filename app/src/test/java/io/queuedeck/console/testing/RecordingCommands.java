package io.queuedeck.console.testing;

import io.queuedeck.console.gateway.EngineCommands;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.policy.ScoreBreakdown;
import io.queuedeck.engine.task.Placement;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Engine commands that are only recorded, as short words ({@link #sent}), and answered at once
 * from the canned lists below (or failed, if told to).
 */
public final class RecordingCommands implements EngineCommands {
    public final List<String> sent = new ArrayList<>();
    public RuntimeException failWith;
    /** Refuses the commands it answers for (by their words) with what it gives; null: answered. */
    public java.util.function.Function<String, RuntimeException> refuse = words -> null;
    /** When set, answers wait for it: commands still in flight, as with a busy engine. */
    public CompletableFuture<Void> answersAfter;
    public List<TaskView> waiting = List.of();
    public List<TaskView> running = List.of();
    public List<TaskView> dead = List.of();
    public ScoreBreakdown score;

    @Override
    @SuppressWarnings("unchecked") // each answer has the type its command names
    public <R> CompletableFuture<R> send(Command<R> command) {
        String words = words(command);
        sent.add(words);
        if (failWith != null) {
            return CompletableFuture.failedFuture(failWith);
        }
        RuntimeException refused = refuse.apply(words);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        return answersAfter == null ? CompletableFuture.completedFuture((R) answer(command))
                : answersAfter.thenApply(done -> (R) answer(command));
    }

    @Override
    public <R> CompletableFuture<R> sendBuilt(String action, Supplier<Command<R>> build) {
        Command<R> command;
        try {
            command = build.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return send(command);
    }

    @Override
    public void audited(String action, String target) {
        sent.add("audit " + action + " " + target);
    }

    private Object answer(Command<?> command) {
        return switch (command) {
            case Command.FindTask c -> waiting.stream().filter(t -> t.id().equals(c.taskId())).findFirst();
            case Command.SearchTasks c -> {
                List<TaskView> found = waiting.stream().filter(t -> c.search().filter().id() == null
                        || t.id().startsWith(c.search().filter().id())).toList();
                yield new io.queuedeck.engine.task.SearchPage(found.subList(0, Math.min(found.size(), c.search().limit())),
                        found.size(), 0);
            }
            case Command.Explain c -> Optional.ofNullable(score);
            case Command.WaitingTasks c -> waiting;
            case Command.ListTasks c -> new TaskPage(c.query().state() == TaskState.RUNNING ? running : dead, -1);
            default -> null;
        };
    }

    private static String words(Command<?> command) {
        return switch (command) {
            case Command.CrashInstance c -> "crash " + c.instance();
            case Command.SlowInstance c -> "slow " + c.instance() + " x" + c.factor();
            case Command.SetInstanceOnline c -> (c.online() ? "online " : "offline ") + c.instance();
            case Command.DrainInstance c -> (c.draining() ? "drain " : "undrain ") + c.instance();
            case Command.PauseDispatch c -> c.paused() ? "pause" : "resume";
            case Command.Drain c -> "drain";
            case Command.SetTierMode c -> "tier " + c.tier() + " " + c.mode();
            case Command.SetLaneMode c -> "lane " + c.priority() + " " + c.mode().name().toLowerCase(Locale.ROOT);
            case Command.SwitchPolicy c -> "policy " + c.policy() + (c.parameters().isEmpty() ? "" : " "
                    + new java.util.TreeMap<>(c.parameters()).entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")));
            case Command.Reprioritize c -> "move " + c.taskId() + " to " + c.priority();
            case Command.Place c -> "place " + c.taskId() + " in " + c.priority() + " " + switch (c.placement()) {
                case Placement.Front f -> "front";
                case Placement.Back b -> "back";
                case Placement.Before b -> "before " + b.taskId();
                case Placement.After a -> "after " + a.taskId();
            };
            case Command.Cancel c -> "cancel " + c.taskId();
            case Command.RetryDeadLetter c -> "retry " + c.taskId();
            case Command.Submit c -> c.spec().metadata() != null
                    && c.spec().metadata().containsKey(SimulatedGpuExecutor.POISON_KEY) ? "poison" : "submit";
            case Command.FindTask c -> "task " + c.taskId();
            case Command.Explain c -> "explain " + c.taskId();
            case Command.WaitingTasks c -> "waiting " + c.limitPerPriority();
            case Command.ListTasks c -> (c.query().state() == TaskState.RUNNING ? "running " : "dead ") + c.query().limit();
            default -> command.describe();
        };
    }
}
