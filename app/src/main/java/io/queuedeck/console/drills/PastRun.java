package io.queuedeck.console.drills;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

/**
 * A drill run kept in the data directory.
 *
 * @param at      when it started
 * @param outcome what the run showed of its hypothesis
 * @param score   its resilience score, 0..100
 * @param report  its report directory
 */
public record PastRun(Instant at, String drill, Outcome outcome, double score, Path report) {

    /** What a run showed, as Past runs say it and {@code runs.tsv} keeps it. */
    public enum Outcome {
        HOLDS("holds", "holds"),
        FAILS("fails", "does not hold"),
        /** Cut short: the kill switch, a stop condition, the console closed. */
        ABORTED("aborted", "aborted"),
        /** Ran through, but a fault it asked for was refused: the hypothesis was not tested. */
        UNTESTED("untested", "not shown to hold");

        final String key;
        final String words;

        Outcome(String key, String words) {
            this.key = key;
            this.words = words;
        }

        /** The outcome a {@code runs.tsv} key names; null for one this version does not know. */
        static Outcome ofKey(String key) {
            return Arrays.stream(values()).filter(o -> o.key.equals(key)).findFirst().orElse(null);
        }
    }

    /** How Past runs say its verdict. */
    public String verdict() {
        return outcome.words;
    }

    public boolean holds() {
        return outcome == Outcome.HOLDS;
    }
}
