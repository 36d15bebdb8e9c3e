package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.Placement;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Operator moves against a plain list: random tasks in three lanes, random placements (front,
 * back, before or after another task, across lanes too), then each lane must list exactly the
 * model's order, no task may be lost or doubled, and the tasks must run in the order the
 * policy promises: rank alone for fifo, priority then rank for priority, and for mlfq tier,
 * level (a placed task takes its neighbour's), priority, then rank.
 */
class LanePlacementProperties {
    private static final int[] LANES = {2, 3, 4};

    /** {@code kind}: 0 front, 1 back, 2 before, 3 after; {@code lane} picks the lane for front and back. */
    record Move(int task, int kind, int anchor, int lane) {}

    @Provide
    Arbitrary<List<Move>> moves() {
        Arbitrary<Move> move = Combinators.combine(Arbitraries.integers().between(0, 99), Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 99), Arbitraries.integers().between(0, LANES.length - 1)).as(Move::new);
        return move.list().ofMinSize(1).ofMaxSize(40);
    }

    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of("fifo", "priority", "mlfq");
    }

    @Property(tries = 150)
    void lanesAndDispatchFollowTheMoves(@ForAll("policies") String policy, @ForAll @IntRange(min = 2, max = 14) int tasks,
                                        @ForAll("moves") List<Move> moves, @ForAll long seed) {
        VirtualClock clock = new VirtualClock();
        try (Engine engine = Engine.builder().clock(clock)
                .executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(1)))
                .policy(policy).build()) {
            engine.start();
            engine.send(new Command.PauseDispatch(true)).join();
            java.util.Random random = new java.util.Random(seed);
            List<String> order = new ArrayList<>();
            Map<String, Integer> priority = new HashMap<>();
            for (int i = 0; i < tasks; i++) {
                String id = "t" + i;
                int p = LANES[random.nextInt(LANES.length)];
                engine.send(new Command.Submit(new TaskSpec(id, "m", "", p, null, null, null, null, 5, 2, null))).join();
                order.add(id);
                priority.put(id, p);
            }
            for (Move move : moves) {
                String id = "t" + move.task() % tasks;
                String anchor = "t" + move.anchor() % tasks;
                if (move.kind() >= 2 && anchor.equals(id)) {
                    continue;
                }
                Placement placement = switch (move.kind()) {
                    case 0 -> Placement.front();
                    case 1 -> Placement.back();
                    case 2 -> Placement.before(anchor);
                    default -> Placement.after(anchor);
                };
                int lane = move.kind() >= 2 ? priority.get(anchor) : LANES[move.lane()];
                engine.send(new Command.Place(id, lane, placement)).join();
                order.remove(id);
                int at = switch (move.kind()) {
                    case 0 -> 0;
                    case 1 -> order.size();
                    case 2 -> order.indexOf(anchor);
                    default -> order.indexOf(anchor) + 1;
                };
                order.add(at, id);
                priority.put(id, lane);
            }

            List<TaskView> listed = engine.send(new Command.WaitingTasks(100)).join();
            assertThat(listed).hasSize(tasks);
            for (int lane : LANES) {
                assertThat(listed.stream().filter(t -> t.priority() == lane).map(TaskView::id).toList())
                        .as("lane %d", lane)
                        .containsExactlyElementsOf(order.stream().filter(id -> priority.get(id) == lane).toList());
            }

            engine.send(new Command.PauseDispatch(false)).join();
            clock.runUntil(clock.nanos() + 600_000_000_000L); // bounded: a policy with ticks never lets the clock go idle
            List<String> ran = engine.send(new Command.ListTasks(new TaskQuery(null, null, -1, 1000))).join().tasks().stream()
                    .sorted(Comparator.comparingLong(TaskView::firstDispatchAt)).map(TaskView::id).toList();
            Map<String, Integer> level = new HashMap<>();
            listed.forEach(t -> level.put(t.id(), t.level()));
            List<String> expected = switch (policy) {
                case "fifo" -> order;
                case "priority" -> order.stream().sorted(Comparator.comparingInt(priority::get)).toList();
                default -> order.stream().sorted(Comparator.<String>comparingInt(id -> io.queuedeck.engine.tier.Tiers.DEFAULT.of(priority.get(id)).index())
                        .thenComparingInt(level::get).thenComparingInt(priority::get)).toList();
            };
            assertThat(ran).containsExactlyElementsOf(expected);
        }
    }
}
