package io.queuedeck.engine.api;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Slows down token guessing: each address may present {@value #FREE_FAILURES} wrong tokens at
 * once, then one every {@value #SECONDS_PER_FAILURE} seconds. While its allowance is spent, every
 * request from it is answered 429 with {@code Retry-After}, good token or not, so a guesser cannot
 * tell a hit from a miss faster than that. Only a new wrong token counts: a client that keeps
 * sending the same stale token (or none) is answered 401 each time but is no guesser, and must not
 * lock out every other client behind the same proxy. Nor does a guesser lock out the clients
 * that already proved their token from that address: theirs is still taken while the address is
 * slowed down (a new wrong token every 2 s had locked every client behind one proxy out), until
 * {@value #CHECKS_WHILE_SLOWED} requests from it were refused in that spell; then theirs is refused
 * too, so a guesser there learns a hit on such a token at most that often. A guess that hits a
 * client not yet seen from the address is answered 429 like a miss. The buckets are
 * bounded as {@link TenantLimiter}'s are, and so are the wrong tokens remembered, by fingerprint
 * only, and the addresses clients were seen from.
 */
final class AuthThrottle {
    /** Wrong tokens an address may send in a row before it is slowed down. */
    static final int FREE_FAILURES = 10;
    /** Then one wrong token per this many seconds. */
    static final int SECONDS_PER_FAILURE = 2;
    /** Wrong tokens remembered per address: a stale token is repeated, a guesser's never are. */
    private static final int REMEMBERED_PER_ADDRESS = 8;
    private static final int REMEMBERED_ADDRESSES = 10_000;

    private final TenantLimiter failures;
    private final Map<String, Set<Long>> seen = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Set<Long>> eldest) {
            return size() > REMEMBERED_ADDRESSES;
        }
    };

    /** Refused requests from a slowed-down address after which its known clients are refused too. */
    static final int CHECKS_WHILE_SLOWED = 20;
    /** Per slowed-down address, the requests refused in its current spell. */
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger> refusedWhileSlowed =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Per address, the clients whose token was taken from it; read on every request, so lock-free. */
    private final java.util.concurrent.ConcurrentHashMap<String, Set<Object>> vouched = new java.util.concurrent.ConcurrentHashMap<>();

    AuthThrottle(LongSupplier nanos) {
        this.failures = new TenantLimiter(Map.of(), new RateLimit(1.0 / SECONDS_PER_FAILURE, FREE_FAILURES), nanos);
    }

    /** Seconds {@code address} must wait before it may try again; 0 when it may try now. */
    long waitOf(String address) {
        return failures.waitOf(address);
    }

    /**
     * A wrong (or missing: null) token from {@code address}: 0 when it may go on, else the seconds
     * it must wait. The same wrong token again costs nothing.
     */
    long failed(String address, byte[] token) {
        long fingerprint = fingerprint(token);
        synchronized (seen) {
            Set<Long> recent = seen.computeIfAbsent(address, a -> new LinkedHashSet<>());
            if (!recent.add(fingerprint)) {
                return 0;
            }
            if (recent.size() > REMEMBERED_PER_ADDRESS) {
                recent.remove(recent.iterator().next());
            }
        }
        return failures.acquire(address, 1);
    }

    /** {@code client}'s token was taken from {@code address}. */
    void succeeded(String address, Object client) {
        Set<Object> clients = vouched.get(address);
        if (clients != null && clients.contains(client)) {
            return; // the common case: nothing to write
        }
        if (vouched.size() >= REMEMBERED_ADDRESSES) {
            // bounded: one address forgotten (its clients prove themselves again); clearing them all let
            // a client with 10,000 addresses bring back the lockout for everyone else
            vouched.keySet().stream().findAny().ifPresent(vouched::remove);
        }
        vouched.computeIfAbsent(address, a -> java.util.concurrent.ConcurrentHashMap.newKeySet()).add(client);
    }

    /**
     * Whether {@code client}'s token was taken from {@code address} before, and the address's
     * current slowed-down spell has not refused {@value #CHECKS_WHILE_SLOWED} requests yet.
     */
    boolean vouchedFor(String address, Object client) {
        Set<Object> clients = vouched.get(address);
        java.util.concurrent.atomic.AtomicInteger refused = refusedWhileSlowed.get(address);
        return clients != null && clients.contains(client) && (refused == null || refused.get() < CHECKS_WHILE_SLOWED);
    }

    /** A request from {@code address} was refused while it is slowed down. */
    void refusedWhileSlowed(String address) {
        if (refusedWhileSlowed.size() >= REMEMBERED_ADDRESSES) {
            refusedWhileSlowed.keySet().stream().findAny().ifPresent(refusedWhileSlowed::remove);
        }
        refusedWhileSlowed.computeIfAbsent(address, a -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
    }

    /** {@code address} is not slowed down (any more): its next spell counts from nothing. */
    void notSlowed(String address) {
        if (!refusedWhileSlowed.isEmpty()) {
            refusedWhileSlowed.remove(address);
        }
    }

    /** Eight bytes of the token's SHA-256: enough to tell tokens apart, nothing to read one back from. */
    private static long fingerprint(byte[] token) {
        try {
            return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(token == null ? new byte[0] : token)).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
