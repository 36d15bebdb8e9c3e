package io.queuedeck.engine.bench;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.SubmitResult;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * End-to-end throughput of the live engine across threads (not JMH: one round is a million
 * tasks, timed as a whole). A system-clock engine with an {@link InstantExecutor} that posts
 * each completion back to the loop, as an executor on its own thread would; the main thread is
 * the producer and sends {@code Command.Submit}s (validation and id on its thread, then the
 * loop's command queue). A round submits {@code n} tasks as fast as it can, keeps the futures,
 * and ends when the executor has completed every one; its rate is tasks completed per second
 * of wall time from the first submit to the last completion. Each round also reports the
 * process's CPU time per task (producer, loop, GC, JIT together), which the neighbours on a
 * shared machine disturb far less than wall time.
 *
 * <p>Completions the executor posts join the back of the loop's command queue, behind every
 * submission already in it; so an unthrottled producer that outruns the loop fills the queue
 * with all {@code n} tasks before the first completes. With {@code window} > 0 the producer
 * keeps at most {@code window} tasks submitted but not completed, which holds the queue near
 * that depth instead (it checks every 256 submissions and parks briefly while the window is full).
 *
 * <p>With {@code backlog} > 0, dispatch is paused, {@code backlog} tasks are queued first, and
 * the round (timed from resuming dispatch) completes {@code backlog + n} tasks: the loop then
 * works with a deep queue while the producer adds to it.
 *
 * <pre>
 * java -Xms3g -Xmx3g -cp scheduler-engine/target/queuedeck-bench.jar \
 *     io.queuedeck.engine.bench.LiveEngineThroughput [n] [warmupRounds] [rounds] [backlog] [policies] [window]
 * </pre>
 */
public final class LiveEngineThroughput {

    private LiveEngineThroughput() {}

    public static void main(String[] args) throws InterruptedException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int backlog = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        String[] policies = (args.length > 4 ? args[4] : "fifo,priority,mlfq").split(",");
        int window = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        System.out.printf(Locale.ROOT, "n=%d warmup=%d rounds=%d backlog=%d window=%d java=%s cpus=%d%n", n, warmups,
                rounds, backlog, window, Runtime.version(), Runtime.getRuntime().availableProcessors());
        for (String policy : policies) {
            run(policy, n, warmups, rounds, backlog, window);
        }
    }

    private static void run(String policy, int n, int warmups, int rounds, int backlog, int window)
            throws InterruptedException {
        InstantExecutor executor = new InstantExecutor(true);
        AtomicLong ids = new AtomicLong();
        Workload workload = new Workload(42);
        double[] rates = new double[rounds];
        double[] cpuPerTask = new double[rounds];
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Engine engine = Engine.builder().executor(executor).policy(policy)
                .idSupplier(() -> "t" + ids.getAndIncrement()).build()) {
            engine.start();
            for (int round = 0; round < warmups + rounds; round++) {
                if (backlog > 0) {
                    engine.send(new Command.PauseDispatch(true)).join();
                    List<CompletableFuture<SubmitResult>> queued = new ArrayList<>(backlog);
                    for (int i = 0; i < backlog; i++) {
                        queued.add(engine.send(new Command.Submit(workload.nextTemplate())));
                    }
                    CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).join();
                }
                CountDownLatch done = new CountDownLatch(backlog + n);
                executor.countCompletionsOn(done);
                @SuppressWarnings("unchecked")
                CompletableFuture<SubmitResult>[] futures = new CompletableFuture[n];

                long cpuStart = os.getProcessCpuTime();
                long start = System.nanoTime();
                if (backlog > 0) {
                    engine.send(new Command.PauseDispatch(false));
                }
                long total = backlog + n;
                for (int i = 0; i < n; i++) {
                    if (window > 0 && (i & 255) == 0) {
                        // outstanding = submitted so far (backlog + i) - completed (total - count)
                        while (backlog + i - (total - done.getCount()) >= window) {
                            LockSupport.parkNanos(200_000);
                        }
                    }
                    futures[i] = engine.send(new Command.Submit(workload.nextTemplate()));
                }
                long submitted = System.nanoTime();
                long pendingAtSubmitEnd = done.getCount();
                if (!done.await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("round did not finish: " + done.getCount() + " tasks left");
                }
                long end = System.nanoTime();
                double cpuNanos = (double) (os.getProcessCpuTime() - cpuStart) / (backlog + n);

                for (CompletableFuture<SubmitResult> future : futures) {
                    if (!future.join().created()) {
                        throw new IllegalStateException("a submission was not queued: " + future.join());
                    }
                }
                double seconds = (end - start) / 1e9;
                double rate = (backlog + n) / seconds;
                boolean warm = round >= warmups;
                if (warm) {
                    rates[round - warmups] = rate;
                    cpuPerTask[round - warmups] = cpuNanos;
                }
                System.out.printf(Locale.ROOT,
                        "%-8s %-7s round %d: %,d tasks in %.3f s = %,.0f tasks/s, process CPU %.0f ns/task"
                                + " (producer submitted %,d in %.3f s = %,.0f/s; %,d not yet completed then)%n",
                        policy, warm ? "measure" : "warmup", round, backlog + n, seconds, rate, cpuNanos, n,
                        (submitted - start) / 1e9, n / ((submitted - start) / 1e9), pendingAtSubmitEnd);
            }
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        double[] cpu = cpuPerTask.clone();
        Arrays.sort(cpu);
        System.out.printf(Locale.ROOT, "RESULT policy=%s backlog=%d window=%d n=%d median=%.0f min=%.0f max=%.0f tasks/s;"
                        + " process CPU median %.0f ns/task%n",
                policy, backlog, window, n, sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1], cpu[cpu.length / 2]);
    }
}
