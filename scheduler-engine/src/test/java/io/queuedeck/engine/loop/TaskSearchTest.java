package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.InvalidTaskException;
import io.queuedeck.engine.task.SearchPage;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskSearch;
import io.queuedeck.engine.task.TaskSort;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import org.junit.jupiter.api.Test;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Search over every task: every filter, sorted pages with a total, and a task at the back of a huge lane. */
class TaskSearchTest {

    private static Engine pausedEngine() {
        // a virtual clock nobody advances: nothing runs, every task stays where it was put
        Engine engine = Engine.builder().clock(new VirtualClock()).build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        return engine;
    }

    private static void submit(Engine engine, String id, int priority, String tenant, String businessClass,
                               Map<String, String> metadata) {
        engine.send(new Command.Submit(new TaskSpec(id, "llama-2-7b", "hi", priority, null, tenant, businessClass, null,
                8, null, metadata))).join();
    }

    private static TaskFilter filter(String id, String tenant, String businessClass, Set<TaskState> states,
                                     Integer min, Integer max, String text) {
        return new TaskFilter(id, null, tenant, businessClass, states, min, max, null, null, text);
    }

    private static SearchPage search(Engine engine, TaskFilter filter, TaskSort sort, boolean descending, int offset, int limit) {
        return engine.send(new Command.SearchTasks(new TaskSearch(filter, sort, descending, offset, limit))).join();
    }

    private static List<String> ids(SearchPage page) {
        return page.tasks().stream().map(TaskView::id).toList();
    }

    @Test
    void search_taskAtTheBackOfA100kLane_isFoundByIdAndByMetadataText() {
        Engine engine = pausedEngine();
        for (int i = 0; i < 100_000; i++) {
            submit(engine, "bulk-" + i, 5, "acme", null, null);
        }
        submit(engine, "poison-7f3a", 5, "acme", null, Map.of("note", "Poison pill from batch 42"));

        SearchPage byId = search(engine, filter("poison-7f", null, null, null, null, null, null), TaskSort.SUBMITTED, false, 0, 10);
        SearchPage byText = search(engine, filter(null, "acme", null, Set.of(TaskState.QUEUED), 5, 5, "poison pill"),
                TaskSort.SUBMITTED, false, 0, 10);

        assertThat(ids(byId)).containsExactly("poison-7f3a");
        assertThat(byId.total()).isEqualTo(1);
        assertThat(ids(byText)).containsExactly("poison-7f3a");
        // the lane's own count: everything matched, one page of it returned
        SearchPage lane = search(engine, filter(null, null, null, null, 5, 5, null), TaskSort.SUBMITTED, true, 0, 3);
        assertThat(lane.total()).isEqualTo(100_001);
        assertThat(ids(lane)).containsExactly("poison-7f3a", "bulk-99999", "bulk-99998");
        assertThat(lane.hasMore()).isTrue();
    }

    @Test
    void search_sortedByPriority_pagesWithoutGapsOrRepeats() {
        Engine engine = pausedEngine();
        for (int i = 0; i < 30; i++) {
            submit(engine, "t" + i, i % 10, i % 3 == 0 ? "acme" : "zeta", i % 2 == 0 ? "batch" : "chat", null);
        }
        TaskFilter acme = filter(null, "acme", null, null, null, null, null);

        SearchPage first = search(engine, acme, TaskSort.PRIORITY, false, 0, 4);
        SearchPage second = search(engine, acme, TaskSort.PRIORITY, false, 4, 4);
        SearchPage third = search(engine, acme, TaskSort.PRIORITY, false, 8, 4);

        // acme has t0, t3, ..., t27 (priorities 0,3,6,9,2,5,8,1,4,7): ordered by priority
        assertThat(ids(first)).containsExactly("t0", "t21", "t12", "t3");
        assertThat(ids(second)).containsExactly("t24", "t15", "t6", "t27");
        assertThat(ids(third)).containsExactly("t18", "t9");
        assertThat(first.total()).isEqualTo(10);
        assertThat(third.hasMore()).isFalse();
        assertThat(search(engine, filter(null, null, "batch", null, 8, null, null), TaskSort.SUBMITTED, false, 0, 10).tasks())
                .extracting(TaskView::id).containsExactly("t8", "t18", "t28");
    }

    @Test
    void search_byStateAndAge_seesCancelledTasksAndRespectsAge() {
        VirtualClock clock = new VirtualClock();
        Engine engine = Engine.builder().clock(clock).build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        submit(engine, "old", 5, null, null, null);
        clock.runUntil(clock.nanos() + 60_000_000_000L);
        submit(engine, "new", 5, null, null, null);
        engine.send(new Command.Cancel("new")).join();

        TaskFilter olderThan30s = new TaskFilter(null, null, null, null, null, null, null, 30_000L, null, null);
        TaskFilter cancelled = filter(null, null, null, Set.of(TaskState.CANCELLED), null, null, null);
        assertThat(ids(search(engine, olderThan30s, TaskSort.SUBMITTED, false, 0, 10))).containsExactly("old");
        assertThat(ids(search(engine, cancelled, TaskSort.SUBMITTED, false, 0, 10))).containsExactly("new");
    }

    @Test
    void search_pageBeyondTheDepthLimit_isRefusedOnOffset() {
        assertThatThrownBy(() -> new TaskSearch(TaskFilter.ANY, TaskSort.SUBMITTED, false, 9_999, 2))
                .isInstanceOf(InvalidTaskException.class).hasMessageContaining("offset");
        assertThatThrownBy(() -> filter(null, null, null, null, 6, 2, null))
                .isInstanceOf(InvalidTaskException.class).hasMessageContaining("min_priority");
    }
}
