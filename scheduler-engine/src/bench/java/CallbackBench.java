import com.sun.net.httpserver.HttpServer;
import io.queuedeck.engine.callback.CallbackDispatcher;
import io.queuedeck.engine.callback.DeliveryListener;
import io.queuedeck.engine.callback.DeliveryStore;
import io.queuedeck.engine.clock.SystemClock;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Callback delivery throughput: completions handed to the dispatcher at a fixed rate (as the
 * completion feed does), delivered over loopback to a local receiver (the JDK's HTTP server).
 * One round per store named, in order, in the same JVM and against the same receiver:
 * "memory" is DeliveryStore.inMemory(), "durable" is DeliveryStore.durable() in a fresh temp dir.
 * Run (after ./mvnw -pl scheduler-engine package -DskipTests and dependency:build-classpath):
 *   java -cp scheduler-engine/target/classes:$(cat /tmp/cp.txt) scheduler-engine/src/bench/java/CallbackBench.java [rate] [seconds] [stores]
 * e.g. ... CallbackBench.java 2000 10 memory,durable,memory,durable
 */
public class CallbackBench {
    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<String> stores = List.of((args.length > 2 ? args[2] : "memory,durable").split(","));
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.setExecutor(Executors.newFixedThreadPool(8));
        receiver.start();
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        for (int round = 0; round < stores.size(); round++) {
            String store = stores.get(round).trim();
            run(store, round, rate, seconds, url);
        }
        receiver.stop(0);
        System.exit(0);
    }

    private static void run(String storeName, int round, int rate, int seconds, String url) throws Exception {
        Path dir = null;
        DeliveryStore store = switch (storeName) {
            case "memory" -> DeliveryStore.inMemory();
            case "durable" -> DeliveryStore.durable(dir = Files.createTempDirectory("callback-bench"));
            default -> throw new IllegalArgumentException("store must be memory or durable, got " + storeName);
        };
        int total = rate * seconds;
        SystemClock clock = new SystemClock();
        ScheduledExecutorService feed = Executors.newSingleThreadScheduledExecutor();
        CountDownLatch done = new CountDownLatch(total);
        AtomicLong retries = new AtomicLong();
        AtomicLong dead = new AtomicLong();
        long[] latencies = new long[total];
        AtomicLong index = new AtomicLong();
        CallbackDispatcher dispatcher = CallbackDispatcher.builder(clock, feed)
                .signingSecrets(List.of("whsec_" + java.util.Base64.getEncoder().encodeToString(
                        "bench secret: thirty-two bytes!!".getBytes())))
                .allowedHosts(List.of("127.0.0.1:" + java.net.URI.create(url).getPort())) // loopback only when listed
                .store(store)
                .listener(new DeliveryListener() {
                    public void delivered(int attempts, long latencyNanos) {
                        latencies[(int) index.getAndIncrement()] = latencyNanos;
                        done.countDown();
                    }
                    public void retried(String reason) { retries.incrementAndGet(); }
                    public void deadLettered(String reason) { dead.incrementAndGet(); done.countDown(); }
                })
                .build();

        long start = System.nanoTime();
        long intervalNanos = 1_000_000_000L / rate;
        for (int i = 0; i < total; i++) {
            long due = start + i * intervalNanos;
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            long now = clock.nanos();
            String id = "r" + round + "-t" + i;
            TaskSpec spec = new TaskSpec(id, "llama-2-7b", "hello", 5, url, "bench", null, null, 64, 2, null);
            TaskView view = new TaskView(id, spec, TaskState.SUCCEEDED, 5, 0, 0, i, now - 5_000_000, now - 4_000_000,
                    now - 3_000_000, now, 1_000_000, 64, 64, 1, 0, null, "x".repeat(256),
                    List.of(new Task.Transition(null, TaskState.QUEUED, now - 5_000_000)));
            dispatcher.deliver(view);
        }
        boolean all = done.await(60, java.util.concurrent.TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        int n = (int) index.get();
        long[] sorted = java.util.Arrays.copyOf(latencies, n);
        java.util.Arrays.sort(sorted);
        System.out.printf("[%s] offered %d callbacks/s for %d s: delivered %d of %d in %.2f s (%.0f/s), retries %d, dead %d, all=%s%n",
                storeName, rate, seconds, n, total, elapsed, n / elapsed, retries.get(), dead.get(), all);
        if (n > 0) {
            System.out.printf("[%s] callback latency (completion to 2xx): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    storeName, sorted[n / 2] / 1e6, sorted[(int) (n * 0.99)] / 1e6, sorted[n - 1] / 1e6);
        }
        dispatcher.close();
        feed.shutdownNow();
        long closing = System.nanoTime();
        store.close();
        if (dir != null) {
            long bytes;
            try (Stream<Path> files = Files.walk(dir)) {
                bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            double closeMillis = (System.nanoTime() - closing) / 1e6;
            try (DeliveryStore reopened = DeliveryStore.durable(dir)) {
                System.out.printf("[%s] left in the store: %d deliveries; closed in %.1f ms; file %d KiB%n", storeName,
                        reopened.all().size(), closeMillis, bytes / 1024);
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
