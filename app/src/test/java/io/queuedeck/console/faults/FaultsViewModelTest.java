package io.queuedeck.console.faults;

import static io.queuedeck.console.testing.Snapshots.T0;
import static io.queuedeck.console.testing.Snapshots.gpu;
import static io.queuedeck.console.testing.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.testing.FakeLoad;
import io.queuedeck.console.testing.RecordingCommands;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.exec.InstanceState;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultsViewModelTest {
    private final RecordingCommands commands = new RecordingCommands();
    private final ChangeLog log = new ChangeLog(Clock.fixed(T0, ZoneOffset.UTC));
    private final FakeLoad load = new FakeLoad();
    private final FaultsViewModel model = new FaultsViewModel(commands, load, log);

    private void apply(EngineSnapshot s) {
        model.apply(s);
    }

    @Test
    void apply_faultyInstances_listedAsActive() {
        apply(snapshot().instances(gpu(0, InstanceState.UP, 0), gpu(1, InstanceState.SLOW, 0),
                gpu(2, InstanceState.OFFLINE, 0), gpu(3, InstanceState.LOADING, 0)).build());

        assertThat(model.activeFaults()).containsExactly(
                new FaultsViewModel.ActiveFault("GPU 1", "slowed ×3", true),
                new FaultsViewModel.ActiveFault("GPU 2", "offline", true),
                new FaultsViewModel.ActiveFault("GPU 3", "crashed: reloading its model", false));
        assertThat(model.anyClearableProperty().get()).isTrue();
    }

    @Test
    void clearAll_restoresSlowAndOfflineOnly() {
        apply(snapshot().instances(gpu(0, InstanceState.DOWN, 0), gpu(1, InstanceState.SLOW, 0),
                gpu(2, InstanceState.OFFLINE, 0)).build());

        model.clearAll();

        // a crashed GPU cannot be hurried back: it recovers after its model reloads (the first snapshot
        // lists the dead letters held: a restart brings some back)
        assertThat(commands.sent).containsExactly("dead 500", "slow 1 x1.0", "online 2");
    }

    @Test
    void burst_startsOnceAndEndIsLogged() {
        model.burst();
        model.burst();
        apply(snapshot().build());
        assertThat(model.activeFaults()).extracting(FaultsViewModel.ActiveFault::target).containsExactly("demo load");

        load.bursting = false;
        apply(snapshot().build());

        assertThat(model.activeFaults()).isEmpty();
        assertThat(log.entries()).extracting(ChangeLog.Entry::text).containsExactly("load burst ×10 for 30 s", "load burst ended");
        assertThat(commands.sent).containsExactly("audit fault.load_burst load burst ×10 for 30 s", // once, as it started once
                "dead 500"); // the dead letters held, listed at the first snapshot only
    }

    @Test
    void apply_deadLetterCountMoves_listsThemOnce() {
        commands.dead = List.of(io.queuedeck.console.testing.Tasks.waiting("d1", 5, 0));

        apply(snapshot().counters(10, 0, 5, 1).build());
        apply(snapshot().counters(11, 0, 6, 1).build());

        assertThat(commands.sent).filteredOn(s -> s.startsWith("dead")).hasSize(1);
        assertThat(model.deadLetters()).extracting(FaultsViewModel.DeadLetter::id).containsExactly("d1");
    }

    @Test
    void poisonTask_submitsOneAndLogsItAsAFault() {
        model.poisonTask();

        assertThat(commands.sent).containsExactly("poison", "audit fault.poison_task poison task");
        assertThat(log.entries()).extracting(ChangeLog.Entry::kind).containsExactly(ChangeLog.Kind.FAULT);
    }

    @Test
    void retry_sendsTheIdAndLogsIt() {
        model.retry(new FaultsViewModel.DeadLetter("t-9", 5, 3, "poison task"));

        assertThat(commands.sent).containsExactly("retry t-9");
        assertThat(log.entries()).extracting(ChangeLog.Entry::text).containsExactly("dead letter t-9 retried");
    }
}
