package io.queuedeck.engine.callback;

import io.queuedeck.engine.clock.EngineClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * When a failed callback is tried again: exponential backoff with jitter, unless the receiver's
 * {@code Retry-After} (seconds or an HTTP date) says otherwise, up to the cap.
 */
final class RetrySchedule {
    private final EngineClock clock;
    private final long baseNanos;
    private final long capNanos;
    private final DoubleSupplier jitter;

    /** @param jitter random numbers in [0, 1) */
    RetrySchedule(EngineClock clock, Duration base, Duration cap, DoubleSupplier jitter) {
        this.clock = clock;
        this.baseNanos = base.toNanos();
        this.capNanos = cap.toNanos();
        this.jitter = jitter;
    }

    /** The wait before the attempt after {@code attempts}: the receiver's {@code retryAfterNanos} (capped) when given, else the backoff. */
    long delayNanos(int attempts, long retryAfterNanos) {
        return retryAfterNanos >= 0 ? Math.min(retryAfterNanos, capNanos) : backoffNanos(attempts);
    }

    /** {@code base * 2^(attempt-1)}, capped, then "equal jitter": half fixed, half random. */
    long backoffNanos(int attempt) {
        int shift = Math.min(30, Math.max(0, attempt - 1));
        long delay = baseNanos << shift;
        if (delay < 0 || delay > capNanos) {
            delay = capNanos;
        }
        return delay / 2 + (long) (jitter.getAsDouble() * (delay / 2));
    }

    /** {@code Retry-After} in nanoseconds (delta-seconds or an HTTP date), or -1 when absent or unreadable. */
    long retryAfterNanos(String header) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        String value = header.trim();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? -1 : TimeUnit.SECONDS.toNanos(Math.min(seconds, 86_400));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Instant now = clock.toInstant(clock.nanos());
                return Math.max(0, Duration.between(now, at).toNanos());
            } catch (DateTimeParseException e) {
                return -1;
            }
        }
    }
}
