package io.queuedeck.engine.store;

import java.util.function.Supplier;

/**
 * Two Redis settings that lose acknowledged tasks without an error: no append-only file (a restart
 * goes back to the last snapshot) and an eviction policy (Redis drops records under memory
 * pressure). The Redis task store and every node of a shared queue warn about them at start
 * (docs/durability.md, "Redis"). Free of Lettuce: the caller reads the server's INFO.
 */
public final class RedisPersistence {
    private RedisPersistence() {}

    /**
     * The innermost cause's message of a failure to reach Redis: the client's own says only "Unable
     * to connect", where the cause names a refused password (NOAUTH, WRONGPASS).
     */
    public static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }

    /**
     * Logs a warning on {@code log} for each of the two settings the Redis at {@code where} runs
     * with, read from {@code info} (its {@code INFO persistence} and {@code INFO memory} sections);
     * nothing when INFO is refused or renamed, as managed servers may do.
     */
    public static void warn(System.Logger log, String where, Supplier<String> info) {
        String text;
        try {
            text = info.get();
        } catch (RuntimeException e) {
            return;
        }
        if (text.contains("aof_enabled:0")) {
            log.log(System.Logger.Level.WARNING, "Redis at " + where + " runs without appendonly: tasks acknowledged"
                    + " since its last snapshot are lost if it restarts (docs/durability.md, \"Redis\")");
        }
        if (text.contains("maxmemory_policy:") && !text.contains("maxmemory_policy:noeviction")) {
            log.log(System.Logger.Level.WARNING, "Redis at " + where + " may evict keys (maxmemory-policy is not"
                    + " noeviction): queued tasks can vanish under memory pressure (docs/durability.md, \"Redis\")");
        }
    }
}
