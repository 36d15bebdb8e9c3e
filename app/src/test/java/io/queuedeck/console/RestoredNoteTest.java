package io.queuedeck.console;

import static io.queuedeck.console.testing.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Why: after a restart the status line read "0 submitted · 0 done" over a queue of 22 that had come back, unsaid. */
class RestoredNoteTest {
    @Test
    void aQueueThatCameBack_isNamedOnTheStatusLine_besideThisRunsCounts() {
        assertThat(ConsoleApp.restoredNote(snapshot().queued(5, 22).counters(0, 0, 0, 5).build()))
                .isEqualTo(" (since start; from the last run: 22 waiting, 5 dead letters)");
        assertThat(ConsoleApp.restoredNote(snapshot().queued(8, 1).counters(0, 0, 0, 1).build()))
                .isEqualTo(" (since start; from the last run: 1 waiting, 1 dead letter)");
        assertThat(ConsoleApp.restoredNote(snapshot().build())).isEmpty();
    }
}
