package io.queuedeck.engine.task;

import static io.queuedeck.engine.task.TaskState.CANCELLED;
import static io.queuedeck.engine.task.TaskState.DEAD_LETTERED;
import static io.queuedeck.engine.task.TaskState.FAILED;
import static io.queuedeck.engine.task.TaskState.PREEMPTED;
import static io.queuedeck.engine.task.TaskState.QUEUED;
import static io.queuedeck.engine.task.TaskState.RETRY_WAIT;
import static io.queuedeck.engine.task.TaskState.RUNNING;
import static io.queuedeck.engine.task.TaskState.SUCCEEDED;
import static io.queuedeck.engine.task.TaskState.TIMED_OUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TaskStateTest {

    /**
     * The lifecycle, written out by hand (rows: from, columns: to; x = allowed). It is the
     * diagram in {@link TaskState}'s Javadoc, not a copy of {@code isAllowed}.
     */
    private static final String TABLE = """
            from \\ to     QUE RUN PRE SUC FAI RET CAN TIM DEA
            QUEUED         .   x   .   .   .   .   x   x   x
            RUNNING        .   .   x   x   x   .   x   x   .
            PREEMPTED      .   x   .   .   .   .   x   x   .
            SUCCEEDED      .   .   .   .   .   .   .   .   .
            FAILED         .   .   .   .   .   x   .   .   x
            RETRY_WAIT     x   .   .   .   .   .   x   .   x
            CANCELLED      .   .   .   .   .   .   .   .   .
            TIMED_OUT      .   .   .   .   .   .   .   .   .
            DEAD_LETTERED  x   .   .   .   .   .   .   .   .
            """;

    private static final Map<TaskState, Map<TaskState, Boolean>> EXPECTED = parse(TABLE);

    /** The shortest legal path from QUEUED (where every task starts) to each state. */
    private static final Map<TaskState, List<TaskState>> PATH = new EnumMap<>(Map.of(
            QUEUED, List.of(),
            RUNNING, List.of(RUNNING),
            PREEMPTED, List.of(RUNNING, PREEMPTED),
            SUCCEEDED, List.of(RUNNING, SUCCEEDED),
            FAILED, List.of(RUNNING, FAILED),
            RETRY_WAIT, List.of(RUNNING, FAILED, RETRY_WAIT),
            CANCELLED, List.of(CANCELLED),
            TIMED_OUT, List.of(TIMED_OUT),
            DEAD_LETTERED, List.of(RUNNING, FAILED, DEAD_LETTERED)));

    static Stream<Arguments> allPairs() {
        List<Arguments> pairs = new ArrayList<>();
        for (TaskState from : TaskState.values()) {
            for (TaskState to : TaskState.values()) {
                pairs.add(Arguments.of(from, to, EXPECTED.get(from).get(to)));
            }
        }
        return pairs.stream();
    }

    @Test
    void expectedTable_coversEveryPair_81Entries() {
        assertThat(TaskState.values()).hasSize(9);
        assertThat(allPairs()).hasSize(81);
        long allowed = EXPECTED.values().stream().flatMap(row -> row.values().stream()).filter(b -> b).count();
        assertThat(allowed).isEqualTo(18);
    }

    @ParameterizedTest(name = "{0} -> {1} allowed={2}")
    @MethodSource("allPairs")
    void isAllowed_everyPair_matchesLifecycleTable(TaskState from, TaskState to, boolean allowed) {
        assertThat(TaskState.isAllowed(from, to)).isEqualTo(allowed);
    }

    @ParameterizedTest(name = "{0} -> {1} allowed={2}")
    @MethodSource("allPairs")
    void transitionTo_everyPair_movesAndRecordsOrThrowsAndChangesNothing(TaskState from, TaskState to, boolean allowed) {
        Task task = taskIn(from);
        int historyBefore = task.history().size();
        long at = 1_000_000L * (historyBefore + 7);

        if (allowed) {
            task.transitionTo(to, at);

            assertThat(task.state()).isEqualTo(to);
            assertThat(task.stateSince()).isEqualTo(at);
            assertThat(task.history()).hasSize(historyBefore + 1);
            assertThat(task.history().getLast()).isEqualTo(new Task.Transition(from, to, at));
        } else {
            assertThatThrownBy(() -> task.transitionTo(to, at))
                    .isInstanceOf(IllegalTransitionException.class)
                    .hasMessageContaining("t-1")
                    .hasMessageContaining(from + " to " + to);

            assertThat(task.state()).isEqualTo(from);
            assertThat(task.history()).hasSize(historyBefore);
        }
    }

    @Test
    void newTask_atArrival_isQueuedWithOneHistoryEntryAtArrivalTime() {
        Task task = new Task(spec(), 0, 10, 42);

        assertThat(task.state()).isEqualTo(QUEUED);
        assertThat(task.history()).containsExactly(new Task.Transition(null, QUEUED, 42));
    }

    @Test
    void transitionTo_fullRetryPath_recordsEveryMoveWithItsClockTime() {
        Task task = new Task(spec(), 0, 10, 100);

        task.transitionTo(RUNNING, 200);
        task.transitionTo(PREEMPTED, 300);
        task.transitionTo(RUNNING, 400);
        task.transitionTo(FAILED, 500);
        task.transitionTo(RETRY_WAIT, 600);
        task.transitionTo(QUEUED, 700);
        task.transitionTo(RUNNING, 800);
        task.transitionTo(SUCCEEDED, 900);

        assertThat(task.history()).containsExactly(
                new Task.Transition(null, QUEUED, 100),
                new Task.Transition(QUEUED, RUNNING, 200),
                new Task.Transition(RUNNING, PREEMPTED, 300),
                new Task.Transition(PREEMPTED, RUNNING, 400),
                new Task.Transition(RUNNING, FAILED, 500),
                new Task.Transition(FAILED, RETRY_WAIT, 600),
                new Task.Transition(RETRY_WAIT, QUEUED, 700),
                new Task.Transition(QUEUED, RUNNING, 800),
                new Task.Transition(RUNNING, SUCCEEDED, 900));
        // Waiting: 100..200 queued, 300..400 preempted, 600..800 retry wait then queued.
        assertThat(task.waitedNanos(900)).isEqualTo(100 + 100 + 200);
        assertThat(task.firstDispatchAt()).isEqualTo(200);
        assertThat(task.finishedAt()).isEqualTo(900);
        assertThat(task.preemptions()).isEqualTo(1);
    }

    @Test
    void isFinal_onlyForStatesWithNoWayOnExceptReplay() {
        assertThat(Stream.of(TaskState.values()).filter(TaskState::isFinal))
                .containsExactlyInAnyOrder(SUCCEEDED, CANCELLED, TIMED_OUT, DEAD_LETTERED);
        assertThat(Stream.of(TaskState.values()).filter(TaskState::isWaiting))
                .containsExactlyInAnyOrder(QUEUED, PREEMPTED);
    }

    private static Task taskIn(TaskState state) {
        Task task = new Task(spec(), 0, 10, 0);
        long at = 1_000_000;
        for (TaskState step : PATH.get(state)) {
            task.transitionTo(step, at);
            at += 1_000_000;
        }
        assertThat(task.state()).isEqualTo(state);
        return task;
    }

    private static TaskSpec spec() {
        return TaskSpecValidator.validate(TaskSpec.of("llama-2-7b", "hello", 5, 10).withTaskId("t-1"), () -> "unused");
    }

    private static Map<TaskState, Map<TaskState, Boolean>> parse(String table) {
        List<String> lines = table.lines().toList();
        // Columns are named by the first three letters of a state; each names exactly one.
        String[] header = lines.getFirst().trim().split("\\s+");
        List<TaskState> columns = new ArrayList<>();
        for (int i = 3; i < header.length; i++) {
            String prefix = header[i];
            List<TaskState> named = Stream.of(TaskState.values()).filter(s -> s.name().startsWith(prefix)).toList();
            if (named.size() != 1) {
                throw new IllegalArgumentException("column '" + prefix + "' must name exactly one state");
            }
            columns.add(named.getFirst());
        }
        Map<TaskState, Map<TaskState, Boolean>> result = new EnumMap<>(TaskState.class);
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.trim().split("\\s+");
            TaskState from = TaskState.valueOf(cells[0]);
            Map<TaskState, Boolean> row = new EnumMap<>(TaskState.class);
            for (int c = 0; c < columns.size(); c++) {
                TaskState to = columns.get(c);
                String cell = cells[1 + c];
                if (!cell.equals("x") && !cell.equals(".")) {
                    throw new IllegalArgumentException("bad cell '" + cell + "' in row " + from);
                }
                row.put(to, cell.equals("x"));
            }
            result.put(from, row);
        }
        if (result.size() != TaskState.values().length || columns.stream().distinct().count() != TaskState.values().length) {
            throw new IllegalArgumentException("table must have one row and one column per state");
        }
        return result;
    }
}
