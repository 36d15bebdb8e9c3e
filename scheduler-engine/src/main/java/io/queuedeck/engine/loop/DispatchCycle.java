package io.queuedeck.engine.loop;

import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.loop.ModelQueues.ModelQueue;
import io.queuedeck.engine.policy.SchedulingPolicy;
import io.queuedeck.engine.task.Task;
import java.util.List;

/**
 * The dispatch cycle: hands each model's runnable head to the least loaded instance that can
 * take it, evicts a lower tier's task under saturation (decision 0030), swaps running tasks for
 * more urgent ones after a step when the policy preempts, and drives the policy's ticks. It
 * changes task state only through {@link SchedulerLoop}. Loop thread only.
 */
final class DispatchCycle {
    private final SchedulerLoop loop;
    private final Executor executor;
    private boolean dispatching;
    private boolean again;

    DispatchCycle(SchedulerLoop loop) {
        this.loop = loop;
        this.executor = loop.executor;
    }

    /**
     * Hands waiting tasks to instances with room, until no instance can take its model's next
     * task, or the loop may start nothing (paused, draining, a full outbox: whoever frees it
     * calls this again).
     */
    void dispatch() {
        if (dispatching) {
            again = true; // an executor reported back from inside dispatch(): go round again
            return;
        }
        dispatching = true;
        try {
            do {
                again = false;
                if (loop.mayStart()) {
                    for (ModelQueue queue : loop.queues.all()) {
                        fill(queue);
                    }
                }
            } while (again);
        } finally {
            dispatching = false;
        }
    }

    private void fill(ModelQueue queue) {
        if (queue.instances().length == 0) {
            return; // recovered tasks of a model no instance serves now: they wait for one, and take no one's slot
        }
        long now = loop.clock.nanos();
        Task head;
        while ((head = runnableHead(queue, now)) != null) {
            int best = -1;
            int bestLoad = Integer.MAX_VALUE;
            // a retry goes to another instance when one has room: the one that just failed it (a backend
            // answering 500 while its health probe passes) took every attempt as the least loaded
            int failedOn = head.error() != null ? head.instance() : -1;
            for (int instance : queue.instances()) {
                if (executor.canAccept(instance, head) && !loop.flow.saturation.holds(instance)) {
                    int load = instance == failedOn ? Integer.MAX_VALUE - 1 : executor.load(instance);
                    if (load < bestLoad) {
                        best = instance;
                        bestLoad = load;
                    }
                }
            }
            if (best < 0) {
                if (!evictFor(queue, head, now)) {
                    return;
                }
                continue;
            }
            queue.policy().poll(now);
            loop.waiting.left(head);
            loop.run(head, best, now);
        }
    }

    /** Under saturation, a head of a tier that evicts takes a lower tier's slot (decision 0030). */
    private boolean evictFor(ModelQueue queue, Task head, long now) {
        Task victim = loop.flow.victimFor(head);
        if (victim == null || !executor.canAcceptReplacing(victim.instance(), head, victim)) {
            return false;
        }
        int instance = victim.instance();
        queue.policy().poll(now); // before the eviction changes which tier the policy would pick
        loop.waiting.left(head);
        executor.evict(victim);
        loop.flow.evicted(victim);
        loop.preempted(victim, now);
        loop.waiting.enqueue(loop.queues.of(victim.model()), victim, now);
        loop.run(head, instance, now);
        return true;
    }

    /**
     * After a step of {@code batch} on {@code instance}: each round swaps the least urgent running
     * task for a more urgent waiting one; it stops as soon as the head does not preempt the least
     * urgent, so no task is swapped back.
     */
    void preemptAfterStep(ModelQueue queue, int instance, List<Task> batch, long now) {
        SchedulingPolicy policy = queue.policy();
        for (int rounds = batch.size(); rounds > 0; rounds--) {
            Task head = runnableHead(queue, now);
            if (head == null) {
                return;
            }
            Task victim = null;
            for (int i = 0; i < batch.size(); i++) {
                Task candidate = batch.get(i);
                if (victim == null || policy.compare(candidate, victim) > 0) {
                    victim = candidate;
                }
            }
            if (victim == null || !policy.preempts(head, victim, batch.size())
                    || !executor.canAcceptReplacing(instance, head, victim)) {
                return;
            }
            executor.evict(victim);
            loop.preempted(victim, now);
            policy.poll(now);
            loop.waiting.left(head);
            loop.waiting.enqueue(queue, victim, now);
            loop.run(head, instance, now);
        }
    }

    /**
     * The policy's next task that may run now. Tasks whose exclusive resource another task holds
     * leave the queue and wait for it; under priority inheritance the holder takes their priority.
     */
    private Task runnableHead(ModelQueue queue, long now) {
        Task head;
        while ((head = queue.policy().peek(now)) != null) {
            if (loop.deadlines.overdue(head, now)) { // its timer is due but has not fired yet (or the loop just restarted)
                loop.deadlines.timeOut(head, now);
                continue;
            }
            if (loop.lanes.paused(head.priority())) {
                queue.policy().remove(head);
                loop.lanes.park(head); // still counted as waiting, in WaitingTasks
                continue;
            }
            Task holder = loop.resources.holderBlocking(head);
            if (holder == null) {
                return head;
            }
            queue.policy().remove(head); // not poll: it does not run now, and poll charges fair share for running
            loop.resources.block(head); // still counted as waiting, in WaitingTasks
            int inherited = loop.resources.inheritedPriority(holder, head);
            if (inherited >= 0) {
                loop.waiting.changePriority(holder, inherited);
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- policy ticks

    /** Starts the live policy's periodic tick, if it has one; a switched policy's ticks stop by themselves. */
    void scheduleTicks() {
        long interval = loop.queues.live().tickIntervalNanos();
        if (interval > 0) {
            long generation = loop.queues.generation();
            loop.clock.scheduleAfter(interval, () -> tick(generation, interval));
        }
    }

    private void tick(long generation, long interval) {
        if (generation != loop.queues.generation()) {
            return; // the policy was switched; its successor has its own ticks
        }
        long now = loop.clock.nanos();
        for (ModelQueue queue : loop.queues.all()) {
            queue.policy().onTick(now);
        }
        loop.dispatch();
        loop.clock.scheduleAfter(interval, () -> tick(generation, interval));
    }
}
