package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import org.junit.jupiter.api.Test;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The byte count of active tasks, and finished tasks forgotten by bytes as well as by number. */
class TaskTableTest {
    private static final java.util.concurrent.atomic.AtomicLong SEQUENCE = new java.util.concurrent.atomic.AtomicLong();

    private static Task deadLetter(String id, String tenant) {
        TaskSpec spec = new TaskSpec(id, "m", "x".repeat(100), 5, null, tenant, null, null, 4, null, null);
        Task task = new Task(spec, SEQUENCE.incrementAndGet(), 4, 0); // the index knows a task by its sequence
        task.transitionTo(io.queuedeck.engine.task.TaskState.DEAD_LETTERED, 1); // parked at admission
        return task;
    }

    private static void through(TaskTable table, Task task) {
        table.activate(task);
        table.retire(task);
    }

    /** A tenant's own traffic forgot another tenant's dead letters, which are kept until replayed: 404 and a second run. */
    @Test
    void deadLetters_areNotPushedOut_byOtherFinishedTasks() {
        TaskTable table = new TaskTable(3, Long.MAX_VALUE, false);
        through(table, deadLetter("g-0", "globex"));
        through(table, deadLetter("g-1", "globex"));
        for (int i = 0; i < 50; i++) {
            through(table, task("a-" + i, "x"));
        }
        assertThat(table.lookup("g-0")).isNotNull();
        assertThat(table.lookup("g-1")).isNotNull();
        assertThat(table.lookup("a-0")).isNull();
        assertThat(table.lookup("a-49")).isNotNull();
    }

    @Test
    void aTenantFloodingTheDeadLetters_evictsItsOwnOldest_notAnothersDeadLetters() {
        TaskTable table = new TaskTable(4, Long.MAX_VALUE, false); // room for four dead letters
        List<Task> evicted = new ArrayList<>();
        table.onDeadLetterEvicted(evicted::add);
        through(table, deadLetter("g-0", "globex"));
        through(table, deadLetter("g-1", "globex"));
        for (int i = 0; i < 10; i++) {
            through(table, deadLetter("a-" + i, "acme"));
        }
        assertThat(Stream.of("g-0", "g-1", "a-7", "a-8", "a-9").filter(id -> table.lookup(id) != null))
                .containsExactly("g-0", "g-1", "a-8", "a-9");
        assertThat(evicted).extracting(Task::id).containsExactly("a-0", "a-1", "a-2", "a-3", "a-4", "a-5", "a-6", "a-7");
    }

    /** With the largest tenant's letters replayed, every other tenant's new letter was the one let go at once. */
    @Test
    void afterTheLargestTenantsLettersAreReplayed_theNextLargestLosesItsOldest_notANewcomer() {
        TaskTable table = new TaskTable(4, Long.MAX_VALUE, false);
        through(table, deadLetter("a-0", "acme"));
        through(table, deadLetter("a-1", "acme"));
        through(table, deadLetter("g-0", "globex"));
        through(table, deadLetter("g-1", "globex"));
        table.activate(table.lookup("a-0")); // replayed
        table.activate(table.lookup("a-1"));
        through(table, deadLetter("g-2", "globex"));
        through(table, deadLetter("g-3", "globex"));

        through(table, deadLetter("i-0", "initech")); // past the bound: globex holds the most

        assertThat(Stream.of("g-0", "g-1", "g-2", "g-3", "i-0").filter(id -> table.lookup(id) != null))
                .containsExactly("g-1", "g-2", "g-3", "i-0");
    }

    @Test
    void deadLetters_overTheirHalfOfTheByteBudget_goOldestFirst_andAReplayFreesItsPlace() {
        long cost = TaskTable.finishedBytes(deadLetter("x", null));
        TaskTable table = new TaskTable(100, 2 * 3 * cost, false); // half of it: room for three dead letters
        for (int i = 0; i < 5; i++) {
            through(table, deadLetter("d-" + i, null));
        }
        assertThat(Stream.of("d-0", "d-1", "d-2", "d-3", "d-4").filter(id -> table.lookup(id) != null))
                .containsExactly("d-2", "d-3", "d-4");

        table.activate(table.lookup("d-2")); // replayed: queued again
        through(table, deadLetter("d-5", null));
        assertThat(Stream.of("d-2", "d-3", "d-4", "d-5").filter(id -> table.lookup(id) != null))
                .containsExactly("d-2", "d-3", "d-4", "d-5");
    }

    private static Task task(String id, String input) {
        TaskSpec spec = new TaskSpec(id, "m", input, 5, null, null, null, null, 4, null, null);
        return new Task(spec, SEQUENCE.incrementAndGet(), 4, 0);
    }

    @Test
    void bodyBytes_countTwoPerCharacterOfInputAndMetadata_plusTheOverhead() {
        TaskSpec spec = new TaskSpec("t", "m", "x".repeat(100), 5, null, null, null, null, 4, null, Map.of("k", "vv"));
        assertThat(TaskTable.bodyBytes(spec)).isEqualTo(2 * (100 + 1 + 2) + TaskTable.TASK_OVERHEAD_BYTES);
    }

    @Test
    void activeBytes_riseOnActivate_fallOnRetire_onceEach() {
        TaskTable table = new TaskTable(100, Long.MAX_VALUE, false);
        Task a = task("a", "x".repeat(1_000));
        long cost = TaskTable.bodyBytes(a.spec());

        table.activate(a);
        table.activate(a); // activating twice counts once
        assertThat(table.bodyBytes()).isEqualTo(cost);
        assertThat(table.publishedBodyBytes().get()).isEqualTo(cost);

        table.retire(a);
        table.retire(a);
        assertThat(table.bodyBytes()).isZero();
        assertThat(table.publishedBodyBytes().get()).isZero();
    }

    @Test
    void finishedTasks_overTheByteBudget_forgetTheOldestFirst() {
        long cost = TaskTable.bodyBytes(task("x", "x".repeat(1_000)).spec());
        TaskTable table = new TaskTable(100, 2 * 3 * cost, false); // half of it theirs: room for three by bytes, a hundred by number
        for (int i = 0; i < 5; i++) {
            Task t = task("t-" + i, "x".repeat(1_000));
            table.activate(t);
            table.retire(t);
        }
        assertThat(Stream.of("t-0", "t-1", "t-2", "t-3", "t-4").filter(id -> table.lookup(id) != null))
                .containsExactly("t-2", "t-3", "t-4");

        Task replayed = table.lookup("t-2"); // back to active (a replay): leaves the finished bytes
        table.activate(replayed);
        Task more = task("t-5", "x".repeat(1_000));
        table.activate(more);
        table.retire(more);
        assertThat(Stream.of("t-3", "t-4", "t-5").filter(id -> table.lookup(id) != null)).containsExactly("t-3", "t-4", "t-5");
        assertThat(table.activeCount()).isEqualTo(1); // the replay, its bytes off the finished budget
    }

    @Test
    void finishedTasks_countTheirAnswers_againstTheByteBudget() {
        long cost = TaskTable.bodyBytes(task("x", "in").spec());
        TaskTable table = new TaskTable(100, 2 * 10 * cost, false); // half of it theirs
        for (int i = 0; i < 3; i++) { // small bodies, large answers: only the answers can exceed the budget
            Task t = task("t-" + i, "in");
            t.setOutput("y".repeat((int) (2 * cost)));
            table.activate(t);
            table.retire(t);
        }
        assertThat(Stream.of("t-0", "t-1", "t-2").filter(id -> table.lookup(id) != null)).containsExactly("t-1", "t-2");
    }
}
