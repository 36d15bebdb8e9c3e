package io.queuedeck.engine.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.BulkAction;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Random queues, random filters, random reprioritizes and moves: a bulk action changes no task
 * outside its filter (each one keeps its lane and its order among the others), and its undo puts
 * every lane back exactly as it was.
 */
class BulkUndoProperties {
    private static final String[] TENANTS = {"acme", "zeta", "umbra"};

    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of("fifo", "priority", "mlfq");
    }

    @Property(tries = 60)
    void bulkThenUndo_leavesOtherTasksUntouched_andRestoresEveryLane(
            @ForAll("policies") String policy, @ForAll @IntRange(min = 1, max = 60) int tasks, @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 3) int tenantPick, @ForAll @IntRange(min = 0, max = 9) int low,
            @ForAll @IntRange(min = 0, max = 9) int span, @ForAll @IntRange(min = 0, max = 9) int target,
            @ForAll @IntRange(min = 0, max = 3) int kind) {
        Random random = new Random(seed);
        try (Engine engine = Engine.builder().clock(new VirtualClock()).policy(policy).build()) {
            queuedAndPaused(engine, tasks, random);
            int high = Math.min(9, low + span);
            String tenant = tenantPick == TENANTS.length ? null : TENANTS[tenantPick];
            TaskFilter filter = new TaskFilter(null, null, tenant, null, null, low, high, null, null, null);
            BulkRequest request = switch (kind) {
                case 0 -> new BulkRequest(filter, BulkAction.REPRIORITIZE, target, null);
                case 1 -> new BulkRequest(filter, BulkAction.MOVE, target, null);
                case 2 -> new BulkRequest(filter, BulkAction.MOVE, target, "front");
                default -> new BulkRequest(filter, BulkAction.MOVE, target, "back");
            };
            List<TaskView> before = engine.send(new Command.WaitingTasks(1_000)).join();
            List<String> othersBefore = others(before, tenant, low, high);

            OperationStatus op = engine.operations().start(request, "prop", "api", null);
            List<TaskView> after = engine.send(new Command.WaitingTasks(1_000)).join();

            assertThat(others(after, tenant, low, high)).as("tasks outside the filter").isEqualTo(othersBefore);
            for (TaskView view : after) {
                if (originalMatch(view, tenant, low, high)) {
                    assertThat(view.priority()).isEqualTo(target);
                }
            }
            if (engine.operations().status(op.id(), null).orElseThrow().undoable()) {
                engine.operations().undo(op.id(), "prop", "api", null);
            }
            List<TaskView> undone = engine.send(new Command.WaitingTasks(1_000)).join();
            assertThat(lanes(undone)).as("every lane after the undo").isEqualTo(lanes(before));
        }
    }

    /**
     * Random later changes by hand between a bulk action and its undo: each task changed since
     * keeps that change, every other one goes back exactly, none is lost or put back twice, and
     * the operation counts the ones left alone.
     */
    @Property(tries = 60)
    void changesByHandAfterABulk_survivesItsUndo_andEveryOtherTaskGoesBack(
            @ForAll("policies") String policy, @ForAll @IntRange(min = 1, max = 60) int tasks, @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 9) int target, @ForAll @IntRange(min = 0, max = 2) int kind) {
        Random random = new Random(seed);
        try (Engine engine = Engine.builder().clock(new VirtualClock()).policy(policy).build()) {
            queuedAndPaused(engine, tasks, random);
            TaskFilter filter = new TaskFilter(null, null, "acme", null, null, null, null, null, null, null);
            BulkRequest request = switch (kind) {
                case 0 -> new BulkRequest(filter, BulkAction.REPRIORITIZE, target, null);
                case 1 -> new BulkRequest(filter, BulkAction.MOVE, target, null);
                default -> new BulkRequest(filter, BulkAction.MOVE, target, "back");
            };
            List<TaskView> before = engine.send(new Command.WaitingTasks(1_000)).join();
            OperationStatus op = engine.operations().start(request, "prop", "api", null);
            Map<String, Integer> byHand = new java.util.HashMap<>();
            for (TaskView view : engine.send(new Command.WaitingTasks(1_000)).join()) {
                int priority = random.nextInt(10);
                if (random.nextInt(3) == 0 && priority != view.priority()) {
                    engine.send(new Command.Reprioritize(view.id(), priority)).join();
                    byHand.put(view.id(), priority);
                }
            }
            int changedByHand = (int) before.stream().filter(v -> originalMatch(v, "acme", 0, 9)
                    && byHand.containsKey(v.id()) && (kind == 2 || v.priority() != target)).count(); // those the bulk changed

            if (engine.operations().status(op.id(), null).orElseThrow().undoable()) {
                engine.operations().undo(op.id(), "prop", "api", null);
            }

            OperationStatus done = engine.operations().status(op.id(), null).orElseThrow();
            List<TaskView> undone = engine.send(new Command.WaitingTasks(1_000)).join();
            assertThat(undone).as("no task lost").hasSameSizeAs(before);
            for (TaskView view : undone) {
                assertThat(view.priority()).as(view.id()).isEqualTo(byHand.getOrDefault(view.id(),
                        before.stream().filter(v -> v.id().equals(view.id())).findFirst().orElseThrow().priority()));
            }
            assertThat(lanes(without(undone, byHand))).as("every lane, but for the tasks changed by hand")
                    .isEqualTo(lanes(without(before, byHand)));
            assertThat(done.changedSince()).isEqualTo(changedByHand);
            assertThat(done.restored() + done.changedSince()).isEqualTo(done.changed());
        }
    }

    private static List<TaskView> without(List<TaskView> listing, Map<String, Integer> ids) {
        return listing.stream().filter(v -> !ids.containsKey(v.id())).toList();
    }

    /** Each lane's ids in order. */
    private static Map<Integer, List<String>> lanes(List<TaskView> listing) {
        return listing.stream().collect(Collectors.groupingBy(TaskView::priority, java.util.TreeMap::new,
                Collectors.mapping(TaskView::id, Collectors.toList())));
    }

    /** The tasks outside the filter (as it matched before), each with its lane, in listing order per lane. */
    private static List<String> others(List<TaskView> listing, String tenant, int low, int high) {
        List<String> kept = new ArrayList<>();
        Map<Integer, List<String>> byLane = lanes(listing);
        byLane.forEach((lane, ids) -> {
            for (String id : ids) {
                TaskView view = listing.stream().filter(v -> v.id().equals(id)).findFirst().orElseThrow();
                if (!originalMatch(view, tenant, low, high)) {
                    kept.add(lane + ":" + id);
                }
            }
        });
        return kept;
    }

    private static boolean originalMatch(TaskView view, String tenant, int low, int high) {
        int original = view.spec().priority(); // submitted priority: the bulk action is the only change
        return (tenant == null || tenant.equals(view.spec().tenant())) && original >= low && original <= high;
    }

    /** Starts {@code engine} with dispatch paused and {@code tasks} tasks of random priorities and tenants waiting. */
    private static void queuedAndPaused(Engine engine, int tasks, Random random) {
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        for (int i = 0; i < tasks; i++) {
            engine.send(new Command.Submit(new TaskSpec("t" + i, "llama-2-7b", "hi", random.nextInt(10), null,
                    TENANTS[random.nextInt(TENANTS.length)], null, null, 8, null, null))).join();
        }
    }
}
