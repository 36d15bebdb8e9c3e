package io.queuedeck.engine.loop;

import java.util.function.LongSupplier;

/**
 * Logs a run of failures of one operation without flooding the log: the first with its stack
 * trace, then at most one line per interval counting those since, and one line when the operation
 * succeeds again. A full disk fails every store write, hundreds a second: one line each would fill
 * the log (and the disk) and bury the first, telling one. Used by a single thread.
 */
final class FailureRun {
    private final System.Logger log;
    private final String operation;
    private final LongSupplier nanos;
    private final long intervalNanos;
    private long failures;
    private long unreported;
    private long reportedAt;

    /** @param operation what failed, as the log says it: "task store write" */
    FailureRun(System.Logger log, String operation, LongSupplier nanos, long intervalNanos) {
        this.log = log;
        this.operation = operation;
        this.nanos = nanos;
        this.intervalNanos = intervalNanos;
    }

    void failed(String detail, Throwable cause) {
        long now = nanos.getAsLong();
        failures++;
        if (failures == 1) {
            reportedAt = now;
            log.log(System.Logger.Level.ERROR, operation + " failed: " + detail, cause);
            return;
        }
        unreported++;
        if (now - reportedAt >= intervalNanos) {
            log.log(System.Logger.Level.ERROR, operation + " failed " + unreported + " more times since the last report"
                    + " (" + failures + " in a row); the last: " + detail);
            unreported = 0;
            reportedAt = now;
        }
    }

    void succeeded() {
        if (failures > 0) {
            log.log(System.Logger.Level.WARNING, operation + " succeeded again after " + failures + " failures in a row");
            failures = 0;
            unreported = 0;
        }
    }
}
