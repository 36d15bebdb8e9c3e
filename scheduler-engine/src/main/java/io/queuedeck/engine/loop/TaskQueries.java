package io.queuedeck.engine.loop;

import io.queuedeck.engine.policy.SchedulingPolicy;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/** The loop's read-only listings of tasks: pages in submission order, and the heads of the lanes. Loop thread only. */
final class TaskQueries {
    private final TaskTable tasks;

    TaskQueries(TaskTable tasks) {
        this.tasks = tasks;
    }

    /**
     * A page of tasks in submission order, read from the table's index (see {@link TaskIndex}):
     * no scan of every task, so operators and dashboards listing a large queue do not hold up the loop.
     */
    TaskPage page(TaskQuery query, long now) {
        List<TaskView> views = new ArrayList<>(Math.min(query.limit(), 64));
        boolean more = false;
        // one more than the limit tells whether a next page exists
        for (Task task = tasks.next(query, query.afterSequence()); task != null; task = tasks.next(query, task.sequence())) {
            if (views.size() == query.limit()) {
                more = true;
                break;
            }
            views.add(task.view(now));
        }
        return new TaskPage(List.copyOf(views), more ? views.getLast().sequence() : -1);
    }

    /**
     * Waiting tasks (queued or preempted), at most {@code limitPerPriority} of each priority: the
     * first of each lane in the live policy's dispatch order (under policies that keep lane order;
     * by rank, arrival order as operators left it, under the others), grouped by priority 0..9.
     * O(active tasks) per call, so callers ask at a few hertz, not per event.
     */
    List<TaskView> waiting(int limitPerPriority, SchedulingPolicy policy, long now) {
        // a scoring policy's comparison costs a score each time: its lanes list by rank instead
        Comparator<Task> dispatchOrder = policy.keepsLaneOrder() ? policy::compare
                : (a, b) -> Long.compare(a.rank(), b.rank());
        List<PriorityQueue<Task>> firstInLane = new ArrayList<>(TaskSpec.MAX_PRIORITY + 1);
        for (int p = 0; p <= TaskSpec.MAX_PRIORITY; p++) {
            // reversed: the head is the last of the lane kept, evicted first
            firstInLane.add(new PriorityQueue<>(dispatchOrder.reversed()));
        }
        if (limitPerPriority > 0) {
            for (Task task : tasks.active()) {
                if (!task.state().isWaiting()) {
                    continue;
                }
                PriorityQueue<Task> kept = firstInLane.get(task.priority());
                if (kept.size() < limitPerPriority) {
                    kept.add(task);
                } else if (dispatchOrder.compare(task, kept.peek()) < 0) {
                    kept.poll();
                    kept.add(task);
                }
            }
        }
        List<TaskView> views = new ArrayList<>();
        for (PriorityQueue<Task> kept : firstInLane) {
            List<Task> lane = new ArrayList<>(kept);
            lane.sort(dispatchOrder);
            for (Task task : lane) {
                views.add(task.view(now));
            }
        }
        return views;
    }
}
