package io.queuedeck.engine.exec.openai;

import io.queuedeck.engine.exec.BackendLoad;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;

/** One model on one backend. Loop thread only. */
final class BackendInstance {
    final int id;
    final BackendState backend;
    final String model;
    int running;
    boolean offline;
    boolean draining;
    /** Tokens its streams received, counted by their threads as they arrive. */
    final java.util.concurrent.atomic.LongAdder streamed = new java.util.concurrent.atomic.LongAdder();
    /** The count at the last rate sample, and when that was (engine nanos). */
    private long sampledTokens;
    long sampledAt = Long.MIN_VALUE;
    /** Tokens per second over the last sample window (the health interval, at least 1 s); NaN before the first. */
    double tokensPerSecond = Double.NaN;

    BackendInstance(int id, BackendState backend, String model) {
        this.id = id;
        this.backend = backend;
        this.model = model;
    }

    /** Shortest rate window. */
    private static final long MIN_WINDOW_NANOS = 1_000_000_000L;
    /** How long a time to first token is shown after the last token of any stream: an older one says nothing of now. */
    static final long TTFT_SHOWN_NANOS = 60_000_000_000L;

    /** Closes the rate sample at {@code now} if it is at least a second long. */
    void sampleRate(long now) {
        long total = streamed.sum();
        if (sampledAt == Long.MIN_VALUE) {
            sampledAt = now;
            sampledTokens = total;
        } else if (now - sampledAt >= MIN_WINDOW_NANOS) {
            tokensPerSecond = (total - sampledTokens) * 1e9 / (now - sampledAt);
            sampledTokens = total;
            sampledAt = now;
        }
    }

    /** This instance now, with its backend's load, for the engine's snapshot. */
    InstanceStatus status(long now) {
        BackendState b = backend;
        Double busyFor = now < b.pausedUntil ? (b.pausedUntil - now) / 1e9 : null;
        InstanceState state = offline ? InstanceState.OFFLINE : b.health;
        ServerLoad server = b.serverLoad;
        BackendLoad load = new BackendLoad(b.config.baseUrl().toString(), b.inUse, b.config.slots(), running,
                server.waiting(), server.running(), server.kvCacheUsage(),
                now - b.lastTokenAt < TTFT_SHOWN_NANOS ? orNull(b.ttftMs) : null, orNull(tokensPerSecond), busyFor);
        return new InstanceStatus(id, model, state, running, b.config.slots(), 0, 0, 1.0, draining, load);
    }

    private static Double orNull(double value) {
        return Double.isNaN(value) ? null : value;
    }
}
