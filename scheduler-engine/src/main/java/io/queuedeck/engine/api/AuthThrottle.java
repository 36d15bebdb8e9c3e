package io.queuedeck.engine.api;

import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows down token guessing: each address may present {@value #FREE_FAILURES} wrong tokens at
 * once, then one every {@value #SECONDS_PER_FAILURE} seconds. While its allowance is spent, every
 * request from it is answered 429 with {@code Retry-After}, good token or not, so a guesser cannot
 * tell a hit from a miss faster than that. The buckets are bounded as {@link TenantLimiter}'s are.
 */
final class AuthThrottle {
    /** Wrong tokens an address may send in a row before it is slowed down. */
    static final int FREE_FAILURES = 10;
    /** Then one wrong token per this many seconds. */
    static final int SECONDS_PER_FAILURE = 2;

    private final TenantLimiter failures;

    AuthThrottle(LongSupplier nanos) {
        this.failures = new TenantLimiter(Map.of(), new RateLimit(1.0 / SECONDS_PER_FAILURE, FREE_FAILURES), nanos);
    }

    /** Seconds {@code address} must wait before it may try again; 0 when it may try now. */
    long waitOf(String address) {
        return failures.waitOf(address);
    }

    /** Counts a wrong token from {@code address}: 0 when counted, else the seconds it must wait (it is over already). */
    long failed(String address) {
        return failures.acquire(address, 1);
    }
}
