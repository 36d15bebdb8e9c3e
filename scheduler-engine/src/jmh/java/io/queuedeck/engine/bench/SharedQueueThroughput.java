package io.queuedeck.engine.bench;

import io.queuedeck.engine.cluster.SharedQueue;
import io.queuedeck.engine.task.TaskSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Submit → claim → acknowledge through the shared queue in Redis, timed as a whole (not JMH).
 * Each node is one {@link SharedQueue} (one connection, as a {@code serve --node} process has):
 * {@code threads} threads enqueue its share of the tasks in batches of {@code claim} (as
 * {@code POST /v1/tasks:batch} does), and as many claim up to {@code claim} at a time and
 * acknowledge them in one step (as a node acknowledges what finished since its last step); their
 * calls share the node's connection, so Lettuce pipelines them. A round ends when every task is acknowledged; tasks/s is n over that time.
 *
 * <pre>
 * java -cp scheduler-engine/target/queuedeck-bench.jar io.queuedeck.engine.bench.SharedQueueThroughput \
 *      redis://127.0.0.1:6399 200000 1 8 100 3
 * </pre>
 * (uri, tasks, nodes, threads per side per node, claim size, rounds)
 */
public final class SharedQueueThroughput {
    private SharedQueueThroughput() {}

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        int n = Integer.parseInt(args[1]);
        int nodes = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        int claim = Integer.parseInt(args[4]);
        int rounds = Integer.parseInt(args[5]);
        System.out.printf(Locale.ROOT, "uri=%s n=%d nodes=%d threads=%d claim=%d java=%s cpus=%d%n", uri, n, nodes, threads,
                claim, Runtime.version(), Runtime.getRuntime().availableProcessors());
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (int round = 0; round <= rounds; round++) {
            double[] redisBefore = redisCpu(uri);
            long nodesBefore = os.getProcessCpuTime();
            double rate = round(uri, "bench" + System.nanoTime(), n, nodes, threads, claim);
            double nodeMicros = (os.getProcessCpuTime() - nodesBefore) / 1e3 / n;
            double[] redisAfter = redisCpu(uri);
            double redisMicros = (redisAfter[0] - redisBefore[0]) * 1e6 / n;
            double mainMicros = (redisAfter[1] - redisBefore[1]) * 1e6 / n;
            // the machine's ceiling for this mix: Redis's one thread alone, and all cores shared by Redis and the nodes
            System.out.printf(Locale.ROOT, "%s: %,.0f tasks/s (submit+claim+ack); CPU per task: nodes %.1f us, redis %.1f us"
                            + " (main thread %.1f us); ceilings: redis thread %,.0f/s, %d cores %,.0f/s%n",
                    round == 0 ? "warmup" : "round " + round, rate, nodeMicros, redisMicros, mainMicros, 1e6 / mainMicros,
                    Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().availableProcessors() * 1e6 / (nodeMicros + redisMicros));
        }
    }

    /**
     * Redis's CPU seconds so far ({@code INFO cpu}): the process (user + sys, all its threads) and its
     * main thread, which runs every command and script. One inline command on a socket of its own.
     */
    static double[] redisCpu(String uri) throws java.io.IOException {
        java.net.URI u = java.net.URI.create(uri);
        try (java.net.Socket socket = new java.net.Socket(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort())) {
            socket.getOutputStream().write("INFO cpu\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII));
            int length = Integer.parseInt(in.readLine().substring(1));
            char[] body = new char[length];
            for (int read = 0; read < length; ) {
                read += in.read(body, read, length - read);
            }
            double process = 0, main = 0;
            for (String line : new String(body).split("\r\n")) {
                String[] kv = line.split(":");
                switch (kv[0]) {
                    case "used_cpu_user", "used_cpu_sys" -> process += Double.parseDouble(kv[1]);
                    case "used_cpu_user_main_thread", "used_cpu_sys_main_thread" -> main += Double.parseDouble(kv[1]);
                    default -> { }
                }
            }
            return new double[] {process, main};
        }
    }

    private static double round(String uri, String queue, int n, int nodes, int threads, int claim) throws Exception {
        TaskSpec spec = TaskSpec.of("llama-2-7b", "hello", 5, 16);
        List<SharedQueue> queues = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            queues.add(SharedQueue.redis(uri, queue, "node" + i, Duration.ofMinutes(5), 3, Duration.ofMinutes(10)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2 * threads * nodes);
        AtomicLong submitted = new AtomicLong();
        AtomicLong acked = new AtomicLong();
        List<Future<?>> work = new ArrayList<>();
        long start = System.nanoTime();
        for (SharedQueue q : queues) {
            for (int t = 0; t < threads; t++) {
                work.add(pool.submit(() -> {
                    // in batches of `claim`, as POST /v1/tasks:batch hands them over
                    for (long from = submitted.getAndAdd(claim); from < n; from = submitted.getAndAdd(claim)) {
                        List<TaskSpec> batch = new ArrayList<>(claim);
                        for (long i = from; i < Math.min(n, from + claim); i++) {
                            batch.add(spec.withTaskId("t" + i));
                        }
                        q.enqueueAll(batch);
                    }
                }));
                work.add(pool.submit(() -> {
                    while (acked.get() < n) {
                        List<SharedQueue.Claim> claims = q.claim(claim);
                        if (claims.isEmpty()) {
                            java.util.concurrent.locks.LockSupport.parkNanos(200_000); // as a node's next step would wait
                            continue;
                        }
                        List<SharedQueue.Done> done = new ArrayList<>(claims.size());
                        for (SharedQueue.Claim c : claims) {
                            done.add(new SharedQueue.Done(c.id(), SharedQueue.Outcome.SUCCEEDED, ""));
                        }
                        q.ackAll(done); // as a node acknowledges what finished since its last step
                        acked.addAndGet(claims.size());
                    }
                }));
            }
        }
        for (Future<?> f : work) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        queues.forEach(SharedQueue::close);
        return n / seconds;
    }
}
