package io.queuedeck.engine.api;

import java.util.function.LongSupplier;

/** A token bucket on an injected clock (nanoseconds), so tests can move time by hand. */
final class TokenBucket {
    private final double perSecond;
    private final int burst;
    private final LongSupplier nanos;
    private double tokens;
    private long refilledAt;

    TokenBucket(double perSecond, int burst, LongSupplier nanos) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanos = nanos;
        this.tokens = burst;
        this.refilledAt = nanos.getAsLong();
    }

    /**
     * Takes {@code n} tokens if the bucket holds them: answers 0 when taken, else the whole seconds
     * until it will hold them (at least 1; nothing is taken then).
     */
    synchronized long acquire(int n) {
        refill();
        if (tokens >= n) {
            tokens -= n;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((n - tokens) / perSecond));
    }

    /** The whole seconds until the bucket holds {@code n} tokens, taking nothing; 0 when it holds them now. */
    synchronized long waitFor(int n) {
        refill();
        return tokens >= n ? 0 : Math.max(1, (long) Math.ceil((n - tokens) / perSecond));
    }

    /** Gives back {@code n} tokens taken for submissions that were refused after all. */
    synchronized void refund(int n) {
        refill();
        tokens = Math.min(burst, tokens + n);
    }

    /** Whether the bucket is full, so forgetting it changes nothing. */
    synchronized boolean full() {
        refill();
        return tokens >= burst;
    }

    private void refill() {
        long now = nanos.getAsLong();
        tokens = Math.min(burst, tokens + Math.max(0, now - refilledAt) / 1e9 * perSecond);
        refilledAt = now;
    }
}
