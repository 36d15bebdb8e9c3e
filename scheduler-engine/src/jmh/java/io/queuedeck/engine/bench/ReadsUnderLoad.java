package io.queuedeck.engine.bench;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ApiServer;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * Submission latency over loopback HTTP while clients page through a large queue, against the
 * same submissions with nobody listing, in one run. The engine holds {@code queued} waiting tasks
 * (dispatch paused, so they stay queued; four tenants); one submitter sends
 * {@code POST /v1/tasks} at a fixed rate, its latency measured from the intended send time
 * (coordinated omission corrected); then {@code listers} threads page through
 * {@code GET /v1/tasks} with {@code pageSize} a page (every other lister filtered by state and tenant), from
 * the start again when they reach the end.
 *
 * <pre>
 * java -Xms6g -Xmx6g -cp scheduler-engine/target/queuedeck-bench.jar \
 *     io.queuedeck.engine.bench.ReadsUnderLoad [queued listers seconds submitsPerSecond pageSize]
 * </pre>
 */
public final class ReadsUnderLoad {
    private static final Pattern NEXT = Pattern.compile("\"next_cursor\"\\s*:\\s*\"([0-9a-z]+)\"");

    private static final AtomicLong REFUSED = new AtomicLong(); // submissions not answered 202 (a 503 before the index)

    private ReadsUnderLoad() {}

    public static void main(String[] args) throws Exception {
        int queued = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int listers = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int rate = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        int pageSize = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        try (Engine engine = Engine.builder().snapshotInterval(Duration.ofMillis(100)).build()) {
            engine.start();
            engine.send(new Command.PauseDispatch(true)).join();
            fill(engine, queued);
            try (ApiServer server = ApiServer.builder(engine).host("127.0.0.1").port(0).maxQueued(queued * 2).build().start()) {
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                URI base = server.baseUri();
                submit(http, base, "warm", 5, rate); // JIT and connections
                report("no listers", submit(http, base, "quiet", seconds, rate));
                AtomicBoolean listing = new AtomicBoolean(true);
                AtomicLong pages = new AtomicLong();
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < listers; i++) {
                    String filter = i % 2 == 0 ? "" : "&state=queued&tenant=tenant-" + (i / 2 % 4);
                    // each lister its own client and connection, as separate dashboards would be
                    HttpClient own = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                    threads.add(Thread.ofPlatform().name("lister-" + i)
                            .start(() -> list(own, base, "limit=" + pageSize + filter, listing, pages)));
                }
                long start = System.nanoTime();
                Histogram busy = submit(http, base, "busy", seconds, rate);
                double elapsed = (System.nanoTime() - start) / 1e9;
                listing.set(false);
                for (Thread t : threads) {
                    t.join();
                }
                report(listers + " listers", busy);
                System.out.printf("listers: %,d pages of up to %,d in %.1f s (%,.0f pages/s)%n", pages.get(), pageSize, elapsed,
                        pages.get() / elapsed);
            }
        }
    }

    private static void fill(Engine engine, int queued) {
        long start = System.nanoTime();
        List<CompletableFuture<?>> sent = new ArrayList<>(10_000);
        for (int i = 0; i < queued; i++) {
            sent.add(engine.send(new Command.Submit(new TaskSpec("q-" + i, "llama-2-7b", "hello", 5, null,
                    "tenant-" + (i % 4), null, null, 16, null, null))));
            if (sent.size() == 10_000) {
                sent.forEach(CompletableFuture::join);
                sent.clear();
            }
        }
        sent.forEach(CompletableFuture::join);
        System.out.printf("queued %,d tasks in %.1f s%n", queued, (System.nanoTime() - start) / 1e9);
    }

    /** Submits at {@code rate} per second for {@code seconds}; latency from each intended send time, in µs. */
    private static Histogram submit(HttpClient http, URI base, String prefix, int seconds, int rate)
            throws Exception {
        Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        int count = seconds * rate;
        for (int i = 0; i < count; i++) {
            long intended = start + i * interval;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // pacing the load generator, not waiting for a result
            }
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/v1/tasks"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"task_id\":\"" + prefix + "-" + i
                            + "\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":4}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 202) {
                REFUSED.incrementAndGet();
            }
            latency.recordValueWithExpectedInterval((System.nanoTime() - intended) / 1_000, interval / 1_000);
        }
        return latency;
    }

    private static void list(HttpClient http, URI base, String filter, AtomicBoolean listing, AtomicLong pages) {
        String cursor = null;
        while (listing.get()) {
            try {
                HttpResponse<String> page = http.send(HttpRequest.newBuilder(base.resolve("/v1/tasks?" + filter
                        + (cursor == null ? "" : "&cursor=" + cursor))).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (page.statusCode() != 200) {
                    throw new IllegalStateException("list answered " + page.statusCode() + ": " + page.body());
                }
                pages.incrementAndGet();
                Matcher next = NEXT.matcher(page.body());
                cursor = next.find() ? next.group(1) : null;
            } catch (java.io.IOException e) {
                if (listing.get()) {
                    throw new java.io.UncheckedIOException(e);
                }
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void report(String what, Histogram h) {
        System.out.printf("submissions, %s: %,d sent, %,d not 202 so far, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n", what,
                h.getTotalCount(), REFUSED.get(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
    }
}
