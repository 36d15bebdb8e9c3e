package io.queuedeck.engine.loop;

import io.queuedeck.engine.policy.SchedulingPolicy;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@code WaitingTasks} listing in progress: the first {@code limitPerPriority} waiting tasks of
 * each lane, in the live policy's dispatch order (by rank under policies that do not keep lane
 * order). It walks the index's queued and preempted tasks {@link #SLICE} at a time, and the loop
 * runs the commands queued meanwhile between slices, so a million waiting tasks never hold the
 * loop for more than one slice. Tasks that change between slices are judged as they are at the
 * end: one that stopped waiting is left out, one that changed lane is shown in its new lane.
 * Loop thread only.
 */
final class WaitingListing implements Sliced {
    private final TaskTable tasks;
    private final int limitPerPriority;
    private final Comparator<Task> dispatchOrder;
    private final List<PriorityQueue<Task>> firstInLane = new ArrayList<>(TaskSpec.MAX_PRIORITY + 1);
    private TaskState walking = TaskState.QUEUED;
    private long after = -1;

    WaitingListing(TaskTable tasks, int limitPerPriority, SchedulingPolicy policy) {
        this.tasks = tasks;
        this.limitPerPriority = limitPerPriority;
        // a scoring policy's comparison costs a score each time: its lanes list by rank instead
        this.dispatchOrder = policy.keepsLaneOrder() ? policy::compare : (a, b) -> Long.compare(a.rank(), b.rank());
        for (int p = 0; p <= TaskSpec.MAX_PRIORITY; p++) {
            // reversed: the head is the last of the lane kept, evicted first
            firstInLane.add(new PriorityQueue<>(dispatchOrder.reversed()));
        }
        if (limitPerPriority == 0) {
            walking = null;
        }
    }

    /** Visits up to {@link #SLICE} more waiting tasks; true once every one has been visited. */
    @Override
    public boolean step() {
        for (int visited = 0; walking != null && visited < SLICE; visited++) {
            Task task = tasks.next(walking, after);
            if (task == null) {
                walking = walking == TaskState.QUEUED ? TaskState.PREEMPTED : null;
                after = -1;
                continue;
            }
            after = task.sequence();
            PriorityQueue<Task> kept = firstInLane.get(task.priority());
            if (kept.size() < limitPerPriority) {
                kept.add(task);
            } else if (dispatchOrder.compare(task, kept.peek()) < 0) {
                kept.poll();
                kept.add(task);
            }
        }
        return walking == null;
    }

    @Override
    public Object result(long now) {
        return views(now);
    }

    /** The listing, grouped by priority 0..9, each lane in dispatch order, as the tasks are now. */
    List<TaskView> views(long now) {
        List<List<Task>> lanes = new ArrayList<>(TaskSpec.MAX_PRIORITY + 1);
        for (int p = 0; p <= TaskSpec.MAX_PRIORITY; p++) {
            lanes.add(new ArrayList<>());
        }
        for (PriorityQueue<Task> kept : firstInLane) {
            for (Task task : kept) {
                if (task.state().isWaiting()) {
                    lanes.get(task.priority()).add(task);
                }
            }
        }
        List<TaskView> views = new ArrayList<>();
        for (List<Task> lane : lanes) {
            lane.sort(dispatchOrder);
            for (Task task : lane.subList(0, Math.min(lane.size(), limitPerPriority))) {
                views.add(task.view(now));
            }
        }
        return views;
    }
}
