package io.queuedeck.engine.bench;

import io.queuedeck.engine.metrics.LatencyMetrics;
import java.util.List;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The latency part of one published engine snapshot, the part that grows with the number of
 * histograms: what the scheduler loop pays every 100 ms for the since-start and interval stats.
 *
 * <p>Before each call, one interval's completions are recorded (outside the measurement):
 * {@code samples} completions spread over {@code classes} priorities, with queue wait, time to
 * first token and end-to-end latency drawn log-uniformly from 1 ms to 20 s (fixed seed). The
 * since-start histograms fill up over the trial, as in a long-running engine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SnapshotLatencyBench {
    private static final int VALUES = 1 << 14;

    /** Completions per 100 ms interval. */
    @Param({"100", "2000"})
    int samples;

    /** How many priorities those completions fall into (0 = none at all: an idle engine). */
    @Param({"0", "1", "10"})
    int classes;

    private final LatencyMetrics metrics = new LatencyMetrics();
    private final long[] nanos = new long[VALUES];
    private int next;

    @Setup(Level.Trial)
    public void values() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < VALUES; i++) {
            nanos[i] = (long) (1e6 * Math.pow(20_000, random.nextDouble()));
        }
    }

    @Setup(Level.Invocation)
    public void recordOneInterval() {
        if (classes == 0) {
            return;
        }
        for (int i = 0; i < samples; i++) {
            int priority = i % classes;
            metrics.recordTtft(priority, value());
            metrics.recordCompletion(priority, value(), value(), value());
        }
    }

    private long value() {
        return nanos[next++ & (VALUES - 1)];
    }

    /**
     * What the loop computes for a published snapshot: since start, overall and per priority; the
     * interval, overall and per priority (then the interval restarts).
     */
    @Benchmark
    public Object publishedSnapshot() {
        return List.of(metrics.total(), metrics.byPriority(), metrics.takeInterval());
    }

    /**
     * What the loop computes once a second on top: the closed second's exact stats, overall and
     * per priority (then the second restarts). Here each "second" holds one interval's samples;
     * the cost is in reading the histograms, whose size does not depend on how many samples they hold.
     */
    @Benchmark
    public Object closedSecond() {
        return metrics.takeSecond();
    }
}
