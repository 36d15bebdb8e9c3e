package io.queuedeck.engine.loop;

import io.queuedeck.engine.command.Command;

/** A bulk action's dry run: every task that passes the filter, and those the action would change; walked in slices. Loop thread only. */
final class BulkCounting implements Sliced {
    private final FilterWalk walk;
    private final Command.CountBulk count;
    private int matched, wouldChange;

    BulkCounting(TaskTable tasks, Command.CountBulk count, long now) {
        this.walk = new FilterWalk(tasks, count.filter(), now);
        this.count = count;
    }

    @Override
    public boolean step() {
        return walk.step(task -> {
            matched++;
            if (BulkChanges.wouldChange(count.action(), count.priority(), count.position(), task)) {
                wouldChange++;
            }
        });
    }

    @Override
    public Object result(long now) {
        return new io.queuedeck.engine.command.BulkCount(matched, wouldChange);
    }
}
