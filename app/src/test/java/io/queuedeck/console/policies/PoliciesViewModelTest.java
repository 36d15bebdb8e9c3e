package io.queuedeck.console.policies;

import static io.queuedeck.console.testing.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.console.testing.FakeLoad;
import io.queuedeck.console.testing.RecordingCommands;
import io.queuedeck.engine.policy.PolicyRegistry;
import org.junit.jupiter.api.Test;

class PoliciesViewModelTest {
    private final RecordingCommands commands = new RecordingCommands();
    private final FakeLoad load = new FakeLoad();
    private final PoliciesViewModel model = new PoliciesViewModel(commands, load);

    @Test
    void policies_listTheRegistryButSimulationOnly() {
        // srpt-oracle needs a simulation's true output lengths: a live engine refuses it, so it is not offered
        assertThat(model.policies()).contains("fifo", "mlfq", "gittins").doesNotContain("srpt-oracle")
                .containsExactlyElementsOf(PolicyRegistry.names().stream().filter(n -> !PolicyRegistry.isSimulationOnly(n)).toList());
    }

    @Test
    void switchPolicy_otherPolicy_sentOnce() {
        model.apply(snapshot().policy("mlfq").build());

        model.switchPolicy("fifo");
        model.switchPolicy("fifo"); // already live after the switch: nothing to send

        assertThat(commands.sent).containsExactly("policy fifo");
        assertThat(model.livePolicyProperty().get()).isEqualTo("fifo");
        assertThat(model.switchingProperty().get()).isFalse();
    }

    @Test
    void switchPolicy_refused_livePolicyUnchanged() {
        model.apply(snapshot().policy("mlfq").build());
        commands.failWith = new IllegalArgumentException("no");

        model.switchPolicy("fifo");

        assertThat(model.livePolicyProperty().get()).isEqualTo("mlfq");
        assertThat(model.switchingProperty().get()).isFalse();
    }

    @Test
    void togglePause_followsEngineState() {
        model.apply(snapshot().paused(false).build());
        model.togglePause();
        model.apply(snapshot().paused(true).build());
        model.togglePause();

        assertThat(commands.sent).containsExactly("pause", "resume");
    }

    @Test
    void togglePause_quickly_whileTheEngineHasNotAnswered_flipsEachTime() {
        model.apply(snapshot().paused(false).build());
        commands.answersAfter = new java.util.concurrent.CompletableFuture<>();

        model.togglePause();
        model.togglePause();
        model.togglePause();
        commands.answersAfter.complete(null);

        assertThat(commands.sent).containsExactly("pause", "resume", "pause"); // it sent "pause" three times
        assertThat(model.pausedProperty().get()).isTrue();
    }

    @Test
    void apply_loadChangedElsewhere_screenShowsTheRunningLoad() {
        // the console starts its demo load after the first frame, after this screen was built at 0
        load.setLoad(0.9);
        model.apply(snapshot().build());

        assertThat(model.loadFractionProperty().get()).isEqualTo(0.9);
        assertThat(model.offeredRateProperty().get()).isCloseTo(45, org.assertj.core.api.Assertions.within(1e-9));
    }

    /** The load is a share of every GPU's capacity; with some out of service, what they take now is said beside it. */
    @Test
    void apply_gpusOutOfService_sayWhatTheyTakeNow_andThatTheQueueGrows() {
        load.setLoad(0.9); // 45 tasks/s of FakeLoad's 50
        io.queuedeck.engine.exec.InstanceState up = io.queuedeck.engine.exec.InstanceState.UP;
        model.apply(snapshot().instances(
                new io.queuedeck.engine.exec.InstanceStatus(0, "m", up, 0, 32, 0, 1, 1.0),
                new io.queuedeck.engine.exec.InstanceStatus(1, "m", up, 0, 32, 0, 1, 1.0),
                new io.queuedeck.engine.exec.InstanceStatus(2, "m", up, 0, 32, 0, 1, 1.0),
                new io.queuedeck.engine.exec.InstanceStatus(3, "m", up, 0, 32, 0, 1, 1.0)).build());
        assertThat(model.servingNowProperty().get()).as("every GPU at full speed").isEmpty();

        model.apply(snapshot().instances(
                new io.queuedeck.engine.exec.InstanceStatus(0, "m", io.queuedeck.engine.exec.InstanceState.DOWN, 0, 32, 0, 1, 1.0),
                new io.queuedeck.engine.exec.InstanceStatus(1, "m", io.queuedeck.engine.exec.InstanceState.OFFLINE, 0, 32, 0, 1, 1.0),
                new io.queuedeck.engine.exec.InstanceStatus(2, "m", up, 0, 32, 0, 1, 1.0),
                new io.queuedeck.engine.exec.InstanceStatus(3, "m", up, 0, 32, 0, 1, 3.0)).build());

        assertThat(model.servingNowProperty().get())
                .isEqualTo("≈ 16.7 now, with 2 of 4 GPUs serving, some slowed: more is offered than they take, and the queue grows");
    }

    @Test
    void setLoad_changesOfferedRate_andIsAuditedOncePerChange() {
        model.setLoad(0.5);
        model.setLoad(0.5); // the slider's release after its change: the same load again

        assertThat(load.load).isEqualTo(0.5);
        assertThat(model.offeredRateProperty().get()).isEqualTo(25);
        assertThat(commands.sent).containsExactly("audit load.set demo load 50%");
    }

    @Test
    void setMix_otherMix_loadReshaped() {
        model.setMix("batch");

        assertThat(load.mix).isEqualTo("batch");
        assertThat(model.mixProperty().get()).isEqualTo("batch");
        assertThat(commands.sent).containsExactly("audit load.mix batch"); // the trail had the rate, not the shape
    }

    @Test
    void replay_goodAndBadTrace_statusOrReason() {
        assertThat(model.replay("missing.csv")).contains("no trace missing.csv");

        assertThat(model.replay("t.csv")).isEmpty();
        assertThat(model.replayStatusProperty().get()).isEqualTo("t.csv: 0 of 10 submitted");
        assertThat(commands.sent).containsExactly("audit load.replay t.csv"); // a refused replay is not audited
    }

    /** A mix chosen while a trace replays ends the replay: the screen says so (it ended without a word). */
    @Test
    void setMix_duringAReplay_saysTheReplayStopped_untilTheNextReplay() {
        model.replay("t.csv");
        assertThat(model.replayStatusProperty().get()).isEqualTo("t.csv: 0 of 10 submitted");

        model.setMix("batch");
        model.apply(snapshot().build());

        assertThat(model.replayStatusProperty().get()).isEqualTo("t.csv: replay stopped; the synthetic load runs again");
        assertThat(model.replayingProperty().get()).as("the load line tells of the synthetic load").isFalse();
        model.replay("t.csv");
        assertThat(model.replayStatusProperty().get()).isEqualTo("t.csv: 0 of 10 submitted");
    }

    @Test
    void setLengths_otherPreset_loadReshaped() {
        model.setLengths("long");

        assertThat(load.lengths).isEqualTo("long");
        assertThat(model.lengthsProperty().get()).isEqualTo("long");
        assertThat(commands.sent).containsExactly("audit load.lengths long");
    }

    @Test
    void switchPolicy_sameNameWithParameters_sent() {
        model.apply(snapshot().policy("mlfq").build());

        model.switchPolicy("mlfq", "q0_ms=20");
        model.switchPolicy("mlfq", " ");

        assertThat(commands.sent).containsExactly("policy mlfq q0_ms=20");
    }

    /** Why: a click at the slider's left end gave 1%, so "off" could not be reached with the mouse. */
    @org.junit.jupiter.api.Test
    void theSlidersFirstTwoPercent_meanNoDemoLoad() {
        assertThat(PoliciesView.loadAt(0.8)).isZero();
        assertThat(PoliciesView.loadAt(1.9)).isZero();
        assertThat(PoliciesView.loadAt(2)).isEqualTo(0.02);
        assertThat(PoliciesView.loadAt(90)).isEqualTo(0.9);
    }
}
