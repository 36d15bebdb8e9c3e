package io.queuedeck.engine.bulk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.audit.AuditEntry;
import io.queuedeck.engine.audit.AuditQuery;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.BulkAction;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.Placement;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import org.junit.jupiter.api.Test;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Bulk actions by filter change exactly the matching tasks; an undo puts every one back where it stood. */
class BulkOperationsTest {

    private static Engine pausedEngine(int tasks) {
        return pausedEngine(tasks, Engine.builder());
    }

    /** {@code tasks} tasks t0, t1, …: tenant acme when n % 3 == 0 (zeta otherwise), priority 5 when n is even (6 otherwise). */
    private static Engine pausedEngine(int tasks, Engine.Builder builder) {
        // a virtual clock nobody advances: nothing runs; operations run on the calling thread
        Engine engine = builder.clock(new VirtualClock()).policy("fifo").build();
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
        assertThat(ops.count(request).join()).isEqualTo(new io.queuedeck.engine.command.BulkCount(200, 200));
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

    /** The probe kept 2.86 M undo records (193 MB) of 50 operations against a 64 MB queue budget. */
    @Test
    void undoRecords_pastTheirBound_theOldestOperationLosesItsUndo_neverTheNewest_andACancelKeepsNone() {
        Engine engine = pausedEngine(1_200, Engine.builder().undoRecords(300));
        BulkOperations ops = engine.operations();
        Map<String, Integer> before = lanes(engine);

        OperationStatus older = ops.start(new BulkRequest(tenantInLane("acme", 5), BulkAction.REPRIORITIZE, 1, null),
                "client:ops", "api", null);
        OperationStatus newer = ops.start(new BulkRequest(tenantInLane("acme", 6), BulkAction.REPRIORITIZE, 2, null),
                "client:ops", "api", null);
        OperationStatus cancel = ops.start(new BulkRequest(tenantInLane("zeta", 5), BulkAction.CANCEL, null, null),
                "client:ops", "api", null);

        assertThat(ops.undoRecords()).as("200 + 200 over 300: the older's go; the cancel's 400 are none").isEqualTo(200);
        OperationStatus lost = ops.status(older.id(), null).orElseThrow();
        assertThat(lost.state()).isEqualTo("done");
        assertThat(lost.changed()).isEqualTo(200);
        assertThat(lost.undoable()).isFalse();
        assertThat(lost.undoUnavailable()).contains("undo records were let go").contains("300");
        assertThatThrownBy(() -> ops.undo(older.id(), "client:ops", "api", null))
                .isInstanceOf(TaskConflictException.class).hasMessageContaining("let go");
        assertThat(ops.status(cancel.id(), null).orElseThrow().changed()).isEqualTo(400);
        assertThat(ops.status(cancel.id(), null).orElseThrow().undoUnavailable()).isEqualTo("a cancel cannot be undone");
        assertThat(ops.status(newer.id(), null).orElseThrow().undoable()).isTrue();

        ops.undo(newer.id(), "client:ops", "api", null);

        Map<String, Integer> after = lanes(engine);
        before.forEach((id, lane) -> {
            int n = Integer.parseInt(id.substring(1));
            if (n % 3 == 0) { // acme: lane 5 stays at 1 (no undo), lane 6 is back
                assertThat(after.get(id)).as(id).isEqualTo(lane == 5 ? 1 : 6);
            } else {
                assertThat(after.get(id)).as(id).isEqualTo(lane == 5 ? null : lane); // zeta's lane 5 cancelled
            }
        });
        assertThat(ops.undoRecords()).as("an undone operation keeps none").isZero();
        assertThat(ops.recent(null)).extracting(OperationStatus::id).containsExactly(cancel.id(), newer.id(), older.id());
    }

    /** One tenant's large operations must not cost another tenant its undo, as they must not cost it its place in the list. */
    @Test
    void undoRecords_pastTheirBound_theTenantHoldingTheMostLosesItsOldestUndo_notAnOlderOneOfAnotherTenant() {
        Engine engine = pausedEngine(1_200, Engine.builder().undoRecords(700));
        BulkOperations ops = engine.operations();

        OperationStatus acme = ops.start(new BulkRequest(tenantInLane("acme", 5), BulkAction.REPRIORITIZE, 1, null),
                "client:acme", "api", "acme"); // 200 records
        OperationStatus zeta1 = ops.start(new BulkRequest(tenantInLane("zeta", 5), BulkAction.REPRIORITIZE, 3, null),
                "client:zeta", "api", "zeta"); // 400
        OperationStatus zeta2 = ops.start(new BulkRequest(tenantInLane("zeta", 6), BulkAction.REPRIORITIZE, 3, null),
                "client:zeta", "api", "zeta"); // 400: 1,000 over 700

        assertThat(ops.status(acme.id(), "acme").orElseThrow().undoable()).as("the oldest, but acme holds the least").isTrue();
        assertThat(ops.status(zeta1.id(), "zeta").orElseThrow().undoable()).isFalse();
        assertThat(ops.status(zeta2.id(), "zeta").orElseThrow().undoable()).as("never the newest").isTrue();
        assertThat(ops.undoRecords()).isEqualTo(600);
    }

    /** A tenant sending 55 bulks that matched nothing pushed another tenant's operation out of the list, and its undo 404'd. */
    @Test
    void aTenantsManyOperations_pushOutItsOwnOldest_neverAnotherTenants_andThoseThatChangedNothingGoFirst() {
        Engine engine = pausedEngine(30);
        BulkOperations ops = engine.operations();
        OperationStatus acme = ops.start(new BulkRequest(new TaskFilter(null, null, "acme", null, null, null, null, null,
                null, null), BulkAction.REPRIORITIZE, 8, null), "client:acme", "api", "acme");
        OperationStatus zetaReal = ops.start(new BulkRequest(new TaskFilter(null, null, "zeta", null, null, null, null,
                null, null, null), BulkAction.REPRIORITIZE, 7, null), "client:zeta", "api", "zeta");
        TaskFilter nothing = new TaskFilter("nothing", null, "zeta", null, null, null, null, null, null, null);

        for (int i = 0; i < 55; i++) {
            ops.start(new BulkRequest(nothing, BulkAction.REPRIORITIZE, 8, null), "client:zeta", "api", "zeta");
        }

        assertThat(ops.recent(null)).hasSize(KeptOperations.KEEP);
        assertThat(ops.recent("acme")).extracting(OperationStatus::id).containsExactly(acme.id());
        assertThat(ops.status(acme.id(), "acme").orElseThrow().undoable()).isTrue();
        assertThat(ops.status(zetaReal.id(), "zeta")).as("zeta's empty ones went before its real one").isPresent();
        assertThat(ops.recent("zeta")).hasSize(KeptOperations.KEEP - 1);
        ops.undo(acme.id(), "client:acme", "api", "acme");
        assertThat(ops.status(acme.id(), "acme").orElseThrow().state()).isEqualTo("undone");
    }

    /** A tenant's undo put u1 back at P6 over an admin's later PATCH to P9. */
    @Test
    void undo_leavesTasksChangedSinceAsTheyAre_andCountsThem() {
        Engine engine = pausedEngine(1_200);
        BulkOperations ops = engine.operations();
        Map<String, Integer> before = lanes(engine);
        OperationStatus op = ops.start(new BulkRequest(tenantInLane("acme", 5), BulkAction.REPRIORITIZE, 1, null),
                "client:acme", "api", "acme");
        engine.send(new Command.Reprioritize("t0", 9)).join(); // an admin's later change
        engine.send(new Command.Place("t6", null, Placement.front())).join(); // same lane, another place
        engine.send(new Command.Reprioritize("t12", 3)).join();
        engine.send(new Command.Reprioritize("t12", 1)).join(); // back at the priority it was left at, in its place

        ops.undo(op.id(), "client:acme", "api", "acme");

        OperationStatus undone = ops.status(op.id(), "acme").orElseThrow();
        assertThat(undone.state()).isEqualTo("undone");
        assertThat(undone.restored()).isEqualTo(198);
        assertThat(undone.changedSince()).isEqualTo(1 + 1);
        Map<String, Integer> expected = new HashMap<>(before);
        expected.put("t0", 9);
        expected.put("t6", 1);
        assertThat(lanes(engine)).containsExactlyInAnyOrderEntriesOf(expected);
        List<String> lane5 = lanes(engine).entrySet().stream().filter(e -> e.getValue() == 5).map(Map.Entry::getKey).toList();
        assertThat(lane5).as("the restored keep their exact places").containsExactlyElementsOf(before.entrySet().stream()
                .filter(e -> e.getValue() == 5 && !e.getKey().equals("t0") && !e.getKey().equals("t6")).map(Map.Entry::getKey).toList());
        assertThat(engine.audit().find(AuditQuery.all()).entries().getFirst().detail()).contains("2 changed since");
    }

    /** An undo racing a move put 500 tasks back at P6 although the move had changed them all. */
    @Test
    void undo_ofAnOperationWhoseTasksALaterOneMoved_leavesThemWhereTheLaterOnePutThem() {
        Engine engine = pausedEngine(1_200);
        BulkOperations ops = engine.operations();
        Map<String, Integer> before = lanes(engine);
        OperationStatus first = ops.start(new BulkRequest(tenantInLane("acme", 5), BulkAction.REPRIORITIZE, 4, null),
                "client:ops", "api", null);
        OperationStatus move = ops.start(new BulkRequest(tenantInLane("acme", 4), BulkAction.MOVE, 7, "back"),
                "client:ops", "api", null);
        assertThat(ops.status(move.id(), null).orElseThrow().changed()).isEqualTo(200);

        ops.undo(first.id(), "client:ops", "api", null);

        OperationStatus undone = ops.status(first.id(), null).orElseThrow();
        assertThat(undone.restored()).isZero();
        assertThat(undone.changedSince()).isEqualTo(200);
        Map<String, Integer> after = lanes(engine);
        assertThat(after).as("no task lost").hasSameSizeAs(before);
        before.forEach((id, lane) -> {
            int n = Integer.parseInt(id.substring(1));
            assertThat(after.get(id)).as(id).isEqualTo(n % 3 == 0 && lane == 5 ? 7 : lane);
        });

        ops.undo(move.id(), "client:ops", "api", null); // the move's own undo still works: back where the first left them

        assertThat(ops.status(move.id(), null).orElseThrow().restored()).isEqualTo(200);
        assertThat(lanes(engine).values().stream().filter(lane -> lane == 4).count()).isEqualTo(200);
    }
}
