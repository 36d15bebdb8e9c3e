package io.queuedeck.engine.exec.sim;

import io.queuedeck.engine.task.Task;
import java.util.IdentityHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The gap before each token of a task after its first (inter-token latency), as a histogram. Loop
 * thread. A running sequence keeps its last token's time itself ({@link #NONE} before its first);
 * only a task that leaves its instance unfinished is parked here, so that the gap across a
 * preemption is measured when it runs again.
 */
final class TokenGaps {
    /** No token yet. */
    static final long NONE = Long.MIN_VALUE;
    private final Map<Task, Long> parked = new IdentityHashMap<>();
    final Histogram histogram = new Histogram(2);

    /** {@code task} produced a token at {@code now} (the simple model, which keeps no per-sequence state). */
    void token(Task task, long now) {
        Long last = parked.put(task, now);
        token(last == null ? NONE : last, now);
    }

    /** {@code task} produced its last token or failed (the simple model). */
    void forget(Task task) {
        parked.remove(task);
    }

    /** A token at {@code now} after one at {@code last}; returns {@code now}, the new last. */
    long token(long last, long now) {
        if (last != NONE) {
            histogram.recordValue(Math.max(0, now - last));
        }
        return now;
    }

    /** {@code task} left its instance unfinished after a token at {@code last}. */
    void park(Task task, long last) {
        if (last != NONE) {
            parked.put(task, last);
        }
    }

    /** {@code task} joins an instance: its last token before it left one, or {@link #NONE}. */
    long resume(Task task) {
        if (parked.isEmpty()) {
            return NONE;
        }
        Long last = parked.remove(task);
        return last == null ? NONE : last;
    }
}
