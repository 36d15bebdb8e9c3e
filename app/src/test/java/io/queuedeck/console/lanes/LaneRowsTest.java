package io.queuedeck.console.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.console.lanes.LanesViewModel.TaskRow;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import org.junit.jupiter.api.Test;

/** A refresh keeps rows whose task did not change as the same objects: a ListView's selection follows them. */
class LaneRowsTest {
    private static final long SECOND = 1_000_000_000L;

    private static TaskRow row(String id, String state, long waitOrigin, int attempts) {
        return new TaskRow(id, "m", "", 2, 0, state, waitOrigin, 8, 16, attempts);
    }

    @Test
    void update_deadLetterListedLater_keepsItsRow() {
        // a dead letter's wait is frozen (say 3 s): listed at clock 10 s and at 15 s, its wait origin reads 7 s and 12 s
        TaskRow first = row("a", "dead_lettered", 7 * SECOND, 3);
        ObservableList<TaskRow> rows = FXCollections.observableArrayList(first);
        AtomicInteger changes = new AtomicInteger();
        rows.addListener((ListChangeListener<TaskRow>) c -> changes.incrementAndGet());

        LaneRows.update(rows, List.of(row("a", "dead_lettered", 12 * SECOND, 3)));

        assertThat(changes).hasValue(0);
        assertThat(rows.getFirst()).isSameAs(first);
    }

    @Test
    void update_deadLetterWithMoreAttempts_replacesItsRow() {
        ObservableList<TaskRow> rows = FXCollections.observableArrayList(row("a", "dead_lettered", 7 * SECOND, 3));

        LaneRows.update(rows, List.of(row("a", "dead_lettered", 12 * SECOND, 4)));

        assertThat(rows.getFirst().attempts()).isEqualTo(4);
    }

    @Test
    void update_queuedTaskWhoseWaitBeganElsewhere_replacesItsRow() {
        // a queued task's wait grows with the clock, so its origin holds; 5 s apart it is another wait (requeued)
        ObservableList<TaskRow> rows = FXCollections.observableArrayList(row("a", "queued", 7 * SECOND, 0));

        LaneRows.update(rows, List.of(row("a", "queued", 12 * SECOND, 0)));

        assertThat(rows.getFirst().waitOriginNanos()).isEqualTo(12 * SECOND);
    }

    @Test
    void badge_saysTheAttemptAndAStateOtherThanWaiting_butNothingOnADeadLetter() {
        assertThat(TaskCell.flag(row("a", "queued", 0, 1))).isEmpty();
        assertThat(TaskCell.flag(row("a", "queued", 0, 2))).isEqualTo("try 2");
        assertThat(TaskCell.flag(row("a", "preempted", 0, 2))).isEqualTo("try 2 · preempted");
        assertThat(TaskCell.flag(row("a", "dead_lettered", 0, 3))).as("its wait column says 3 tries").isEmpty();
    }
}
