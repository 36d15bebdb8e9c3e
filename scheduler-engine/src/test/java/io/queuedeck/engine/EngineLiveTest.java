package io.queuedeck.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** The engine on the system clock with its loop thread: the default builder, end to end. */
class EngineLiveTest {
    private static final int TASKS = 200;
    private final Engine engine = Engine.builder().build();

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void defaultEngine_200SmallTasksFrom4Threads_allSucceedAndSnapshotsArePublished() throws InterruptedException {
        engine.start();
        EventSubscription neverDrained = engine.subscribe(10);
        List<CompletableFuture<?>> accepted = new CopyOnWriteArrayList<>();

        // Four client threads at once: the loop's command queue has many producers.
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            int client = c;
            clients.add(Thread.ofPlatform().start(() -> {
                for (int i = client; i < TASKS; i += 4) {
                    accepted.add(engine.send(new Command.Submit(TaskSpec.of(Engine.Builder.DEFAULT_MODEL, "prompt " + i, i % 10, 4)
                            .withTaskId("live-" + i))));
                }
            }));
        }
        for (Thread client : clients) {
            client.join(Duration.ofSeconds(30));
        }

        assertThat(accepted).hasSize(TASKS);
        CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> engine.send(new Command.TakeSnapshot()).join().counters().succeeded() == TASKS);
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.latestSnapshot() != null);

        EngineSnapshot end = engine.send(new Command.TakeSnapshot()).join();
        assertThat(end.counters().submitted()).isEqualTo(TASKS);
        assertThat(end.queued()).isZero();
        assertThat(end.running()).isZero();
        assertThat(end.total().endToEnd().count()).isEqualTo(TASKS);
        assertThat(engine.send(new Command.FindTask("live-199")).join()).hasValueSatisfying(t -> assertThat(t.state()).isEqualTo(TaskState.SUCCEEDED));
        // Each task published exactly three events (arrival, dispatch, completion); the mailbox
        // took the first 10 and counted the rest as dropped, without holding the loop up.
        assertThat(neverDrained.dropped()).isEqualTo(3L * TASKS - 10);
        assertThat(end.eventsDropped()).isEqualTo(3L * TASKS - 10);
        List<EngineEvent> kept = new ArrayList<>();
        assertThat(neverDrained.drain(100, kept::add)).isEqualTo(10);
    }

    @Test
    void defaultEngine_slowSubscriberAndFastOne_bothSeeTheSameStartAndWorkFinishes() {
        engine.start();
        EventSubscription slow = engine.subscribe(10);
        EventSubscription fast = engine.subscribe(10_000);

        for (int i = 0; i < TASKS; i++) {
            engine.send(new Command.Submit(TaskSpec.of(Engine.Builder.DEFAULT_MODEL, "p", 5, 4).withTaskId("t-" + i)));
        }

        await().atMost(Duration.ofSeconds(30))
                .until(() -> engine.send(new Command.TakeSnapshot()).join().counters().succeeded() == TASKS);
        List<EngineEvent> all = new ArrayList<>();
        fast.drain(Integer.MAX_VALUE, all::add);
        List<EngineEvent> firstTen = new ArrayList<>();
        slow.drain(Integer.MAX_VALUE, firstTen::add);
        assertThat(fast.dropped()).isZero();
        assertThat(all).hasSize(3 * TASKS);
        assertThat(firstTen).containsExactlyElementsOf(all.subList(0, 10));
        assertThat(slow.dropped()).isEqualTo(3L * TASKS - 10);
    }
}
