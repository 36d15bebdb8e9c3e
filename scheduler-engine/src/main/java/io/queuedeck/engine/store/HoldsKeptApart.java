package io.queuedeck.engine.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A store whose tasks live in one store and whose instance holds (decision 0118) are kept apart as
 * text pairs: a node of a shared queue keeps what it claimed in memory (the shared queue is their
 * record) and its operator's holds in Redis under its name (decision 0122). A hold is written to
 * the pairs before the batch reaches the tasks' store, so an answer after the batch means it is kept.
 */
final class HoldsKeptApart extends ForwardingTaskStore {
    private final TaskStore.ModePairs holds;

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
        Map<String, String> changed = new HashMap<>();
        for (StoreWrite write : batch) {
            if (write instanceof StoreWrite.SetInstanceHold hold) {
                changed.put(ModeKeys.instance(hold.instance()), ModeKeys.hold(hold.hold()));
            }
        }
        if (!changed.isEmpty()) {
            holds.write(changed);
        }
        super.write(batch);
    }
}
