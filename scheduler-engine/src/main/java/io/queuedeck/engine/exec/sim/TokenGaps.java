package io.queuedeck.engine.exec.sim;

import io.queuedeck.engine.task.Task;
import java.util.IdentityHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The gap before each token of a task after its first (inter-token latency), as a histogram. Loop thread. */
final class TokenGaps {
    private final Map<Task, Long> lastToken = new IdentityHashMap<>();
    final Histogram histogram = new Histogram(2);

    /** {@code task} produced a token at {@code now}. */
    void token(Task task, long now) {
        Long last = lastToken.put(task, now);
        if (last != null) {
            histogram.recordValue(Math.max(0, now - last));
        }
    }

    /** {@code task} produced its last token or failed. */
    void forget(Task task) {
        lastToken.remove(task);
    }
}
