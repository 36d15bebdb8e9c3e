package io.queuedeck.engine.exec.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.BackendLoad;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer.Script;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The executor's view of its backends' health against real (fake) OpenAI-compatible servers over HTTP:
 * marked down and back, saturation figures, drain and take offline, and work moved to another backend.
 */
class OpenAiExecutorHealthTest extends OpenAiExecutorFixture {
    @Test
    void unhealthyBackend_isMarkedDown_itsWorkGoesElsewhere_andItComesBack() throws Exception {
        FakeOpenAiServer sick = fake();
        FakeOpenAiServer well = fake();
        sick.healthy(false);
        start(Backend.at(sick.url()).withModels(List.of(MODEL)), Backend.at(well.url()).withModels(List.of(MODEL)));
        await().atMost(WAIT).until(() -> state(0) == InstanceState.DOWN);

        for (int i = 0; i < 6; i++) {
            assertThat(finished(submit(TaskSpec.of(MODEL, "x" + i, 5, 4))).state()).isEqualTo(TaskState.SUCCEEDED);
        }
        assertThat(sick.requests()).isEmpty();
        assertThat(well.requests()).hasSize(6);

        sick.healthy(true);
        await().atMost(WAIT).until(() -> state(0) == InstanceState.UP);
    }

    @Test
    void failingRequests_markTheBackendDown_untilAProbeSucceeds() throws Exception {
        FakeOpenAiServer fake = fake();
        fake.withoutHealthEndpoint(); // probes fall back to /v1/models
        fake.then(Script.error(500, "a"), Script.error(500, "b"), Script.error(500, "c"));
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));

        TaskView done = finished(submit(TaskSpec.of(MODEL, "x", 5, 4)));

        // three 500s in a row took it down; the probe on /v1/models brought it back for the fourth attempt
        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(4);
        assertThat(fake.healthChecks()).isPositive();
    }

    @Test
    void saturation_slotsFlightServerQueueCacheTtftAndRate_areInTheSnapshot() throws Exception {
        FakeOpenAiServer fake = fake();
        fake.metrics(PrometheusTextTest.VLLM);
        fake.byDefault(Script.tokens(8).delays(30, 5));
        start(Backend.at(fake.url()).withModels(List.of(MODEL)).withSlots(3));
        var gate = fake.holdNext();
        String held = submit(TaskSpec.of(MODEL, "held", 5, 8));

        BackendLoad busy = await().atMost(WAIT).until(() -> load(0), l -> l.slotsInUse() == 1 && l.serverWaiting() != null);
        assertThat(busy.url()).isEqualTo(fake.url());
        assertThat(busy.slots()).isEqualTo(3);
        assertThat(busy.inFlight()).isEqualTo(1);
        assertThat(busy.serverWaiting()).isEqualTo(7.0);
        assertThat(busy.serverRunning()).isEqualTo(5.0);
        assertThat(busy.kvCacheUsage()).isEqualTo(0.42);
        assertThat(busy.ttftMs()).isNull(); // no first token yet

        gate.countDown();
        assertThat(finished(held).state()).isEqualTo(TaskState.SUCCEEDED);
        BackendLoad after = await().atMost(WAIT).until(() -> load(0),
                l -> l.ttftMs() != null && l.tokensPerSecond() != null && l.tokensPerSecond() > 0);
        assertThat(after.ttftMs()).isGreaterThanOrEqualTo(30.0);
        assertThat(after.slotsInUse()).isZero();
        // the rate window closes at each probe: with no more work it falls back to zero
        await().atMost(WAIT).until(() -> load(0).tokensPerSecond() == 0.0);
    }

    /**
     * A server that dies mid-stream answers no probe; its probes were then skipped as "busy, it
     * streamed lately" without closing the rate window, so its last rate showed for about 20 s
     * (two probe timeouts: here 20 s, against two rate windows of 1 s).
     */
    @Test
    void aBackendThatDiesMidStream_showsNoRateWithinAFewProbes() throws Exception {
        FakeOpenAiServer fake = fake();
        fake.byDefault(Script.tokens(400).delays(10, 20)); // 8 s of tokens
        startWith(Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(20), Backend.at(fake.url()).withModels(List.of(MODEL)));
        submit(TaskSpec.of(MODEL, "x", 5, 400));
        await().atMost(WAIT).until(() -> rate(0), rate -> rate != null && rate > 10);

        fake.close();
        long died = System.nanoTime();

        await().atMost(WAIT).until(() -> rate(0), rate -> rate != null && rate == 0.0);
        assertThat((System.nanoTime() - died) / 1e9).as("seconds the dead server showed a rate").isLessThan(8.0);
    }

    @Test
    void theEnginesTokensPerSecond_countsAStreamBeforeItEnds() throws Exception {
        FakeOpenAiServer fake = fake();
        fake.byDefault(Script.tokens(200).delays(10, 20)); // 4 s of tokens
        start(Backend.at(fake.url()).withModels(List.of(MODEL)).withSlots(1));
        String streaming = submit(TaskSpec.of(MODEL, "long", 5, 200));

        await().atMost(WAIT).until(() -> engine.latestSnapshot().tokensPerSecond() > 10);
        assertThat(view(streaming).state()).as("counted while it streams").isEqualTo(TaskState.RUNNING);
        assertThat(finished(streaming).generatedTokens()).isEqualTo(200);
    }

    /** Every attempt went to the backend answering 500 (the least loaded, its health fine) and the task was dead-lettered. */
    @Test
    void aFailedAttempt_isRetriedOnAnotherBackend() throws Exception {
        FakeOpenAiServer failing = fake();
        failing.byDefault(Script.error(500, "fake internal error"));
        FakeOpenAiServer healthy = fake();
        healthy.byDefault(Script.tokens(2));
        start(Backend.at(failing.url()).withModels(List.of(MODEL)).withSlots(1),
                Backend.at(healthy.url()).withModels(List.of(MODEL)).withSlots(1));

        for (int i = 0; i < 5; i++) { // one at a time: both idle at every dispatch, the first listed the least loaded
            TaskView done = finished(submit(TaskSpec.of(MODEL, "t" + i, 5, 2)));
            assertThat(done.state()).as(done.error()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(done.attempts()).as("the second attempt, elsewhere").isLessThanOrEqualTo(2);
        }
        assertThat(failing.requests()).hasSizeLessThanOrEqualTo(5);
    }

    @Test
    void serverWithoutMetrics_isAskedOnce_andShowsOnlyQueueDecksFigures() throws Exception {
        FakeOpenAiServer fake = fake();
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));
        int checks = fake.healthChecks();
        await().atMost(WAIT).until(() -> fake.healthChecks() > checks + 3);

        BackendLoad load = load(0);
        assertThat(load.serverWaiting()).isNull();
        assertThat(load.kvCacheUsage()).isNull();
        assertThat(fake.metricsRequests()).isEqualTo(1);
    }

    @Test
    void drain_letsTheRunningRequestFinish_sendsNothingNew_untilItEnds() throws Exception {
        FakeOpenAiServer fake = fake();
        start(Backend.at(fake.url()).withModels(List.of(MODEL)).withSlots(4));
        var gate = fake.holdNext();
        String first = submit(TaskSpec.of(MODEL, "first", 5, 4));
        await().atMost(WAIT).until(() -> fake.openStreams() == 1);

        engine.send(new Command.DrainInstance(0, true)).join();
        String second = submit(TaskSpec.of(MODEL, "second", 5, 4));
        assertThat(engine.latestSnapshot().instances().getFirst().draining()).isIn(true, false); // published at its pace
        await().atMost(WAIT).until(() -> engine.latestSnapshot().instances().getFirst().draining());
        gate.countDown();

        assertThat(finished(first).state()).isEqualTo(TaskState.SUCCEEDED); // a drain does not cut a request
        assertThat(view(second).state()).isEqualTo(TaskState.QUEUED);
        assertThat(fake.requests()).hasSize(1);

        engine.send(new Command.DrainInstance(0, false)).join();
        assertThat(finished(second).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void takeOffline_closesTheStream_requeuesTheTask_andOnlineRunsIt() throws Exception {
        FakeOpenAiServer fake = fake();
        fake.byDefault(Script.tokens(200).delays(0, 20));
        start(Backend.at(fake.url()).withModels(List.of(MODEL)));
        String id = submit(TaskSpec.of(MODEL, "long", 5, 200));
        await().atMost(WAIT).until(() -> view(id).generatedTokens() > 0);

        engine.send(new Command.SetInstanceOnline(0, false)).join();

        assertThat(view(id).state()).isEqualTo(TaskState.PREEMPTED);
        assertThat(state(0)).isIn(InstanceState.OFFLINE, InstanceState.UP); // the snapshot follows at its pace
        await().atMost(WAIT).until(() -> state(0) == InstanceState.OFFLINE && fake.closedByClient() == 1);
        fake.byDefault(Script.tokens(3));
        engine.send(new Command.SetInstanceOnline(0, true)).join();
        TaskView done = finished(id);
        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(fake.requests()).hasSize(2);
    }

    @Test
    void probeTooSlow_whileTheServerStreams_isNotMarkedDown_butIsOnceItFallsSilent() throws Exception {
        FakeOpenAiServer fake = fake();
        fake.byDefault(Script.tokens(150).delays(0, 20)); // about 3 s of tokens
        fake.healthDelay(1_000); // the probe gives up after 2 x 200 ms
        executor = OpenAiExecutor.builder().healthInterval(Duration.ofMillis(50))
                .backend(Backend.at(fake.url()).withModels(List.of(MODEL))
                        .withTimeouts(Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(20))).build();
        closing.add(executor);
        engine = Engine.builder().executor(executor).snapshotInterval(Duration.ofMillis(20)).build();
        engine.start();
        String id = submit(TaskSpec.of(MODEL, "long", 5, 150));
        int checks = fake.healthChecks();
        await().atMost(WAIT).until(() -> fake.healthChecks() >= checks + 3); // three probes timed out meanwhile

        assertThat(view(id).state()).isEqualTo(TaskState.RUNNING);
        assertThat(state(0)).isEqualTo(InstanceState.UP);
        assertThat(finished(id).state()).isEqualTo(TaskState.SUCCEEDED);
        await().atMost(WAIT).until(() -> state(0) == InstanceState.DOWN); // silent and unanswering: down
    }
}
