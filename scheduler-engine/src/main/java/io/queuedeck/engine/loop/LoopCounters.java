package io.queuedeck.engine.loop;

import io.queuedeck.engine.snapshot.EngineSnapshot;

/** Totals since the loop started. Loop thread only. */
final class LoopCounters {
    long submitted, rejected, succeeded, failed, retried, cancelled, deadLettered, preemptions, timedOut;
    /** Tokens generated since start, counted as they come (a long stream counts before it ends). */
    long tokensGenerated;
    /** Dead-lettered tasks kept now (not a total: a replay takes one out). */
    int deadLetters;

    EngineSnapshot.Counters toRecord() {
        return new EngineSnapshot.Counters(submitted, rejected, succeeded, failed, retried, cancelled, deadLettered,
                preemptions, timedOut);
    }
}
