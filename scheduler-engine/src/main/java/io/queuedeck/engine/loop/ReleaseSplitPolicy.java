package io.queuedeck.engine.loop;

import io.queuedeck.engine.policy.ScoreBreakdown;
import io.queuedeck.engine.policy.SchedulingPolicy;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import java.util.Optional;

/**
 * A canary with its own policy (decision 0051): the tasks its split routed to it wait in a queue
 * of their own, ordered by the candidate's policy; the others in the running policy's. Dispatches
 * are shared in proportion to the tasks each release received: the next task comes from the
 * release whose share of dispatches is below its share of arrivals, or from whichever has work
 * (no slot idles while either waits). Each side may itself be split by tier ({@link TieredPolicy}).
 * Loop thread only.
 */
final class ReleaseSplitPolicy implements SchedulingPolicy {
    private final SchedulingPolicy stable;
    private final SchedulingPolicy canary;
    private long stableArrived;
    private long canaryArrived;
    private long stableServed;
    private long canaryServed;

    ReleaseSplitPolicy(SchedulingPolicy stable, SchedulingPolicy canary) {
        this.stable = stable;
        this.canary = canary;
    }

    static boolean isCanary(Task task) {
        return isCanary(task.spec());
    }

    static boolean isCanary(TaskSpec spec) {
        TaskSpec.Classification c = spec.classification();
        return c != null && TaskSpec.Classification.CANARY.equals(c.release());
    }

    private SchedulingPolicy side(Task task) {
        return isCanary(task) ? canary : stable;
    }

    /** The side the next dispatch comes from, or null when neither has work. */
    private SchedulingPolicy chosen(long now) {
        boolean stableWaits = stable.peek(now) != null;
        boolean canaryWaits = canary.peek(now) != null;
        if (!stableWaits || !canaryWaits) {
            return stableWaits ? stable : canaryWaits ? canary : null;
        }
        // canary served / all served below canary arrived / all arrived, cross-multiplied
        long arrived = stableArrived + canaryArrived;
        long served = stableServed + canaryServed;
        return (double) canaryServed * arrived < (double) canaryArrived * (served + 1) ? canary : stable;
    }

    /** The candidate's policy name, for what the snapshot and explain show. */
    String canaryName() {
        return canary.name();
    }

    @Override
    public String name() {
        return stable.name();
    }

    @Override
    public void admit(Task task, long now) {
        if (isCanary(task)) {
            canaryArrived++;
        } else {
            stableArrived++;
        }
        side(task).admit(task, now);
    }

    @Override
    public void enqueue(Task task, long now) {
        side(task).enqueue(task, now);
    }

    @Override
    public Task peek(long now) {
        SchedulingPolicy side = chosen(now);
        return side == null ? null : side.peek(now);
    }

    @Override
    public Task poll(long now) {
        SchedulingPolicy side = chosen(now);
        if (side == null) {
            return null;
        }
        if (side == canary) {
            canaryServed++;
        } else {
            stableServed++;
        }
        return side.poll(now);
    }

    /** Every waiting task, whatever caps or shares say: a switch hands them all over. */
    Task pollAny(long now) {
        Task task = ModelQueues.pollAny(stable, now);
        return task != null ? task : ModelQueues.pollAny(canary, now);
    }

    @Override
    public boolean remove(Task task) {
        return side(task).remove(task);
    }

    @Override
    public int size() {
        return stable.size() + canary.size();
    }

    @Override
    public int compare(Task a, Task b) {
        boolean ca = isCanary(a);
        // across releases no policy ranks the two: neither is more urgent than the other
        return ca == isCanary(b) ? side(a).compare(a, b) : 0;
    }

    @Override
    public boolean preemptive() {
        return stable.preemptive() || canary.preemptive();
    }

    @Override
    public boolean preempts(Task waiting, Task running, int batchSize) {
        return isCanary(waiting) == isCanary(running) && side(waiting).preempts(waiting, running, batchSize);
    }

    @Override
    public void onStep(Task running, long now) {
        side(running).onStep(running, now);
    }

    @Override
    public void onCompleted(Task task, long now) {
        side(task).onCompleted(task, now);
    }

    @Override
    public Optional<ScoreBreakdown> explain(Task task, long now) {
        return side(task).explain(task, now);
    }

    @Override
    public boolean keepsLaneOrder() {
        return stable.keepsLaneOrder() && canary.keepsLaneOrder();
    }

    @Override
    public void alignForPlace(Task moving, Task neighbour) {
        if (isCanary(moving) == isCanary(neighbour)) {
            side(neighbour).alignForPlace(moving, neighbour);
        }
    }

    @Override
    public boolean simulationOnly() {
        return stable.simulationOnly() || canary.simulationOnly();
    }

    @Override
    public long tickIntervalNanos() {
        long a = stable.tickIntervalNanos();
        long b = canary.tickIntervalNanos();
        return a == 0 ? b : b == 0 ? a : Math.min(a, b);
    }

    @Override
    public void onTick(long now) {
        stable.onTick(now);
        canary.onTick(now);
    }

    @Override
    public int levels() {
        return stable.levels();
    }

    @Override
    public int[] depthByLevel() {
        int[] levels = stable.depthByLevel().clone();
        int[] other = canary.depthByLevel();
        if (other.length == levels.length) {
            for (int i = 0; i < levels.length; i++) {
                levels[i] += other[i];
            }
        } else if (levels.length > 0) {
            levels[levels.length - 1] += canary.size(); // another shape of levels: counted in the last
        }
        return levels;
    }
}
