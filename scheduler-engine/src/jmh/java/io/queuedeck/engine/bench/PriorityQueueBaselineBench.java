package io.queuedeck.engine.bench;

import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Baseline for the scheduler benchmarks, run in the same JMH run: one offer and one poll on a
 * bare {@link PriorityQueue} that already holds {@code size} elements, in the same modes and
 * units as {@link SchedulerCycleBench}, so the two can be divided.
 */
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class PriorityQueueBaselineBench {

    @Param({"100000", "1000000"})
    int size;

    private PriorityQueue<Long> queue;
    private SplittableRandom random;

    @Setup
    public void fill() {
        random = new SplittableRandom(42);
        queue = new PriorityQueue<>(size + 1);
        for (int i = 0; i < size; i++) {
            queue.offer(random.nextLong());
        }
    }

    /** One offer followed by one poll, so the queue stays at {@code size} elements. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Long offerThenPoll() {
        queue.offer(random.nextLong());
        return queue.poll();
    }

    /** The same offer and poll, timed one by one. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Long offerThenPollSample() {
        queue.offer(random.nextLong());
        return queue.poll();
    }
}
