package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import org.junit.jupiter.api.Test;
import java.util.Map;
import java.util.stream.Stream;

/** The byte count of active tasks, and finished tasks forgotten by bytes as well as by number. */
class TaskTableTest {
    private static Task task(String id, String input) {
        TaskSpec spec = new TaskSpec(id, "m", input, 5, null, null, null, null, 4, null, null);
        return new Task(spec, 0, 4, 0);
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
        TaskTable table = new TaskTable(100, 3 * cost, false); // room for three by bytes, a hundred by number
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
        TaskTable table = new TaskTable(100, 10 * cost, false);
        for (int i = 0; i < 3; i++) { // small bodies, large answers: only the answers can exceed the budget
            Task t = task("t-" + i, "in");
            t.setOutput("y".repeat((int) (2 * cost)));
            table.activate(t);
            table.retire(t);
        }
        assertThat(Stream.of("t-0", "t-1", "t-2").filter(id -> table.lookup(id) != null)).containsExactly("t-1", "t-2");
    }
}
