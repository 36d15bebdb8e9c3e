package io.queuedeck.engine.bench;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.task.SubmitResult;
import io.queuedeck.engine.task.TaskView;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Scheduler overhead: one submit, one dispatch and one completion through the real scheduler
 * loop, with an executor that costs nothing ({@link InstantExecutor}: one instance, one slot) and
 * {@code queued} tasks waiting.
 *
 * <p>The engine runs on a {@link VirtualClock}, so the benchmark thread is the loop thread: each
 * submit is an {@code Engine.send} of a complete, valid spec that is answered at once (the
 * spec's validation and the future included; no thread hand-off: {@link LiveEngineThroughput}
 * measures that). Each operation submits a task, which
 * waits behind the full slot, then finishes the running task, which frees the slot and makes the
 * loop dispatch the policy's next task: the queue stays at {@code queued}, and every finished task
 * goes through the default finished-task retention (100,000), as in production.
 */
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class SchedulerCycleBench {

    @Param({"fifo", "priority", "mlfq"})
    String policy;

    @Param({"100000", "1000000"})
    int queued;

    /**
     * Whether the completion outbox is open, as in the console and {@code serve}: each op then
     * also drains the one final view the completion left there (the consumer's side, here on the
     * same thread); closed, the loop keeps no views, as in the simulator.
     */
    @Param({"open", "closed"})
    String outbox;

    private Engine engine;
    private CompletionOutbox completions;
    private final Consumer<TaskView> drained = view -> lastDrained = view;
    private TaskView lastDrained;
    private InstantExecutor executor;
    private Workload workload;
    private long completedAtStart;

    @Setup(Level.Trial)
    public void fill() {
        executor = new InstantExecutor(false);
        engine = Engine.builder().clock(new VirtualClock()).executor(executor).policy(policy).build();
        completions = outbox.equals("open") ? engine.completions() : null;
        engine.start();
        workload = new Workload(42);
        // One more than queued: the first goes straight to the slot and keeps it busy.
        for (int i = 0; i <= queued; i++) {
            engine.send(new Command.Submit(workload.nextSpec(), 1));
        }
        checkShape();
        drain();
        completedAtStart = executor.completed();
    }

    @TearDown(Level.Trial)
    public void check() {
        checkShape();
        if (executor.completed() == completedAtStart) {
            throw new IllegalStateException("no task was completed: the benchmark measured nothing");
        }
        engine.close();
    }

    private void checkShape() {
        int active = engine.send(new Command.CountActive()).join();
        if (executor.running() == null || active != queued + 1) {
            throw new IllegalStateException("expected " + queued + " waiting and 1 running, got "
                    + active + " active, running " + executor.running());
        }
    }

    private void drain() {
        if (completions != null) {
            completions.drain(Integer.MAX_VALUE, drained);
        }
    }

    /** Submit one task, finish the running one, dispatch the next: throughput in cycles per second. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public SubmitResult cycle() {
        return oneCycle();
    }

    /** The same cycle, timed one by one: its latency distribution. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public SubmitResult cycleSample() {
        return oneCycle();
    }

    private SubmitResult oneCycle() {
        SubmitResult result = engine.send(new Command.Submit(workload.nextSpec(), 1)).join();
        executor.completeRunning();
        drain();
        return result;
    }
}
