package io.queuedeck.engine.loop;

import io.queuedeck.engine.loop.ModelQueues.ModelQueue;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;

/**
 * Where waiting tasks join and leave: their model's policy, and the counts kept as they move
 * (by priority, by tier in {@link FlowControl}, oldest first in {@link WaitOrder}), so nothing
 * has to count them by walking the queue. Loop thread only.
 */
final class WaitingTasks {
    private final SchedulerLoop loop;
    private final int[] byPriority = new int[TaskSpec.MAX_PRIORITY + 1];
    private final WaitOrder order = new WaitOrder();

    WaitingTasks(SchedulerLoop loop) {
        this.loop = loop;
    }

    /** A task (re)joins the waiting tasks now: its wait starts again and its deadline is armed. */
    void enqueue(ModelQueue queue, Task task, long now) {
        task.setEnqueuedAt(now);
        enqueueKeepingWait(queue, task);
        order.joined(task);
        loop.deadlines.arm(task);
    }

    /** A task goes back into its queue, keeping the wait it has (a new priority, say). */
    void enqueueKeepingWait(ModelQueue queue, Task task) {
        queue.policy().enqueue(task, loop.clock.nanos());
        byPriority[task.priority()]++;
        loop.flow.joined(task);
    }

    /** Takes a waiting task out of wherever it waits (its policy, a resource's wait, a parked lane). */
    ModelQueue leaveQueue(Task task) {
        ModelQueue queue = loop.queues.of(task.model());
        if (!queue.policy().remove(task) && !loop.resources.unblock(task) && !loop.lanes.unpark(task)) {
            throw new IllegalStateException("waiting task " + task.id() + " is not in its queue");
        }
        left(task);
        return queue;
    }

    /** A task stopped waiting: it runs, finished, or is about to join again at another priority. */
    void left(Task task) {
        byPriority[task.priority()]--;
        loop.flow.left(task);
    }

    /** Sets a task's priority, re-keying it in its queue if it waits there. */
    void changePriority(Task task, int priority) {
        if (task.state().isWaiting()) { // a holder is never blocked itself: it already has its resource
            ModelQueue queue = leaveQueue(task);
            task.setPriority(priority);
            enqueueKeepingWait(queue, task);
        } else {
            task.setPriority(priority);
        }
    }

    int[] byPriority() {
        return byPriority;
    }

    long oldestEnqueue() {
        return order.oldest();
    }
}
