package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.TaskPage;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

/**
 * Listings come from an index the loop keeps as tasks move; a full scan of every task the engine
 * still knows (by id) is the model. Random submissions over three tenants (one of them none),
 * cancels, crashes (failures, retries, dead letters), replays, time passing and a small finished
 * retention (so tasks are forgotten), then every filter, paged with a small limit, must list
 * exactly what the scan finds, in submission order.
 */
class TaskIndexProperties {
    private static final String[] TENANTS = {"a", "b", null};

    /** {@code kind}: 0-3 submit, 4 cancel, 5 crash, 6 replay a dead letter, 7 reprioritize, 8-9 time passes. */
    record Op(int kind, int target, int tenant, int priority) {}

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 9), Arbitraries.integers().between(0, 59),
                Arbitraries.integers().between(0, TENANTS.length - 1), Arbitraries.integers().between(0, 9)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(80);
    }

    @Property(tries = 200)
    void everyFilterListsExactlyWhatAScanFinds(@ForAll("ops") List<Op> ops) {
        VirtualClock clock = new VirtualClock();
        try (Engine engine = Engine.builder().clock(clock).finishedRetention(4)
                .executor(new SimulatedGpuExecutor(2, "m", GpuProfile.LLAMA2_7B_H100.withMaxBatch(2)))
                .build()) {
            engine.start();
            List<String> ids = new ArrayList<>();
            for (Op op : ops) {
                String target = ids.isEmpty() ? "none" : ids.get(op.target() % ids.size());
                switch (op.kind()) {
                    case 0, 1, 2, 3 -> {
                        String id = "t" + ids.size();
                        ids.add(id);
                        send(engine, new Command.Submit(new TaskSpec(id, "m", "", op.priority(), null,
                                TENANTS[op.tenant()], null, null, 20, 2, null)));
                    }
                    case 4 -> send(engine, new Command.Cancel(target));
                    case 5 -> send(engine, new Command.CrashInstance(op.target() % 2));
                    case 6 -> send(engine, new Command.RetryDeadLetter(target));
                    case 7 -> send(engine, new Command.Reprioritize(target, op.priority()));
                    default -> clock.runUntil(clock.nanos() + op.target() * 5_000_000L);
                }
            }

            List<TaskView> known = ids.stream()
                    .map(id -> engine.send(new Command.FindTask(id)).join())
                    .flatMap(Optional::stream)
                    .sorted(Comparator.comparingLong(TaskView::sequence))
                    .toList();
            List<TaskState> states = new ArrayList<>(Arrays.asList(TaskState.values()));
            states.add(null);
            for (TaskState state : states) {
                for (String tenant : Stream.of("a", "b", "c", null).toList()) {
                    List<String> expected = known.stream()
                            .filter(t -> (state == null || t.state() == state)
                                    && (tenant == null || tenant.equals(t.spec().tenant())))
                            .map(TaskView::id).toList();
                    assertThat(pagedIds(engine, state, tenant)).as("state %s, tenant %s", state, tenant)
                            .containsExactlyElementsOf(expected);
                }
            }
        }
    }

    private static List<String> pagedIds(Engine engine, TaskState state, String tenant) {
        List<String> seen = new ArrayList<>();
        long cursor = -1;
        do {
            TaskPage page = engine.send(new Command.ListTasks(new TaskQuery(state, tenant, cursor, 3))).join();
            assertThat(page.tasks()).hasSizeLessThanOrEqualTo(3);
            page.tasks().stream().map(TaskView::id).forEach(seen::add);
            cursor = page.nextSequence();
        } while (cursor >= 0);
        return seen;
    }

    /** Sends a command; a refusal (an unknown task, a state that forbids the move) is part of the game. */
    private static void send(Engine engine, Command<?> command) {
        try {
            Objects.requireNonNull(engine.send(command)).join();
        } catch (CompletionException refused) {
            // the model is the engine's own table, so a refused move changes nothing to compare
        }
    }
}
