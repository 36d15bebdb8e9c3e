package io.queuedeck.console.gpus;

import static io.queuedeck.console.testing.Snapshots.T0;
import static io.queuedeck.console.testing.Snapshots.gpu;
import static io.queuedeck.console.testing.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.GpuRow;
import io.queuedeck.console.testing.RecordingCommands;
import io.queuedeck.engine.exec.BackendLoad;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javafx.collections.ListChangeListener;
import org.junit.jupiter.api.Test;

class GpusViewModelTest {
    private final RecordingCommands commands = new RecordingCommands();
    private final ChangeLog log = new ChangeLog(Clock.fixed(T0, ZoneOffset.UTC));
    private final GpusViewModel model = new GpusViewModel(commands, log);

    @Test
    void apply_rowsFollowInstances() {
        model.apply(snapshot().instances(gpu(0, InstanceState.UP, 16), gpu(1, InstanceState.SLOW, 8)).build());

        assertThat(model.rows()).hasSize(2);
        assertThat(model.rows().get(0).batchFraction()).isEqualTo(0.5);
        assertThat(model.rows().get(1).stateText()).isEqualTo("slow ×3");
    }

    @Test
    void anOfflineGpu_doesNotSayFullSpeed() {
        model.apply(snapshot().instances(gpu(0, InstanceState.UP, 16), gpu(1, InstanceState.OFFLINE, 0)).build());

        assertThat(model.rows().get(0).speedText()).isEqualTo("full speed");
        assertThat(model.rows().get(1).speedText()).isEqualTo("runs nothing");
    }

    @Test
    void aGpuThatRunsTasksAndDoesNotMove_forFiveSeconds_makesNoProgress() {
        InstanceStatus hung = new InstanceStatus(0, "m", InstanceState.UP, 4, 32, 1_000, 10_000, 1.0);
        InstanceStatus idle = new InstanceStatus(1, "m", InstanceState.UP, 0, 32, 0, 10_000, 1.0);
        for (int second = 0; second <= 6; second++) { // a hang looks "up · full speed" to the engine
            model.apply(snapshot().at(T0.plusSeconds(second)).instances(hung, idle).build());
        }
        assertThat(model.stalledProperty().get()).containsExactly(java.util.Map.entry(0, 6L));

        model.apply(snapshot().at(T0.plusSeconds(7)).instances(
                new InstanceStatus(0, "m", InstanceState.UP, 4, 32, 1_016, 10_000, 1.0), idle).build());
        assertThat(model.stalledProperty().get()).as("a decode step moved its KV cache").isEmpty();
    }

    @Test
    void shortId_keepsTheEndWhereClientsNumberTheirIds() {
        assertThat(GpusView.shortId("bulk-01400")).isEqualTo("bulk-01400"); // was "bulk-014", as its neighbour
        assertThat(GpusView.shortId("6fd5a1c2-0d4e-4b7e-9a51-3f0c2d9e8b71")).isEqualTo("…c2d9e8b71");
    }

    @Test
    void apply_oneInstanceChanged_onlyItsRowReplaced() {
        model.apply(snapshot().instances(gpu(0, InstanceState.UP, 16), gpu(1, InstanceState.UP, 8)).build());
        List<Integer> replaced = new ArrayList<>();
        model.rows().addListener((ListChangeListener<GpuRow>) c -> {
            while (c.next()) {
                replaced.add(c.getFrom());
            }
        });

        model.apply(snapshot().instances(gpu(0, InstanceState.UP, 16), gpu(1, InstanceState.OFFLINE, 0)).build());

        assertThat(replaced).containsExactly(1);
    }

    @Test
    void commands_sentAndLoggedWhenAccepted() {
        model.crash(2);
        model.slow(1, 5);
        model.setOnline(3, false);
        model.setOnline(3, true);

        assertThat(commands.sent).containsExactly("crash 2", "slow 1 x5.0", "offline 3", "online 3");
        assertThat(log.entries()).extracting(ChangeLog.Entry::text)
                .containsExactly("crash injected on GPU 2", "GPU 1 slowed ×5", "GPU 3 taken offline", "GPU 3 brought online");
    }

    @Test
    void backendInstance_rowShowsUrlSlotsTtftRateAndTheServersOwnFigures() {
        BackendLoad load = new BackendLoad("http://gpu1:8000", 3, 8, 2, 7.0, 5.0, 0.42, 141.6, 512.3);
        model.apply(snapshot().instances(new InstanceStatus(0, "llama", InstanceState.UP, 2, 8, 0, 0, 1.0, true, load),
                new InstanceStatus(1, "qwen", InstanceState.UP, 1, 8, 0, 0, 1.0, false,
                        new BackendLoad("http://gpu2:8000", 1, 8, 1, null, null, null, null, null))).build());

        GpuRow row = model.rows().get(0);
        assertThat(row.isBackend()).isTrue();
        assertThat(row.backend().url()).isEqualTo("http://gpu1:8000");
        assertThat(row.model()).isEqualTo("llama");
        assertThat(row.stateText()).isEqualTo("up, draining");
        // the server's slots, shared by its models, in the number and the meter alike; this model's share beside them
        assertThat(row.slotsText()).isEqualTo("3 / 8 slots, 2 this model");
        assertThat(row.slotFraction()).isEqualTo(0.375);
        assertThat(row.speedText()).isEqualTo("TTFT 142 ms · 512 tok/s");
        assertThat(row.serverText()).isEqualTo("server: 7 waiting, 5 running");
        assertThat(row.kvFraction()).isEqualTo(0.42);
        assertThat(row.kvText()).isEqualTo("42%");
        GpuRow quiet = model.rows().get(1); // a server without /metrics, nothing measured yet
        assertThat(quiet.speedText()).isEqualTo("TTFT – · – tok/s");
        assertThat(quiet.serverText()).isEqualTo("server: no queue figures (/metrics)");
        assertThat(quiet.kvText()).isEqualTo("–");
    }

    /** Taken offline or marked down, a backend kept its last "512 tok/s" until the next health poll. */
    @Test
    void backendOfflineOrDown_readsItsRatesAsDashes_atOnce() {
        BackendLoad lastPoll = new BackendLoad("http://gpu1:8000", 0, 8, 0, 7.0, 5.0, 0.42, 141.6, 512.3, 41.2);
        model.apply(snapshot().instances(
                new InstanceStatus(0, "llama", InstanceState.OFFLINE, 0, 8, 0, 0, 1.0, false, lastPoll),
                new InstanceStatus(1, "qwen", InstanceState.DOWN, 0, 8, 0, 0, 1.0, false, lastPoll),
                new InstanceStatus(2, "mistral", InstanceState.UP, 0, 8, 0, 0, 1.0, false, lastPoll)).build());

        assertThat(model.rows().get(0).speedText()).isEqualTo("runs nothing · TTFT – · – tok/s");
        assertThat(model.rows().get(1).speedText()).isEqualTo("runs nothing · TTFT – · – tok/s");
        assertThat(model.rows().get(2).speedText()).as("up, the poll's figures stand")
                .isEqualTo("TTFT 142 ms · 512 tok/s · busy (429) 42 s more");
    }

    @Test
    void backendPausedByA429_saysForHowLongStill() {
        model.apply(snapshot().instances(new InstanceStatus(0, "llama", InstanceState.UP, 0, 8, 0, 0, 1.0, false,
                new BackendLoad("http://gpu1:8000", 0, 8, 0, null, null, null, 141.6, 512.3, 41.2))).build());

        assertThat(model.rows().getFirst().speedText()).isEqualTo("TTFT 142 ms · 512 tok/s · busy (429) 42 s more");
    }

    @Test
    void backendInstance_drainAndOffline_areSentAsInstanceCommands_andLoggedAsTheBackends() {
        var backend = snapshot().instances(new InstanceStatus(0, "llama", InstanceState.UP, 0, 8, 0, 0, 1.0, false,
                new BackendLoad("http://gpu1:8000", 0, 8, 0, null, null, null, null, null))).build();
        model.apply(backend);
        log.apply(backend); // as the console's gateway feeds it
        model.drain(0, true);
        model.drain(0, false);
        model.setOnline(0, false);

        assertThat(commands.sent).containsExactly("drain 0", "undrain 0", "offline 0");
        assertThat(log.entries()).extracting(ChangeLog.Entry::text)
                .containsExactly("Backend 0 draining", "Backend 0 drain ended", "Backend 0 taken offline");
    }

    /** Draining one model of a server turned the server's button into "End server drain" on that card. */
    @Test
    void aServerDrains_onlyWhenEveryModelOfItDoes() {
        BackendLoad gpu1 = new BackendLoad("http://gpu1:8000", 2, 2, 0, null, null, null, null, null);
        model.apply(snapshot().instances(new InstanceStatus(0, "llama", InstanceState.UP, 2, 2, 0, 0, 1.0, false, gpu1),
                new InstanceStatus(1, "qwen", InstanceState.UP, 0, 2, 0, 0, 1.0, true, gpu1)).build());

        assertThat(model.rows()).extracting(GpuRow::draining).containsExactly(false, true);
        assertThat(model.rows()).extracting(GpuRow::serverDraining).containsExactly(false, false);
        assertThat(model.rows().get(1).slotsText()).isEqualTo("2 / 2 slots, 0 this model");
        assertThat(model.rows().get(1).slotFraction()).isEqualTo(1.0);

        model.apply(snapshot().instances(new InstanceStatus(0, "llama", InstanceState.UP, 2, 2, 0, 0, 1.0, true, gpu1),
                new InstanceStatus(1, "qwen", InstanceState.UP, 0, 2, 0, 0, 1.0, true, gpu1)).build());

        assertThat(model.rows()).extracting(GpuRow::serverDraining).containsExactly(true, true);
    }

    @Test
    void drainServer_drainsEveryInstanceOfThatUrl_andNoOther_loggedOnce() {
        BackendLoad gpu1 = new BackendLoad("http://gpu1:8000", 0, 8, 0, null, null, null, null, null);
        model.apply(snapshot().instances(new InstanceStatus(0, "llama", InstanceState.UP, 0, 8, 0, 0, 1.0, false, gpu1),
                new InstanceStatus(1, "llama", InstanceState.UP, 0, 8, 0, 0, 1.0, false,
                        new BackendLoad("http://gpu2:8000", 0, 8, 0, null, null, null, null, null)),
                new InstanceStatus(2, "qwen", InstanceState.UP, 0, 8, 0, 0, 1.0, false, gpu1)).build());

        model.drainServer(2, true);
        model.drainServer(0, false);

        assertThat(commands.sent).containsExactly("drain 0", "drain 2", "undrain 0", "undrain 2");
        assertThat(log.entries()).extracting(ChangeLog.Entry::text).containsExactly(
                "server http://gpu1:8000 draining (backend 0, 2)", "server http://gpu1:8000 drain ended (backend 0, 2)");
    }

    @Test
    void commands_refused_notLogged() {
        commands.failWith = new IllegalArgumentException("instance must be between 0 and 3, got 9");

        model.crash(9);

        assertThat(log.entries()).isEmpty();
    }

    @Test
    void apply_whileShown_runningTasksGroupedByGpuOnceASecond() {
        commands.running = List.of(running("a", 0), running("b", 1), running("c", 0));
        model.apply(snapshot().build());
        assertThat(commands.sent).isEmpty(); // hidden: no listing

        model.setActive(true);
        model.apply(snapshot().at(T0).build());
        model.apply(snapshot().at(T0.plusMillis(500)).build());

        assertThat(commands.sent).containsExactly("running " + GpusViewModel.RUNNING_LIMIT);
        assertThat(model.runningByGpuProperty().get()).containsEntry(0, List.of("a", "c")).containsEntry(1, List.of("b"));
    }

    private static io.queuedeck.engine.task.TaskView running(String id, int instance) {
        io.queuedeck.engine.task.TaskView w = io.queuedeck.console.testing.Tasks.waiting(id, 5, 0);
        return new io.queuedeck.engine.task.TaskView(w.id(), w.spec(), io.queuedeck.engine.task.TaskState.RUNNING, 5, 0, instance,
                0, 0, 0, -1, -1, 0, 0, 100, 1, 0, null, null, List.of());
    }
}
