package io.queuedeck.engine.clock;

/**
 * A pending timer. Cancelling is cheap: the entry stays in the heap and is skipped when due, but it
 * lets go of its action at once. A backend stream's 10-minute total timeout, cancelled when the
 * stream ended, kept the stream and its answer's buffer for those 10 minutes.
 */
public final class Timer implements Comparable<Timer> {
    final long deadline;
    final long sequence;
    Runnable action;
    private boolean cancelled;

    Timer(long deadline, long sequence, Runnable action) {
        this.deadline = deadline;
        this.sequence = sequence;
        this.action = action;
    }

    public void cancel() {
        cancelled = true;
        action = null;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    public long deadline() {
        return deadline;
    }

    @Override
    public int compareTo(Timer other) {
        // Equal deadlines fire in the order they were set: determinism for the simulator.
        int byTime = Long.compare(deadline, other.deadline);
        return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
}
