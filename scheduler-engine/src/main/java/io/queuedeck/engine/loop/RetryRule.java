package io.queuedeck.engine.loop;

/**
 * How failed attempts are retried: up to {@code maxAttempts} runs in all, waiting
 * {@code base * 2^(failures-1)}, at most {@code cap}, before each new attempt.
 */
public record RetryRule(int maxAttempts, long baseNanos, long capNanos) {
    public static final RetryRule DEFAULT = new RetryRule(3, 200_000_000L, 10_000_000_000L);

    public RetryRule {
        if (maxAttempts < 1) throw new IllegalArgumentException("max attempts must be at least 1, got " + maxAttempts);
        if (baseNanos < 0 || capNanos < baseNanos) throw new IllegalArgumentException("backoff must satisfy 0 <= base <= cap");
    }

    long backoffNanos(int failures) {
        int shift = Math.min(30, Math.max(0, failures - 1));
        long delay = baseNanos << shift;
        return delay < 0 || delay > capNanos ? capNanos : delay;
    }
}
