package io.queuedeck.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.tier.Tier;
import org.junit.jupiter.api.Test;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Snapshots on a virtual clock: contents, publication rate, and interval figures. */
class EngineSnapshotTest {

    private static Engine engine(VirtualClock clock) {
        return Engine.builder()
                .clock(clock)
                .executor(new SimulatedGpuExecutor(1, SimHarness.MODEL, SimHarness.ONE_AT_A_TIME))
                .snapshotInterval(Duration.ofMillis(100))
                .build();
    }

    /** Collects published snapshots, starts the engine, and submits four 2-token tasks t0..t3 of these priorities. */
    private static List<EngineSnapshot> publishingFourTasks(Engine engine, java.util.function.IntUnaryOperator priorityOf) {
        List<EngineSnapshot> published = new ArrayList<>();
        engine.onSnapshot(published::add);
        engine.start();
        for (int i = 0; i < 4; i++) {
            engine.send(new Command.Submit(SimHarness.spec("t" + i, priorityOf.applyAsInt(i), 10, 2), 2)).join();
        }
        return published;
    }

    /** The console's "Tokens generated" read 0 tok/s through a long answer: tokens counted only when their task ended. */
    @Test
    void tokensPerSecond_countsTokensAsTheyAreGenerated_beforeTheirTaskFinishes() {
        VirtualClock clock = new VirtualClock();
        try (Engine engine = engine(clock)) {
            List<EngineSnapshot> published = new ArrayList<>();
            engine.onSnapshot(published::add);
            engine.start();
            engine.send(new Command.Submit(SimHarness.spec("long", 5, 10, 5_000), 5_000)).join();

            clock.runUntil(SimHarness.millis(300));

            assertThat(published).hasSize(3);
            assertThat(published.getLast().counters().succeeded()).as("still generating").isZero();
            assertThat(published.getLast().tokensPerSecond()).as("one token a decode step of about 6 ms").isBetween(100.0, 200.0);
        }
    }

    @Test
    void publishedSnapshots_every100ms_reportTheIntervalsCompletions() {
        VirtualClock clock = new VirtualClock();
        try (Engine engine = engine(clock)) {
            List<EngineSnapshot> published = publishingFourTasks(engine, i -> 5);

            clock.runUntil(SimHarness.millis(100));

            // Four 2-token tasks, one at a time, each about 11.4 ms: all done within 100 ms.
            assertThat(published).hasSize(1);
            EngineSnapshot first = published.getFirst();
            assertThat(first.clockNanos()).isEqualTo(SimHarness.millis(100));
            assertThat(engine.latestSnapshot()).isSameAs(first);
            assertThat(first.counters().succeeded()).isEqualTo(4);
            assertThat(first.recent().endToEnd().count()).isEqualTo(4);
            assertThat(first.throughputTps()).isEqualTo(40.0);
            assertThat(first.tokensPerSecond()).isEqualTo(80.0);
            assertThat(first.queuedByTier()).containsEntry(Tier.NORMAL, 0).containsEntry(Tier.DEAD_LETTER, 0);
        }
    }

    @Test
    void snapshotNow_betweenPublishes_takesNothingFromThePublishedInterval() {
        VirtualClock clock = new VirtualClock();
        try (Engine engine = engine(clock)) {
            List<EngineSnapshot> published = publishingFourTasks(engine, i -> 5);
            clock.runUntil(SimHarness.millis(30)); // two tasks done

            EngineSnapshot asked = engine.send(new Command.TakeSnapshot()).join();
            clock.runUntil(SimHarness.millis(100));

            // Asking for a fresh snapshot is a read: the console's 100 ms series must still
            // count all four completions of its interval.
            assertThat(asked.counters().succeeded()).isEqualTo(2);
            assertThat(asked.recent().endToEnd().count()).isEqualTo(2);
            EngineSnapshot first = published.getFirst();
            assertThat(first.recent().endToEnd().count()).isEqualTo(4);
            assertThat(first.throughputTps()).isEqualTo(40.0);
        }
    }

    @Test
    void snapshot_tasksWaiting_countsThemByPriorityTierAndOldestWait() {
        VirtualClock clock = new VirtualClock();
        try (Engine engine = engine(clock)) {
            engine.start();
            engine.send(new Command.PauseDispatch(true)).join();
            engine.send(new Command.Submit(SimHarness.spec("core", 1, 10, 2))).join();
            clock.runUntil(SimHarness.millis(50));
            engine.send(new Command.Submit(SimHarness.spec("normal", 4, 10, 2))).join();
            engine.send(new Command.Submit(SimHarness.spec("batch", 8, 10, 2))).join();
            clock.runUntil(SimHarness.millis(250));

            EngineSnapshot snapshot = engine.send(new Command.TakeSnapshot()).join();

            assertThat(snapshot.dispatchPaused()).isTrue();
            assertThat(snapshot.queued()).isEqualTo(3);
            assertThat(snapshot.queuedByPriority()).containsExactly(0, 1, 0, 0, 1, 0, 0, 0, 1, 0);
            assertThat(snapshot.queuedByTier()).containsEntry(Tier.CORE, 1).containsEntry(Tier.NORMAL, 1)
                    .containsEntry(Tier.BATCH, 1).containsEntry(Tier.DEAD_LETTER, 0);
            assertThat(snapshot.oldestWaitMs()).isEqualTo(250.0);
            engine.send(new Command.Cancel("core")).join();
            assertThat(engine.send(new Command.TakeSnapshot()).join().oldestWaitMs()).isEqualTo(200.0);
        }
    }

    @Test
    void snapshotInterval_zeroOnVirtualClockByDefault_nothingPublished() {
        VirtualClock clock = new VirtualClock();
        try (Engine engine = Engine.builder().clock(clock).build()) {
            engine.start();
            engine.send(new Command.Submit(SimHarness.spec("t", 5, 10, 2))).join();

            clock.runUntilIdle();

            assertThat(engine.latestSnapshot()).isNull();
            assertThat(engine.send(new Command.TakeSnapshot()).join().counters().succeeded()).isEqualTo(1);
        }
    }

    @Test
    void lastSecond_holdsTheExactPercentilesOfTheSecondBefore_fromTheFirstSnapshotOfTheNext() {
        VirtualClock clock = new VirtualClock(); // starts on a whole second
        try (Engine engine = engine(clock)) {
            List<EngineSnapshot> published = publishingFourTasks(engine, i -> i < 2 ? 3 : 8);

            clock.runUntil(SimHarness.millis(900));
            assertThat(published.getLast().lastSecond()).as("second 0 is still open").isEqualTo(EngineSnapshot.SecondLatency.NONE);

            clock.runUntil(SimHarness.millis(1_000)); // the first snapshot of second 1 closes second 0
            EngineSnapshot.SecondLatency second = published.getLast().lastSecond();
            assertThat(second.second()).isEqualTo(VirtualClock.DEFAULT_ORIGIN);
            assertThat(second.overall().endToEnd().count()).isEqualTo(4);
            assertThat(second.byPriority().get(3).endToEnd().count()).isEqualTo(2);
            assertThat(second.byPriority().get(8).endToEnd().count()).isEqualTo(2);
            // exact: the same histogram figures as since start (the only second so far), not a mean of intervals'
            assertThat(second.overall().endToEnd().p99Ms()).isEqualTo(published.getLast().total().endToEnd().p99Ms());
            assertThat(second.overall().endToEnd().p50Ms()).isEqualTo(published.getLast().total().endToEnd().p50Ms());
        }
    }
}
