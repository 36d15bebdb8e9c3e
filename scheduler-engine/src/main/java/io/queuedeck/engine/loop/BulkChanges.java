package io.queuedeck.engine.loop;

import io.queuedeck.engine.command.BulkAction;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.UndoMark;
import java.util.ArrayList;
import java.util.List;

/**
 * One slice of a bulk action, and the undo of one (decision 0040). Each task is checked against
 * the action's filter again here, on the loop, so only tasks that match at the moment they are
 * changed are changed; the others are skipped, not refused. Loop thread only.
 */
final class BulkChanges {
    private final SchedulerLoop loop;

    BulkChanges(SchedulerLoop loop) {
        this.loop = loop;
    }

    /** Applies the slice; answers where each changed task stood before, and where it was left. */
    List<UndoMark> apply(Command.BulkApply c, long now) {
        if (c.priority() != null) {
            TaskCommands.checkPriority(c.priority());
        }
        boolean front = "front".equals(c.position());
        refuseUnplaceable(loop, c.action(), c.position());
        List<String> ids = c.taskIds();
        List<UndoMark> changed = new ArrayList<>();
        // a move to the front gives ever lower ranks: the last of the slice first keeps their order
        for (int i = 0; i < ids.size(); i++) {
            Task task = loop.tasks.lookup(ids.get(front ? ids.size() - 1 - i : i));
            if (task == null || !FilterWalk.matches(c.filter(), task, now)) {
                continue;
            }
            int priority = task.priority();
            long rank = task.rank();
            if (applyOne(c, task, front)) {
                changed.add(new UndoMark(task.id(), priority, rank, task.priority(), task.rank()));
            }
        }
        return changed;
    }

    /** Refuses a move to the front or back under a policy that orders each lane itself: the run and its dry run alike. */
    static void refuseUnplaceable(SchedulerLoop loop, BulkAction action, String position) {
        if (action == BulkAction.MOVE && position != null && !loop.queues.live().keepsLaneOrder()) {
            throw new TaskConflictException("the " + loop.queues.policyName() + " policy orders each lane by rules of its own;"
                    + " a move to the front or back holds under fifo, priority or mlfq (leave position out)");
        }
    }

    /**
     * Whether {@code action} would change {@code task} now: what a dry run counts and what a slice
     * checks before it changes one.
     */
    static boolean wouldChange(BulkAction action, Integer priority, String position, Task task) {
        TaskState state = task.state();
        return switch (action) {
            case REPRIORITIZE -> !state.isFinal() && state != TaskState.FAILED && task.priority() != priority;
            case MOVE -> state.isWaiting() && (position != null || task.priority() != priority); // a lane holds waiting tasks
            case CANCEL -> !state.isFinal();
            case RETRY -> TaskCommands.retryable(task);
        };
    }

    private boolean applyOne(Command.BulkApply c, Task task, boolean front) {
        if (!wouldChange(c.action(), c.priority(), c.position(), task)) {
            return false;
        }
        switch (c.action()) {
            case REPRIORITIZE -> loop.commands.reprioritize(task.id(), c.priority());
            case MOVE -> {
                if (c.position() == null) {
                    loop.commands.reprioritize(task.id(), c.priority());
                } else {
                    loop.leaveQueue(task);
                    task.setRank(front ? loop.placement.frontRank() : loop.placement.takeRank());
                    loop.rejoinQueue(task, c.priority());
                    loop.durable.saved(task);
                }
            }
            case CANCEL -> loop.commands.cancel(task.id());
            case RETRY -> loop.commands.retryDeadLetter(task.id(), c.withinBudget()); // past it: the operation fails, saying why
        }
        return true;
    }

    /**
     * Puts each task back at the priority and rank its mark holds: the exact place it had, since a
     * rank is unique and given up when a task moves. Only a task that still stands where the
     * action left it (same priority, same rank) is put back: one changed since, by hand or by
     * another operation, keeps that later change and is counted apart (an undo overwrote an
     * admin's reprioritize). A task that finished meanwhile is skipped; one that started
     * meanwhile gets its priority back but is not counted: it was not put back in its place (the
     * console said "21 put back where they were" of 21 running tasks). One lookup per mark.
     */
    io.queuedeck.engine.command.Restored restore(List<UndoMark> marks) {
        int restored = 0;
        int changedSince = 0;
        for (UndoMark mark : marks) {
            Task task = loop.tasks.lookup(mark.taskId());
            if (task == null || task.state().isFinal() || task.state() == TaskState.FAILED) {
                continue;
            }
            if (task.priority() != mark.leftPriority() || task.rank() != mark.leftRank()) {
                changedSince++;
                continue;
            }
            if (task.state().isWaiting()) {
                loop.leaveQueue(task);
                task.setRank(mark.rank());
                loop.rejoinQueue(task, mark.priority());
                loop.durable.saved(task);
                restored++;
                continue;
            }
            if (task.priority() != mark.priority()) {
                loop.setPriorityOutsideQueue(task, mark.priority());
            }
            task.setRank(mark.rank());
            loop.durable.saved(task);
        }
        return new io.queuedeck.engine.command.Restored(restored, changedSince);
    }
}
