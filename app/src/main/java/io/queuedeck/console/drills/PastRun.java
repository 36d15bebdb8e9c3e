package io.queuedeck.console.drills;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A drill run kept in the data directory.
 *
 * @param at     when it started
 * @param holds  whether its hypothesis held
 * @param score  its resilience score, 0..100
 * @param report its report directory
 * @param aborted  whether it was cut short (kill switch, a stop condition, the console closed)
 */
public record PastRun(Instant at, String drill, boolean holds, double score, Path report, boolean aborted) {
    /** How Past runs and {@code runs.tsv} say its verdict. */
    public String verdict() {
        return aborted ? "aborted" : holds ? "holds" : "does not hold";
    }
}
