package io.queuedeck.engine.bench;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * {@link SchedulerCycleBench}'s cycle (or the {@link PriorityQueueBaselineBench} baseline) timed
 * in CPU time as well as wall time, for machines shared with other work, where wall-clock
 * throughput mostly measures the neighbours. Per round it reports wall ops/s, the benchmark
 * thread's CPU ns per op, and the whole process's CPU ns per op (the loop plus GC, JIT and
 * everything else the JVM does for it). {@code 1e9 / process CPU ns per op} is the rate the
 * cycle sustains when the JVM gets one CPU's worth of time, GC included: a conservative figure.
 * One configuration per JVM, as JMH forks, so the comparators of other policies do not pollute
 * the call sites.
 *
 * <pre>
 * java -Xms3g -Xmx3g -cp scheduler-engine/target/queuedeck-bench.jar \
 *     io.queuedeck.engine.bench.CycleCpuCost fifo|priority|mlfq|pq queued [warmupRounds rounds opsPerRound]
 * </pre>
 */
public final class CycleCpuCost {
    private static long sink;

    private CycleCpuCost() {}

    public static void main(String[] args) {
        String what = args[0];
        int queued = Integer.parseInt(args[1]);
        int warmups = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        int ops = args.length > 4 ? Integer.parseInt(args[4]) : 2_000_000;
        Runnable op = what.equals("pq") ? baseline(queued) : cycle(what, queued);

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] wallRate = new double[rounds];
        double[] threadNs = new double[rounds];
        double[] processNs = new double[rounds];
        double[] gcMs = new double[rounds];
        for (int round = 0; round < warmups + rounds; round++) {
            long gc0 = gcMillis();
            long process0 = os.getProcessCpuTime();
            long thread0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            for (int i = 0; i < ops; i++) {
                op.run();
            }
            long wall = System.nanoTime() - wall0;
            long thread = threads.getCurrentThreadCpuTime() - thread0;
            long process = os.getProcessCpuTime() - process0;
            long gc = gcMillis() - gc0;
            int r = round - warmups;
            if (r >= 0) {
                wallRate[r] = ops / (wall / 1e9);
                threadNs[r] = (double) thread / ops;
                processNs[r] = (double) process / ops;
                gcMs[r] = gc;
            }
            System.out.printf(Locale.ROOT, "%s %s queued=%d round %d: wall %,.0f ops/s, thread CPU %.0f ns/op,"
                            + " process CPU %.0f ns/op, GC %d ms (%d ms wall)%n", what, r >= 0 ? "measure" : "warmup",
                    queued, round, ops / (wall / 1e9), (double) thread / ops, (double) process / ops, gc, wall / 1_000_000);
        }
        System.out.printf(Locale.ROOT, "RESULT %s queued=%d medians: wall %.0f ops/s, thread CPU %.1f ns/op,"
                        + " process CPU %.1f ns/op (= %.0f ops per process-CPU-second), GC %.0f ms per %d ops%n",
                what, queued, median(wallRate), median(threadNs), median(processNs), 1e9 / median(processNs),
                median(gcMs), ops);
        System.out.println(sink == 42 ? "" : "");
    }

    private static Runnable cycle(String policy, int queued) {
        InstantExecutor executor = new InstantExecutor(false);
        Engine engine = Engine.builder().clock(new VirtualClock()).executor(executor).policy(policy).build();
        engine.start();
        Workload workload = new Workload(42);
        for (int i = 0; i <= queued; i++) {
            engine.send(new Command.Submit(workload.nextSpec(), 1));
        }
        return () -> {
            sink += engine.send(new Command.Submit(workload.nextSpec(), 1)).join().task().sequence();
            executor.completeRunning();
        };
    }

    private static Runnable baseline(int size) {
        SplittableRandom random = new SplittableRandom(42);
        PriorityQueue<Long> queue = new PriorityQueue<>(size + 1);
        for (int i = 0; i < size; i++) {
            queue.offer(random.nextLong());
        }
        return () -> {
            queue.offer(random.nextLong());
            sink += queue.poll();
        };
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, bean.getCollectionTime());
        }
        return total;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
