package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.BackendLoad;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.exec.ExecutorContext;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The saturation detector's second signal: what a backend reports of its own queue and KV cache.
 * A busy backend is given nothing more, though it has free slots by QueueDeck's count; the work
 * waits in QueueDeck's queue and goes out when the backend reports room again.
 */
class SaturationDetectorTest {

    /** Simulated GPUs that also report a load, as a real backend's metrics would. */
    private static final class ReportingExecutor implements Executor {
        private final SimulatedGpuExecutor gpus = new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100);
        private ExecutorContext context;
        volatile BackendLoad load;

        void report(BackendLoad value) {
            load = value;
            context.instanceChanged(0);
        }

        @Override public void bind(ExecutorContext c) { context = c; gpus.bind(c); }
        @Override public int instanceCount() { return gpus.instanceCount(); }
        @Override public String model(int instance) { return gpus.model(instance); }
        @Override public boolean canAccept(int instance, Task task) { return gpus.canAccept(instance, task); }
        @Override public boolean canAcceptReplacing(int i, Task in, Task out) { return gpus.canAcceptReplacing(i, in, out); }
        @Override public int load(int instance) { return gpus.load(instance); }
        @Override public Optional<String> admissionError(TaskSpec spec) { return gpus.admissionError(spec); }
        @Override public void dispatch(int instance, Task task) { gpus.dispatch(instance, task); }
        @Override public void evict(Task task) { gpus.evict(task); }
        @Override public List<InstanceStatus> status() { return gpus.status(); }
        @Override public BackendLoad reportedLoad(int instance) { return load; }
    }

    @Test
    void backendReportingAFullKvCacheOrQueue_isGivenNothingMore_untilItReportsRoom() {
        VirtualClock clock = new VirtualClock();
        ReportingExecutor executor = new ReportingExecutor();
        Engine engine = Engine.builder().clock(clock).executor(executor).build();
        engine.start();
        executor.report(load(0, 0.95)); // KV cache over 80%: saturated by its own word

        engine.send(new Command.Submit(new TaskSpec("t", "m", "x", 5, null, null, null, null, 8, 16, null))).join();
        assertThat(engine.send(new Command.FindTask("t")).join().orElseThrow().state()).isEqualTo(TaskState.QUEUED);
        assertThat(engine.send(new Command.TakeSnapshot()).join().flow().saturated()).isTrue();

        executor.report(load(SaturationDetector.QUEUE_DEPTH_THRESHOLD, 0.1)); // its own queue is long
        assertThat(engine.send(new Command.FindTask("t")).join().orElseThrow().state()).isEqualTo(TaskState.QUEUED);

        executor.report(load(0, 0.1));
        assertThat(engine.send(new Command.FindTask("t")).join().orElseThrow().state()).isEqualTo(TaskState.RUNNING);
        assertThat(engine.send(new Command.TakeSnapshot()).join().flow().saturated()).isFalse();
        engine.close();
    }

    /** What a vLLM server would report: its own queue and KV-cache use. */
    private static BackendLoad load(int serverWaiting, double kvCacheUsage) {
        return new BackendLoad("http://gpu:8000", 0, 8, 0, (double) serverWaiting, null, kvCacheUsage, null, null);
    }
}
