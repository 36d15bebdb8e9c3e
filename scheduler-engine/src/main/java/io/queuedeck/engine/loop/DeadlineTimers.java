package io.queuedeck.engine.loop;

import io.queuedeck.engine.clock.Timer;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskState;
import java.util.HashMap;
import java.util.Map;

/**
 * Times out waiting tasks at their deadline: one clock timer per task that waits with a deadline,
 * armed when it joins a queue and dropped when it finishes, so nothing ever scans the queue. A
 * task that is running when its timer fires is left to finish (decision 0023); if it comes back
 * to wait (preempted, retried) after its deadline, the timer armed then fires at once. Loop thread only.
 */
final class DeadlineTimers {
    private final SchedulerLoop loop;
    private final LoopCounters counters;
    private final boolean enforced;
    private final Map<String, Timer> armed = new HashMap<>();

    DeadlineTimers(SchedulerLoop loop, LoopCounters counters, boolean enforced) {
        this.loop = loop;
        this.counters = counters;
        this.enforced = enforced;
    }

    /** A task joined a queue: its deadline gets a timer, unless one is armed already. */
    void arm(Task task) {
        if (enforced && task.hasDeadline() && !armed.containsKey(task.id())) {
            armed.put(task.id(), loop.clock.schedule(task.deadlineAt(), () -> due(task)));
        }
    }

    /** A task finished: its timer has nothing left to do. */
    void disarm(Task task) {
        Timer timer = armed.remove(task.id());
        if (timer != null) {
            timer.cancel();
        }
    }

    /** Whether {@code task} is past its deadline at {@code now} and may not start any more. */
    boolean overdue(Task task, long now) {
        return enforced && task.hasDeadline() && now >= task.deadlineAt(); // one clock from 0: no wrap, and a deadline centuries back saturates
    }

    /**
     * Takes an overdue waiting task out of its queue as TIMED_OUT: its final view goes to the
     * outbox (and so to its callback) like any final state.
     */
    void timeOut(Task task, long now) {
        loop.leaveQueue(task);
        task.setError("deadline " + task.spec().deadline() + " passed while the task waited"); // as given: the nanos saturate
        loop.move(task, TaskState.TIMED_OUT, now);
        counters.timedOut++;
        loop.retire(task, now);
    }

    private void due(Task task) {
        armed.remove(task.id());
        if (task.state().isWaiting() && loop.tasks.lookup(task.id()) == task) {
            timeOut(task, loop.clock.nanos());
        }
        // running or waiting to retry: left alone; arm() runs again when it queues again
    }
}
