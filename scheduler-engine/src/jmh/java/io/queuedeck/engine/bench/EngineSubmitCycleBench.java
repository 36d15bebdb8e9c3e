package io.queuedeck.engine.bench;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.SubmitResult;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link SchedulerCycleBench}'s cycle with specs that carry no id, as clients send them:
 * {@code Engine.send} validates each, makes its id and answers with a future. Still on a virtual
 * clock, so still one thread; the difference from that cycle is the cost of making ids.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class EngineSubmitCycleBench {

    @Param({"priority"})
    String policy;

    @Param({"100000"})
    int queued;

    private Engine engine;
    private InstantExecutor executor;
    private Workload workload;
    private long ids;

    @Setup(Level.Trial)
    public void fill() {
        executor = new InstantExecutor(false);
        engine = Engine.builder().clock(new VirtualClock()).executor(executor).policy(policy)
                .idSupplier(() -> "t" + ids++).build();
        engine.start();
        workload = new Workload(42);
        for (int i = 0; i <= queued; i++) {
            engine.send(new Command.Submit(workload.nextTemplate())).join();
        }
    }

    @TearDown(Level.Trial)
    public void check() {
        int active = engine.send(new Command.CountActive()).join();
        if (executor.running() == null || active != queued + 1) {
            throw new IllegalStateException("expected " + queued + " waiting and 1 running, got " + active + " active");
        }
        engine.close();
    }

    @Benchmark
    public CompletableFuture<SubmitResult> cycle() {
        CompletableFuture<SubmitResult> result = engine.send(new Command.Submit(workload.nextTemplate()));
        executor.completeRunning();
        return result;
    }
}
