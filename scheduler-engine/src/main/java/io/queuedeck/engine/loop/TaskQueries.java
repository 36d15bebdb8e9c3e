package io.queuedeck.engine.loop;

import io.queuedeck.engine.policy.SchedulingPolicy;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
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
     * A page of tasks in submission order. Scans every known task (O(n log limit)): meant for
     * operators and dashboards, not for a hot path.
     */
    TaskPage page(TaskQuery query, long now) {
        // keep the `limit + 1` smallest sequences after the cursor: one more tells whether a next page exists
        PriorityQueue<Task> page = new PriorityQueue<>(query.limit() + 1,
                (a, b) -> Long.compare(b.sequence(), a.sequence()));
        for (Collection<Task> source : List.of(tasks.active(), tasks.finished())) {
            for (Task task : source) {
                if (task.sequence() > query.afterSequence() && query.matches(task.state(), task.spec().tenant())) {
                    page.offer(task);
                    if (page.size() > query.limit() + 1) {
                        page.poll();
                    }
                }
            }
        }
        boolean more = page.size() > query.limit();
        if (more) {
            page.poll();
        }
        List<TaskView> views = new ArrayList<>(page.size());
        while (!page.isEmpty()) {
            views.add(page.poll().view(now));
        }
        Collections.reverse(views);
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
