package io.queuedeck.engine.loop;

import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.ScoreBreakdown;
import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.tier.TierMode;
import java.util.Optional;

/**
 * Runs every {@link Command} on the loop: the one place that knows what each command does. The
 * switch is exhaustive over the sealed family, so a new command does not compile until it is
 * handled here. Loop thread only.
 */
final class CommandHandler {
    private final SchedulerLoop loop;
    private final TaskCommands tasks;
    private final TaskQueries queries;
    private final BulkChanges bulk;

    CommandHandler(SchedulerLoop loop) {
        this.loop = loop;
        this.tasks = loop.commands;
        this.queries = new TaskQueries(loop.tasks);
        this.bulk = new BulkChanges(loop);
    }

    /** The command's answer, of the type the command names; throws when the command is refused. */
    Object handle(Command<?> command) {
        long now = loop.clock.nanos();
        return switch (command) {
            case Command.Submit c -> tasks.submitOrLookUp(c.spec(), c.outputTokens(), c.acceptBy(), now);
            case Command.Cancel c -> tasks.cancel(c.taskId(), c.reason());
            case Command.Withdraw c -> tasks.withdraw(c.taskIds());
            case Command.RetryDeadLetter c -> tasks.retryDeadLetter(c.taskId(), c.withinBudget());
            case Command.Reprioritize c -> tasks.reprioritize(c.taskId(), c.priority());
            case Command.Place c -> loop.placement.place(c.taskId(), c.priority(), c.placement());
            case Command.PauseDispatch c -> {
                loop.setPaused(c.paused());
                loop.durable.dispatchPaused(c.paused());
                yield null;
            }
            case Command.Drain c -> {
                loop.drain();
                yield null;
            }
            case Command.SetTierMode c -> {
                loop.lanes.setTier(c.tier(), c.mode());
                loop.durable.tierMode(c.tier(), c.mode());
                resumeUnlessPaused(c.mode());
                yield null;
            }
            case Command.SetLaneMode c -> {
                TaskCommands.checkPriority(c.priority());
                loop.lanes.setLane(c.priority(), c.mode());
                loop.durable.laneMode(c.priority(), c.mode());
                resumeUnlessPaused(c.mode());
                yield null;
            }
            case Command.SwitchPolicy c -> {
                loop.switchPolicy(c.policy(), PolicyConfig.of(c.parameters()));
                yield null;
            }
            case Command.ApplyConfig c -> {
                if (c.canary() != null) { // before a policy switch: a promoted canary's queue ends as its policy takes over
                    if (c.canary().policy() != null || loop.queues.canaryPolicy() != null) {
                        loop.setCanaryPolicy(c.canary().policy(), PolicyConfig.of(c.canary().parameters()));
                    }
                    loop.flow.canaryLimits(c.canary().limits()); // before new running limits: a promoted canary's tasks join them
                }
                if (c.policy() != null) {
                    loop.switchPolicy(c.policy(), PolicyConfig.of(c.parameters())); // throws before touching anything
                }
                if (c.flow() != null) {
                    loop.reconfigureFlow(c.flow());
                }
                if (loop.events.active()) {
                    loop.events.publish(new EngineEvent.ConfigApplied(now, c.version(), c.label()));
                }
                yield null;
            }
            case Command.CrashInstance c -> {
                executor(c.instance()).crash(c.instance());
                yield instanceChanged(c.instance(), "crash injected");
            }
            case Command.SlowInstance c -> {
                executor(c.instance()).slowDown(c.instance(), c.factor());
                yield instanceChanged(c.instance(), c.factor() == 1.0 ? "speed restored" : "slowed down x" + c.factor());
            }
            case Command.SetInstanceOnline c -> {
                executor(c.instance()).setOnline(c.instance(), c.online());
                loop.durable.instanceHold(c.instance(), loop.executor.status().get(c.instance()));
                yield instanceChanged(c.instance(), c.online() ? "brought online" : "taken offline");
            }
            case Command.HangInstance c -> {
                executor(c.instance()).hang(c.instance(), c.hung());
                yield instanceChanged(c.instance(), c.hung() ? "hang injected" : "hang cleared");
            }
            case Command.LimitKvCache c -> {
                executor(c.instance()).limitKvCache(c.instance(), c.fraction());
                yield instanceChanged(c.instance(), c.fraction() == 1.0 ? "KV cache restored"
                        : "KV cache cut to " + Math.round(c.fraction() * 100) + "%");
            }
            case Command.FailPromptsAbove c -> {
                executor(c.instance()).failPromptsAbove(c.instance(), c.promptTokens());
                yield instanceChanged(c.instance(), c.promptTokens() == 0 ? "out-of-memory fault cleared"
                        : "out of memory above " + c.promptTokens() + " prompt tokens");
            }
            case Command.MarkFault c -> {
                if (loop.events.active()) {
                    loop.events.publish(new EngineEvent.FaultMarked(now, c.faultId(), c.label(), c.active()));
                }
                yield null;
            }
            case Command.DrainInstance c -> {
                executor(c.instance()).setDraining(c.instance(), c.draining());
                loop.durable.instanceHold(c.instance(), loop.executor.status().get(c.instance()));
                yield instanceChanged(c.instance(), c.draining() ? "draining" : "drain ended");
            }
            case Command.FindTask c -> {
                Task task = loop.tasks.lookup(c.taskId());
                if (task == null && loop.durable.mayHaveFinished(c.taskId(), now)) { // only the store knows it now
                    yield loop.durable.lookUp(c.taskId(), found -> Optional.ofNullable(loop.durable.fromStore(found, loop.clock.nanos())));
                }
                yield task != null ? Optional.of(task.view(now)) : Optional.ofNullable(loop.durable.remembered(c.taskId()));
            }
            case Command.ListTasks c -> queries.page(c.query(), now);
            case Command.SearchTasks c -> new SearchWalk(loop.tasks, c.search(), now); // LoopDriver runs it in slices
            case Command.SelectTasks c -> new MarkSelection(loop.tasks, c.filter(), c.max(), now); // in slices too
            case Command.CountBulk c -> { // in slices too; a dry run promised a move its run then refused
                BulkChanges.refuseUnplaceable(loop, c.action(), c.position());
                yield new BulkCounting(loop.tasks, c, now);
            }
            case Command.CheckBulk c -> { // before a run is accepted: its first slice refused it after a 202
                BulkChanges.refuseUnplaceable(loop, c.action(), c.position());
                yield null;
            }
            case Command.BulkApply c -> bulk.apply(c, now);
            case Command.RestoreMarks c -> bulk.restore(c.marks());
            case Command.WaitingTasks c -> new WaitingListing(loop.tasks, c.limitPerPriority(), loop.queues.live()); // LoopDriver runs it in slices
            case Command.Explain c -> explain(c.taskId(), now);
            case Command.TakeSnapshot c -> loop.snapshots.take(false);
            case Command.CountActive c -> loop.tasks.activeCount();
            case Command.ListParked c -> loop.flow.parkedTasks(c.tier(), t -> c.filter().matches(t.id(), t.spec(), t.state(),
                    t.priority(), now - t.arrivedAt()), c.limit(), c.after(), now);
        };
    }

    private void resumeUnlessPaused(TierMode mode) {
        if (mode != TierMode.PAUSED) {
            loop.unparkResumed();
        }
    }

    private Optional<ScoreBreakdown> explain(String id, long now) {
        Task task = loop.tasks.require(id);
        return task.state().isWaiting() ? loop.queues.policyOf(task).explain(task, now) : Optional.empty();
    }

    /** The executor, once {@code instance} is known to be one of its instances. */
    private Executor executor(int instance) {
        Executor executor = loop.executor;
        if (instance < 0 || instance >= executor.instanceCount()) {
            throw new IllegalArgumentException("instance must be between 0 and " + (executor.instanceCount() - 1)
                    + ", got " + instance);
        }
        return executor;
    }

    private Void instanceChanged(int instance, String reason) {
        EventSink events = loop.events;
        if (events.active()) {
            events.publish(new EngineEvent.InstanceChanged(loop.clock.nanos(), instance,
                    loop.executor.status().get(instance).state(), reason));
        }
        return null;
    }
}
