package io.queuedeck.engine.loop;

import io.queuedeck.engine.policy.SchedulingPolicy;
import io.queuedeck.engine.task.InvalidTaskException;
import io.queuedeck.engine.task.Placement;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.List;

/**
 * Ranks, the last tie-breaker of every policy, and the operator's move of a waiting task to a
 * place within a lane (decision 0010). Every arrival takes the next rank; a move takes a rank
 * between its new neighbours'. Loop thread only.
 */
final class LanePlacement {
    /** Gap between the ranks of consecutive arrivals: room for twenty moves to one spot before a renumbering. */
    private static final long RANK_STEP = 1L << 20;

    private final SchedulerLoop loop;
    private final TaskTable tasks;
    /** Rank of the next arrival, and the lowest rank given so far (a move to the front goes below it). */
    private long nextRank, lowestRank;

    LanePlacement(SchedulerLoop loop, TaskTable tasks) {
        this.loop = loop;
        this.tasks = tasks;
    }

    /** The rank of a new arrival: behind everything. */
    long takeRank() {
        long rank = nextRank;
        nextRank += RANK_STEP;
        return rank;
    }

    /** A rank ahead of every task's: the front of any lane. */
    long frontRank() {
        return lowestRank -= RANK_STEP;
    }

    /** Recovery: ranks go on after the recovered ones, and a move to the front below them. */
    void continueAfter(long lowest, long highest) {
        nextRank = Math.max(nextRank, highest + RANK_STEP);
        lowestRank = Math.min(lowestRank, lowest);
    }

    /**
     * Moves a waiting task to {@code priority}'s lane at {@code placement} (null priority: the
     * lane the place names, the anchor's for before and after, the task's own for front and
     * back). Only under a policy that keeps lane order: elsewhere the policy's own score decides
     * the order within a lane, and a place would not hold.
     */
    TaskView place(String id, Integer priority, Placement placement) {
        Task task = tasks.require(id);
        int lane;
        if (priority != null) {
            TaskCommands.checkPriority(priority);
            lane = priority;
        } else {
            lane = switch (placement) {
                case Placement.Before before -> laneOf(before.taskId(), "before");
                case Placement.After after -> laneOf(after.taskId(), "after");
                case Placement.Front front -> task.priority();
                case Placement.Back back -> task.priority();
            };
        }
        return place(task, lane, placement);
    }

    private int laneOf(String anchorId, String field) {
        Task anchor = tasks.lookup(anchorId);
        if (anchor == null) {
            throw new InvalidTaskException(field, "no task '" + anchorId + "'");
        }
        return anchor.priority();
    }

    private TaskView place(Task task, int priority, Placement placement) {
        String id = task.id();
        if (!task.state().isWaiting()) {
            throw new TaskConflictException("task '" + id + "' is " + task.state()
                    + "; only a waiting task can be moved within a lane");
        }
        SchedulingPolicy policy = loop.queues.policyOf(task);
        if (!policy.keepsLaneOrder()) {
            throw new TaskConflictException("the " + loop.queues.policyName() + " policy orders each lane by rules of its own;"
                    + " a place within a lane holds under fifo, priority or mlfq (moving to another priority still works)");
        }
        Task anchor = switch (placement) {
            case Placement.Before before -> anchor(task, before.taskId(), priority, "before");
            case Placement.After after -> anchor(task, after.taskId(), priority, "after");
            case Placement.Front front -> null;
            case Placement.Back back -> null;
        };
        int from = loop.ownPriority(task);
        loop.leaveQueue(task); // out of its queue before anything is re-ranked
        task.setPlaced(true);
        Task neighbour = anchor != null ? anchor : laneEnd(priority, task, policy, placement instanceof Placement.Front);
        if (neighbour != null) {
            policy.alignForPlace(task, neighbour);
        }
        long rank = switch (placement) {
            case Placement.Front front -> rankBetween(null, null, task);
            case Placement.Back back -> takeRank();
            case Placement.Before before -> rankBetween(neighbour(anchor, task, true), anchor, task);
            case Placement.After after -> rankBetween(anchor, neighbour(anchor, task, false), task);
        };
        task.setRank(rank);
        task.movedByHand(new Task.Moved(loop.clock.nanos(), from, priority, switch (placement) {
            case Placement.Front front -> "front";
            case Placement.Back back -> "back";
            case Placement.Before before -> "before " + before.taskId();
            case Placement.After after -> "after " + after.taskId();
        }));
        loop.rejoinQueue(task, priority);
        loop.durable.saved(task);
        return task.view(loop.clock.nanos());
    }

    /** The waiting task of the lane that the policy would run first (or last), other than {@code moving}; null if none. */
    private Task laneEnd(int priority, Task moving, SchedulingPolicy policy, boolean first) {
        Task end = null;
        for (Task other : tasks.active()) {
            if (other != moving && other.priority() == priority && other.state().isWaiting()
                    && (end == null || (first ? policy.compare(other, end) < 0 : policy.compare(other, end) > 0))) {
                end = other;
            }
        }
        return end;
    }

    /** The waiting task a place is given relative to; refused on {@code field} (before, after) otherwise. */
    private Task anchor(Task task, String anchorId, int priority, String field) {
        Task anchor = tasks.lookup(anchorId);
        if (anchor == null || !anchor.state().isWaiting() || anchor.priority() != priority || anchor == task) {
            throw new InvalidTaskException(field, anchor == task
                    ? "a task cannot be placed next to itself"
                    : "task '" + anchorId + "' is not waiting in the priority " + priority + " lane");
        }
        return anchor;
    }

    /**
     * The active task whose rank comes right before (or after) {@code anchor}'s, other than
     * {@code moving}; null at the end. A scan of every active task: an operator's move is rare,
     * and ranks stay unique across lanes this way.
     */
    private Task neighbour(Task anchor, Task moving, boolean before) {
        Task best = null;
        for (Task other : tasks.active()) {
            if (other == moving || other == anchor) {
                continue;
            }
            long r = other.rank();
            if (before ? r < anchor.rank() && (best == null || r > best.rank())
                    : r > anchor.rank() && (best == null || r < best.rank())) {
                best = other;
            }
        }
        return best;
    }

    /** A rank strictly between two tasks' (null: an open end); renumbers every rank when there is no room. */
    private long rankBetween(Task low, Task high, Task moving) {
        if (low == null) {
            return lowestRank -= RANK_STEP;
        }
        if (high == null) {
            return takeRank();
        }
        if (high.rank() - low.rank() < 2) {
            renumberRanks(moving);
        }
        return low.rank() + (high.rank() - low.rank()) / 2;
    }

    /**
     * Spreads the ranks of all active tasks but {@code moving} out again, keeping their order:
     * after many moves to one spot there is no rank left between two neighbours. In place: a
     * rank is a queue key, but every pair of tasks keeps its order, so every heap and ordered set
     * stays valid ({@code moving} is out of all of them).
     */
    private void renumberRanks(Task moving) {
        List<Task> all = new ArrayList<>(tasks.active());
        all.remove(moving);
        all.sort((a, b) -> Long.compare(a.rank(), b.rank()));
        nextRank = 0;
        lowestRank = 0;
        for (Task task : all) {
            task.setRank(takeRank());
            loop.durable.saved(task); // rare: after many moves to one spot
        }
    }
}
