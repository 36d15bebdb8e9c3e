package io.queuedeck.engine.bench;

import io.queuedeck.engine.task.TaskSpec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What making the spec of one submission costs on its own (a fresh id and a copy of the
 * template): the part of {@link SchedulerCycleBench}'s cycle that is the benchmark's, not the
 * engine's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class SpecCostBench {
    private final Workload workload = new Workload(42);

    @Benchmark
    public TaskSpec nextSpec() {
        return workload.nextSpec();
    }
}
