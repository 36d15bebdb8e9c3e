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
 */
public record PastRun(Instant at, String drill, boolean holds, double score, Path report) {}
