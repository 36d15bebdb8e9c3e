package io.queuedeck.engine.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A store whose tasks live in one store and whose instance holds (decision 0118) are kept apart as
 * text pairs: a node of a shared queue keeps what it claimed in memory (the shared queue is their
 * record) and its operator's holds in Redis under its name (decision 0122). A hold is written to
 * the pairs before the batch reaches the tasks' store. While they cannot be written (Redis down or
 * stalled) the batch still goes through: the node's tasks, its front door and its readiness do not
 * depend on its holds, and a failed batch would be carried into every later one until Redis is
 * back. The holds not written are kept here and go with the next batch, so a hold answered then is
 * applied and kept once Redis answers, unless the node stops first.
 */
final class HoldsKeptApart extends ForwardingTaskStore {
    private static final System.Logger LOG = System.getLogger(HoldsKeptApart.class.getName());
    private final TaskStore.ModePairs holds;
    /** Holds not written yet, newest last; touched by the store writer only. */
    private final Map<String, String> unsaved = new java.util.LinkedHashMap<>();
    /** The last write of holds failed (logged once, and once when they are written again). */
    private boolean failing;

    HoldsKeptApart(TaskStore tasks, TaskStore.ModePairs holds) {
        super(tasks);
        this.holds = holds;
    }

    @Override
    public StoreContents load(Instant now) {
        return withHolds(super.load(now));
    }

    @Override
    public StoreContents load(Instant now, long wholeFinishedBytes) {
        return withHolds(super.load(now, wholeFinishedBytes));
    }

    private StoreContents withHolds(StoreContents c) {
        Map<Integer, StoreContents.InstanceHold> kept = ModeKeys.contents(List.of(), holds.read()).instanceHolds();
        return new StoreContents(c.tasks(), c.tierModes(), c.laneModes(), c.dispatchPaused(), kept, c.finishedIds());
    }

    @Override
    public void write(List<StoreWrite> batch) {
        for (StoreWrite write : batch) {
            if (write instanceof StoreWrite.SetInstanceHold hold) {
                unsaved.put(ModeKeys.instance(hold.instance()), ModeKeys.hold(hold.hold()));
            }
        }
        if (!unsaved.isEmpty()) {
            try {
                holds.write(new HashMap<>(unsaved));
                unsaved.clear();
                if (failing) {
                    failing = false;
                    LOG.log(System.Logger.Level.INFO, "instance holds are kept again");
                }
            } catch (StoreUnavailableException e) {
                if (!failing) {
                    failing = true;
                    LOG.log(System.Logger.Level.WARNING, "instance holds not kept for now (they are applied, and written"
                            + " with a later batch): " + e.getMessage());
                }
            }
        }
        super.write(batch);
    }
}
