package io.queuedeck.engine.bulk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.audit.AuditEntry;
import io.queuedeck.engine.audit.AuditQuery;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.BulkAction;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import org.junit.jupiter.api.Test;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Bulk actions by filter change exactly the matching tasks; an undo puts every one back where it stood. */
class BulkOperationsTest {

    private static Engine pausedEngine(int tasks) {
        // a virtual clock nobody advances: nothing runs; operations run on the calling thread
        Engine engine = Engine.builder().clock(new VirtualClock()).policy("fifo").build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        for (int i = 0; i < tasks; i++) {
            engine.send(new Command.Submit(new TaskSpec("t" + i, "llama-2-7b", "hi", 5 + i % 2, null,
                    i % 3 == 0 ? "acme" : "zeta", null, null, 8, null, null))).join();
        }
        return engine;
    }

    /** Each waiting task's lane and place, in the order the lanes list them. */
    private static Map<String, Integer> lanes(Engine engine) {
        Map<String, Integer> lanes = new LinkedHashMap<>();
        for (TaskView view : engine.send(new Command.WaitingTasks(100_000)).join()) {
            lanes.put(view.id(), view.priority());
        }
        return lanes;
    }

    private static TaskFilter tenantInLane(String tenant, int lane) {
        return new TaskFilter(null, null, tenant, null, Set.of(TaskState.QUEUED), lane, lane, null, null, null);
    }

    @Test
    void reprioritize_byFilter_changesExactlyTheMatchingTasks_andUndoRestoresThem() {
        Engine engine = pausedEngine(1_200); // more than two slices of the filter's tasks
        Map<String, Integer> before = lanes(engine);
        BulkOperations ops = engine.operations();

        BulkRequest request = new BulkRequest(tenantInLane("acme", 5), BulkAction.REPRIORITIZE, 1, null);
        assertThat(ops.count(request).join()).isEqualTo(new Command.BulkCount(200, 200));
        OperationStatus done = ops.start(request, "client:ops", "api", null);

        OperationStatus status = ops.status(done.id(), null).orElseThrow();
        assertThat(status.state()).isEqualTo("done");
        assertThat(status.changed()).isEqualTo(200);
        assertThat(status.undoable()).isTrue();
        Map<String, Integer> after = lanes(engine);
        before.forEach((id, lane) -> {
            int n = Integer.parseInt(id.substring(1));
            boolean matches = n % 3 == 0 && n % 2 == 0;
            assertThat(after.get(id)).as(id).isEqualTo(matches ? 1 : lane);
        });

        ops.undo(done.id(), "client:ops", "api", null);

        assertThat(ops.status(done.id(), null).orElseThrow().state()).isEqualTo("undone");
        assertThat(lanes(engine)).containsExactlyEntriesOf(before);
        List<AuditEntry> audit = engine.audit().find(AuditQuery.all()).entries();
        assertThat(audit).extracting(AuditEntry::action).containsExactly("bulk.undo", "bulk.reprioritize");
        assertThat(audit.get(1).tasks()).isEqualTo(200);
        assertThat(audit.get(1).target()).isEqualTo("tenant=acme state=[queued] priority=5..5");
    }

    /** The console said "Undone: 21 tasks put back where they were" of 21 tasks that had started meanwhile. */
    @Test
    void undo_ofTasksThatStartedMeanwhile_countsNoneAsPutBack() {
        Engine engine = pausedEngine(20);
        BulkOperations ops = engine.operations();
        OperationStatus done = ops.start(new BulkRequest(tenantInLane("acme", 5), BulkAction.REPRIORITIZE, 1, null),
                "client:ops", "api", null);
        assertThat(ops.status(done.id(), null).orElseThrow().changed()).isPositive();
        engine.send(new Command.PauseDispatch(false)).join(); // they start: none waits any more
        assertThat(engine.send(new Command.WaitingTasks(100)).join()).as("every task started").isEmpty();

        ops.undo(done.id(), "client:ops", "api", null);

        OperationStatus undone = ops.status(done.id(), null).orElseThrow();
        assertThat(undone.state()).isEqualTo("undone");
        assertThat(undone.restored()).isZero();
    }

    @Test
    void moveToFront_keepsTheMovedTasksOrder_andUndoRestoresExactPlaces() {
        Engine engine = pausedEngine(40);
        List<String> before = List.copyOf(lanes(engine).keySet());
        BulkOperations ops = engine.operations();

        OperationStatus op = ops.start(new BulkRequest(tenantInLane("zeta", 6), BulkAction.MOVE, 5, "front"),
                "console:ann", "console", null);

        List<String> lane5 = lanes(engine).entrySet().stream().filter(e -> e.getValue() == 5).map(Map.Entry::getKey).toList();
        List<String> moved = before.stream().filter(id -> {
            int n = Integer.parseInt(id.substring(1));
            return n % 3 != 0 && n % 2 == 1;
        }).toList();
        assertThat(lane5.subList(0, moved.size())).containsExactlyElementsOf(moved);

        ops.undo(op.id(), "console:ann", "console", null);

        assertThat(List.copyOf(lanes(engine).keySet())).containsExactlyElementsOf(before);
    }

    @Test
    void cancel_byFilter_isNotUndoable_andSkipsFinishedTasks() {
        Engine engine = pausedEngine(12);
        engine.send(new Command.Cancel("t0")).join();
        TaskFilter acme = new TaskFilter(null, null, "acme", null, null, null, null, null, null, null);

        OperationStatus op = engine.operations().start(new BulkRequest(acme, BulkAction.CANCEL, null, null), "anonymous", "api", "acme");

        OperationStatus status = engine.operations().status(op.id(), "acme").orElseThrow();
        assertThat(status.matched()).isEqualTo(4);
        assertThat(status.changed()).isEqualTo(3);
        assertThat(status.undoable()).isFalse();
        assertThat(engine.operations().status(op.id(), "zeta")).as("another tenant's operation is not there").isEmpty();
        assertThatThrownBy(() -> engine.operations().undo(op.id(), "anonymous", "api", "acme"))
                .hasMessageContaining("cannot be undone");
        Map<String, Integer> left = lanes(engine);
        assertThat(left.keySet().stream().filter(id -> Integer.parseInt(id.substring(1)) % 3 == 0)
                .collect(Collectors.toList())).isEmpty();
        assertThat(left).hasSize(8);
    }
}
