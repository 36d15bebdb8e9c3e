import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ApiServer;
import io.queuedeck.engine.exec.openai.Backend;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer;
import io.queuedeck.engine.exec.openai.OpenAiExecutor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * The front door's overhead with each side in its own process: the fake OpenAI-compatible backend,
 * one QueueDeck server per build under test, and the load client are separate JVMs, so a server's
 * CPU time is its own and its threads do not share carriers with the harness's. The client runs N
 * closed-loop streaming clients against each target in turn (the fake directly, then each
 * server), round after round, and reports per round: completed requests per second, time to first
 * token and to the end (p50, p99), and the CPU time per completed request of the target's server
 * process and of the fake (from /proc/PID/stat), with the load average.
 *
 * Modes (docs/bench/2026-12-04-frontdoor-processes/run.sh starts them):
 *   fake TOKENS GAP_MS MAX_CONNECTIONS                 prints "ready URL"
 *   server FAKE_URL SLOTS                              prints "ready URL"
 *   client CLIENTS SECONDS ROUNDS FAKE_PID NAME=URL,PID ...   (the first target is the baseline: the fake)
 */
public class FrontDoorProcessBench {

    public static void main(String[] args) throws Exception {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        switch (args[0]) {
            case "fake" -> fake(Integer.parseInt(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]));
            case "server" -> server(args[1], Integer.parseInt(args[2]));
            case "client" -> client(args);
            default -> throw new IllegalArgumentException("mode: fake, server or client");
        }
    }

    static void fake(int tokens, long gapMillis, int maxConnections) throws Exception {
        // As in FrontDoorBench: the JDK's server must not be the limit (delayed ACKs, idle connection cap).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        System.setProperty("sun.net.httpserver.maxIdleConnections", Integer.toString(maxConnections));
        FakeOpenAiServer fake = new FakeOpenAiServer("bench-model");
        fake.byDefault(FakeOpenAiServer.Script.tokens(tokens).delays(gapMillis, gapMillis));
        System.out.println("ready " + fake.url());
        System.out.flush();
        Thread.currentThread().join(); // until the script ends the process
    }

    static void server(String fakeUrl, int slots) throws Exception {
        // The executor's own default HTTP client: nothing of the benchmark's inside the server.
        OpenAiExecutor executor = OpenAiExecutor.builder()
                .backend(Backend.at(fakeUrl).withModels(List.of("bench-model")).withSlots(slots)).build();
        Engine engine = Engine.builder().executor(executor).build();
        engine.start();
        ApiServer server = ApiServer.builder(engine).port(0).virtualThreads().maxQueued(1_000_000)
                .openAiFrontDoor(executor.models(), executor.streams()).build().start();
        System.out.println("ready " + server.baseUri());
        System.out.flush();
        Thread.currentThread().join();
    }

    record Target(String name, URI uri, long pid) {}

    static void client(String[] args) throws Exception {
        int clients = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        long fakePid = Long.parseLong(args[4]);
        List<Target> targets = new ArrayList<>();
        for (int i = 5; i < args.length; i++) {
            String[] nameRest = args[i].split("=", 2);
            String[] urlPid = nameRest[1].split(",");
            targets.add(new Target(nameRest[0], URI.create(urlPid[0] + "/v1/chat/completions"), Long.parseLong(urlPid[1])));
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        System.out.printf("clients %d, %d s per round, %d rounds after a warm-up round, targets %s%n", clients, seconds,
                rounds, targets.stream().map(Target::name).toList());
        System.out.println("round  target          req/s   ttft p50   ttft p99    end p50    end p99  (ms)"
                + "  server cpu/req  fake cpu/req (ms)  load   failed");
        for (int round = -1; round < rounds; round++) {
            for (Target target : targets) {
                Row r = run(http, target, fakePid, clients, round < 0 ? Math.min(5, seconds) : seconds);
                if (round >= 0) {
                    System.out.printf("%5d  %-12s %8.1f %10.2f %10.2f %10.2f %10.2f %21.3f %13.3f  %6s %8d%n", round,
                            target.name(), r.perSecond, r.ttftP50, r.ttftP99, r.endP50, r.endP99, r.serverCpuPerRequest,
                            r.fakeCpuPerRequest, r.load, r.failed);
                    if (!r.failures.isEmpty()) {
                        System.out.println("  failures: " + r.failures);
                    }
                }
            }
        }
        System.exit(0);
    }

    record Row(double perSecond, double ttftP50, double ttftP99, double endP50, double endP99, double serverCpuPerRequest,
               double fakeCpuPerRequest, String load, long failed, Map<String, Long> failures) {}

    static Row run(HttpClient http, Target target, long fakePid, int clients, int seconds) throws Exception {
        Recorder ttft = new Recorder(3);
        Recorder end = new Recorder(3);
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
        String body = "{\"model\":\"bench-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            running.add(threads.submit(() -> {
                while (!stop.get()) {
                    long start = System.nanoTime();
                    long first = -1;
                    boolean done = false;
                    try {
                        HttpRequest request = HttpRequest.newBuilder(target.uri()).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                        HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                            String line;
                            while ((line = in.readLine()) != null) {
                                if (first < 0 && line.startsWith("data: {") && line.contains("\"content\":\"t")) {
                                    first = System.nanoTime();
                                } else if (line.equals("data: [DONE]")) {
                                    done = true;
                                }
                            }
                        }
                        if (!done) {
                            failed.incrementAndGet();
                            failures.computeIfAbsent("status " + response.statusCode() + ", no [DONE]", k -> new AtomicLong())
                                    .incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        failures.computeIfAbsent(e.getClass().getSimpleName() + ": " + e.getMessage(), k -> new AtomicLong())
                                .incrementAndGet();
                    }
                    long now = System.nanoTime();
                    if (done && first > 0 && measuring.get()) {
                        ttft.recordValue((first - start) / 1_000);
                        end.recordValue((now - start) / 1_000);
                        completed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        Thread.sleep(2_000); // every client has its stream going
        ttft.getIntervalHistogram();
        end.getIntervalHistogram();
        failed.set(0);
        failures.clear();
        long serverCpu = cpuTicks(target.pid());
        long fakeCpu = cpuTicks(fakePid);
        long from = System.nanoTime();
        measuring.set(true);
        Thread.sleep(seconds * 1_000L);
        measuring.set(false);
        long took = System.nanoTime() - from;
        long serverTicks = cpuTicks(target.pid()) - serverCpu;
        long fakeTicks = cpuTicks(fakePid) - fakeCpu;
        String load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        var t = ttft.getIntervalHistogram();
        var e = end.getIntervalHistogram();
        long done = completed.get();
        long failedNow = failed.get();
        Map<String, Long> why = new TreeMap<>();
        failures.forEach((k, v) -> why.put(k, v.get()));
        stop.set(true);
        for (Future<?> f : running) {
            f.get();
        }
        threads.close();
        double msPerTick = 1_000.0 / 100; // USER_HZ
        return new Row(done / (took / 1e9), t.getValueAtPercentile(50) / 1e3, t.getValueAtPercentile(99) / 1e3,
                e.getValueAtPercentile(50) / 1e3, e.getValueAtPercentile(99) / 1e3,
                target.pid() == fakePid ? 0 : serverTicks * msPerTick / Math.max(1, done),
                fakeTicks * msPerTick / Math.max(1, done), load, failedNow, why);
    }

    /** utime + stime of a process, in clock ticks. */
    static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of stat
    }
}
