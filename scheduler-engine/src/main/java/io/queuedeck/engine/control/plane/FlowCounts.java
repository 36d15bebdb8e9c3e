package io.queuedeck.engine.control.plane;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.snapshot.FlowStats;
import java.util.concurrent.TimeUnit;

/**
 * What flow control did to each release's tasks, summed over tiers: the loop's per-release
 * counters ({@link FlowStats#releases()}), read from a snapshot taken now, so a canary's
 * comparison counts rejections and timeouts from its start by subtracting what it saw then.
 */
record FlowCounts(Counts stable, Counts canary) {
    /** How long a status read waits for the loop before it falls back to the last published snapshot. */
    private static final long READ_TIMEOUT_MS = 2_000;

    static final FlowCounts ZERO = new FlowCounts(Counts.ZERO, Counts.ZERO);

    /**
     * One release's counts.
     *
     * @param shed     new tasks refused because their tier was full or saturated (429 or 503)
     * @param spilled  new tasks that went on to the next tier because theirs was full
     * @param parked   new tasks held in the dead letters because their tier was full
     * @param timedOut tasks that waited past their tier's queue_ttl and left as TIMED_OUT
     * @param demoted  tasks that waited past their tier's queue_ttl and moved to the next tier
     */
    record Counts(long shed, long spilled, long parked, @JsonProperty("timed_out") long timedOut, long demoted) {
        static final Counts ZERO = new Counts(0, 0, 0, 0, 0);

        Counts plus(FlowStats.ReleaseFlow r) {
            return new Counts(shed + r.shed(), spilled + r.spilled(), parked + r.parked(), timedOut + r.timedOut(),
                    demoted + r.demoted());
        }

        Counts minus(Counts o) {
            return new Counts(shed - o.shed, spilled - o.spilled, parked - o.parked, timedOut - o.timedOut,
                    demoted - o.demoted);
        }
    }

    /** The counts now; from the last published snapshot if the loop does not answer in time (zero before the first). */
    static FlowCounts of(Engine engine) {
        EngineSnapshot snapshot;
        try {
            snapshot = engine.send(new Command.TakeSnapshot()).get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            snapshot = engine.latestSnapshot();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            snapshot = engine.latestSnapshot();
        }
        if (snapshot == null) {
            return ZERO;
        }
        Counts stable = Counts.ZERO;
        Counts canary = Counts.ZERO;
        for (FlowStats.ReleaseFlow r : snapshot.flow().releases()) {
            if ("canary".equals(r.release())) {
                canary = canary.plus(r);
            } else {
                stable = stable.plus(r);
            }
        }
        return new FlowCounts(stable, canary);
    }

    /** The counts since {@code base} was read. */
    FlowCounts since(FlowCounts base) {
        return new FlowCounts(stable.minus(base.stable), canary.minus(base.canary));
    }
}
