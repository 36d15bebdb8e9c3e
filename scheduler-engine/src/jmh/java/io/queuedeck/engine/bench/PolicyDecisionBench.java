package io.queuedeck.engine.bench;

import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.policy.SchedulingPolicy;
import io.queuedeck.engine.task.Task;
import java.util.concurrent.TimeUnit;
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

/**
 * One scheduling decision on a bare policy holding {@code queued} tasks: peek and poll the next
 * task, then admit and enqueue a new one, so the policy stays at {@code queued}. No loop, no
 * executor, no bookkeeping: the policy's own share of {@link SchedulerCycleBench}'s cycle.
 */
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class PolicyDecisionBench {

    @Param({"fifo", "priority", "mlfq"})
    String policy;

    @Param({"1000000"})
    int queued;

    private SchedulingPolicy scheduler;
    private Workload workload;
    private long sequence;

    @Setup(Level.Trial)
    public void fill() {
        scheduler = PolicyRegistry.create(policy);
        workload = new Workload(42);
        for (int i = 0; i < queued; i++) {
            enqueueNew();
        }
    }

    @TearDown(Level.Trial)
    public void check() {
        if (scheduler.size() != queued) {
            throw new IllegalStateException("expected " + queued + " waiting, got " + scheduler.size());
        }
    }

    /** Throughput of decisions per second. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Task decide() {
        return oneDecision();
    }

    /** The same decision, timed one by one. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Task decideSample() {
        return oneDecision();
    }

    private Task oneDecision() {
        Task head = scheduler.peek(0);
        if (scheduler.poll(0) != head) {
            throw new IllegalStateException("poll disagrees with peek");
        }
        enqueueNew();
        return head;
    }

    private void enqueueNew() {
        Task task = new Task(workload.nextTemplate(), sequence++, 1, 0);
        scheduler.admit(task, 0);
        scheduler.enqueue(task, 0);
    }
}
