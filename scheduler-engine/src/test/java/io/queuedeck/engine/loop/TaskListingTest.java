package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import org.junit.jupiter.api.Test;
import java.util.ArrayList;
import java.util.List;

/** The read-only task listing: filters, submission order, and cursor paging without gaps or repeats. */
class TaskListingTest {

    private static Engine pausedEngineWith(int tasks) {
        // A virtual clock that nobody advances: nothing runs, so every task stays where it was put.
        Engine engine = Engine.builder().clock(new VirtualClock()).build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        for (int i = 0; i < tasks; i++) {
            TaskSpec spec = new TaskSpec("t" + i, "llama-2-7b", "hi", 5, null, i % 2 == 0 ? "even" : "odd", null, null,
                    8, null, null);
            engine.send(new Command.Submit(spec)).join();
        }
        return engine;
    }

    private static List<String> ids(TaskPage page) {
        return page.tasks().stream().map(TaskView::id).toList();
    }

    @Test
    void tasks_pagedByCursor_visitsEveryTaskOnceInSubmissionOrder() {
        Engine engine = pausedEngineWith(25);
        List<String> seen = new ArrayList<>();
        long cursor = -1;
        int pages = 0;
        do {
            TaskPage page = engine.send(new Command.ListTasks(new TaskQuery(null, null, cursor, 10))).join();
            seen.addAll(ids(page));
            cursor = page.nextSequence();
            pages++;
        } while (cursor >= 0);

        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(25).doesNotHaveDuplicates().startsWith("t0", "t1", "t2").endsWith("t24");
    }

    @Test
    void tasks_filteredByTenantAndState() {
        Engine engine = pausedEngineWith(10);
        engine.send(new Command.Cancel("t3")).join();

        assertThat(ids(engine.send(new Command.ListTasks(new TaskQuery(null, "even", -1, 100))).join()))
                .containsExactly("t0", "t2", "t4", "t6", "t8");
        assertThat(ids(engine.send(new Command.ListTasks(new TaskQuery(TaskState.CANCELLED, null, -1, 100))).join())).containsExactly("t3");
        assertThat(ids(engine.send(new Command.ListTasks(new TaskQuery(TaskState.QUEUED, "odd", -1, 100))).join()))
                .containsExactly("t1", "t5", "t7", "t9");
    }

    @Test
    void tasks_exactlyOnePageLeft_hasNoNextCursor() {
        Engine engine = pausedEngineWith(10);

        TaskPage page = engine.send(new Command.ListTasks(new TaskQuery(null, null, -1, 10))).join();

        assertThat(page.tasks()).hasSize(10);
        assertThat(page.nextSequence()).isEqualTo(-1);
    }

    @Test
    void query_limitOutOfRange_isRefused() {
        assertThatThrownBy(() -> new TaskQuery(null, null, -1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TaskQuery(null, null, -1, 1001)).isInstanceOf(IllegalArgumentException.class);
    }
}
