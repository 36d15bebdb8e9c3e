import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ApiServer;
import io.queuedeck.engine.exec.openai.Backend;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer;
import io.queuedeck.engine.exec.openai.OpenAiExecutor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okio.Buffer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Overhead of the front door and the executor: N clients, each streaming one chat completion
 * after another (closed loop), against the fake OpenAI-compatible server directly and through
 * QueueDeck (front door -> queue -> executor -> the same fake server), in alternating rounds of
 * the same run. Reports, per round, completed requests per second, the client's time to first
 * token and to the end of the stream (p50, p99), the process CPU time per completed request, and
 * where each request's time went (p50 of each phase, from timestamps the client, the fake server
 * and the executor's HTTP client take on every measured request; same clock, same JVM).
 * Run (after ./mvnw -B -o -pl scheduler-engine test-compile and
 * ./mvnw -B -o -pl scheduler-engine dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test):
 *   java -cp scheduler-engine/target/classes:scheduler-engine/target/test-classes:$(cat /tmp/cp.txt) \
 *       scheduler-engine/src/bench/java/FrontDoorBench.java [clients] [seconds] [rounds] [tokens] [interTokenMillis]
 * e.g. ... FrontDoorBench.java 500 20 4 16 30
 */
public class FrontDoorBench {
    // phase slots of one request
    static final int START = 0, HEADERS = 1, DISPATCHED = 2, CONNECTED = 3, SENT = 4, RECEIVED = 5, FAKE_FIRST = 6,
            FIRST = 7, FAKE_END = 8, END = 9, SLOTS = 10;
    static final Map<String, long[]> PHASES = new ConcurrentHashMap<>();
    static final AtomicLong NEW_CONNECTIONS = new AtomicLong();

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int tokens = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        long interToken = args.length > 4 ? Long.parseLong(args[4]) : 30;
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);

        // The fake server (the JDK's HTTP server) must not be the limit, in either arm: without
        // TCP_NODELAY its second small write in a row waits for the client's delayed ACK (~40 ms
        // before every first token), and above 200 idle connections it closes the next one to go idle.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        System.setProperty("sun.net.httpserver.maxIdleConnections", Integer.toString(clients * 4));
        FakeOpenAiServer fake = new FakeOpenAiServer("bench-model");
        fake.byDefault(FakeOpenAiServer.Script.tokens(tokens).delays(interToken, interToken));
        fake.probe((request, phase, nanos) -> {
            long[] p = PHASES.get(request.path("user").asText());
            if (p != null) {
                p[switch (phase) {
                    case "received" -> RECEIVED;
                    case "first" -> FAKE_FIRST;
                    default -> FAKE_END;
                }] = nanos;
            }
        });
        // the executor's default HTTP client (virtual threads, a connection per slot), plus timestamps
        int slots = clients * 2;
        OkHttpClient okhttp = new OkHttpClient.Builder()
                // fdb.platformThreads=true: OkHttp's own pool of platform threads instead of virtual threads
                .dispatcher(Boolean.getBoolean("fdb.platformThreads") ? new Dispatcher()
                        : new Dispatcher(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("backend-stream-", 0).factory())))
                .fastFallback(Boolean.getBoolean("fdb.fastFallback")) // true: as the executor's default was before 0060
                .connectionPool(new ConnectionPool(slots + 16, 5, TimeUnit.MINUTES))
                .eventListenerFactory(call -> new Timestamps()).build();
        OpenAiExecutor executor = OpenAiExecutor.builder().httpClient(okhttp)
                .backend(Backend.at(fake.url()).withModels(List.of("bench-model")).withSlots(slots)).build();
        Engine engine = Engine.builder().executor(executor).build();
        engine.start();
        ApiServer server = ApiServer.builder(engine).port(0).virtualThreads().maxQueued(1_000_000)
                .openAiFrontDoor(executor.models(), executor.streams()).build().start();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();

        System.out.printf("direct %s, queuedeck %s, backend threads %s%n", fake.url(), server.baseUri(),
                Boolean.getBoolean("fdb.platformThreads") ? "platform" : "virtual");
        System.out.printf("clients %d, %d s per round, %d tokens per answer, %d ms before the first and between tokens%n",
                clients, seconds, tokens, interToken);
        System.out.println("round  target      req/s   ttft p50   ttft p99    end p50    end p99  (ms)   cpu/req (ms)  load");
        List<String> phaseLines = new ArrayList<>();
        // a warm-up round of each, not reported
        for (int round = -1; round < rounds; round++) {
            for (String target : List.of("direct", "queuedeck")) {
                String base = target.equals("direct") ? fake.url() : server.baseUri().toString();
                Result r = run(http, URI.create(base + "/v1/chat/completions"), clients,
                        round < 0 ? Math.min(5, seconds) : seconds);
                if (round >= 0) {
                    System.out.printf("%5d  %-9s %8.1f %10.2f %10.2f %10.2f %10.2f %14.3f  %s%n", round, target, r.perSecond,
                            r.ttft.getValueAtPercentile(50) / 1e3, r.ttft.getValueAtPercentile(99) / 1e3,
                            r.end.getValueAtPercentile(50) / 1e3, r.end.getValueAtPercentile(99) / 1e3,
                            r.cpuNanosPerRequest / 1e6, r.load);
                    StringBuilder line = new StringBuilder(String.format("%5d  %-9s", round, target));
                    r.phases.forEach((name, h) -> line.append(String.format("  %s %.1f", name,
                            h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(50) / 1e3)));
                    line.append(String.format("  new-connections %d", r.newConnections));
                    phaseLines.add(line.toString());
                }
            }
        }
        System.out.println("where the time went, p50 of each phase (ms) over the measured requests:");
        System.out.println("  accepted: the client sent -> response headers (through QueueDeck: the task is queued);"
                + " dispatched: -> the executor starts the backend call; sent: -> its request headers go out;"
                + " at-backend: client sent -> the fake server reads the request; backend-pause: the scripted wait;"
                + " first-relay: the fake writes the first token -> the client reads it; end-relay: the fake's end -> the client's");
        phaseLines.forEach(System.out::println);
        server.close();
        engine.close();
        executor.close();
        fake.close();
        System.exit(0);
    }

    record Result(double perSecond, Histogram ttft, Histogram end, double cpuNanosPerRequest, String load,
                  Map<String, Histogram> phases, long newConnections) {}

    /** The executor's HTTP client's view of one backend call. */
    static final class Timestamps extends EventListener {
        private long callStart;
        private long acquired;

        @Override
        public void callStart(Call call) {
            callStart = System.nanoTime(); // on the loop, inside the executor's dispatch
        }

        @Override
        public void connectStart(Call call, java.net.InetSocketAddress address, java.net.Proxy proxy) {
            NEW_CONNECTIONS.incrementAndGet();
        }

        @Override
        public void connectionAcquired(Call call, Connection connection) {
            acquired = System.nanoTime();
        }

        @Override
        public void requestHeadersStart(Call call) {
            long sent = System.nanoTime();
            try (Buffer body = new Buffer()) {
                call.request().body().writeTo(body);
                String text = body.readUtf8();
                int at = text.indexOf("\"user\":\"");
                if (at >= 0) {
                    long[] p = PHASES.get(text.substring(at + 8, text.indexOf('"', at + 8)));
                    if (p != null) {
                        p[DISPATCHED] = callStart;
                        p[CONNECTED] = acquired;
                        p[SENT] = sent;
                    }
                }
            } catch (Exception e) {
                // not a completion
            }
        }
    }

    static Result run(HttpClient http, URI uri, int clients, int seconds) throws Exception {
        Recorder ttft = new Recorder(3);
        Recorder end = new Recorder(3);
        Map<String, Recorder> phases = new LinkedHashMap<>();
        for (String name : List.of("accepted", "dispatched", "connected", "sent", "at-backend", "backend-pause",
                "first-relay", "end-relay")) {
            phases.put(name, new Recorder(3));
        }
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Map<String, AtomicLong> failures = new ConcurrentHashMap<>(); // why, so a failure can be looked into
        AtomicLong sequence = new AtomicLong();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        List<java.util.concurrent.Future<?>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            running.add(threads.submit(() -> {
                while (!stop.get()) {
                    String marker = "r" + sequence.incrementAndGet();
                    String body = "{\"model\":\"bench-model\",\"stream\":true,\"user\":\"" + marker
                            + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
                    long[] p = new long[SLOTS];
                    PHASES.put(marker, p);
                    long start = System.nanoTime();
                    p[START] = start;
                    long first = -1;
                    boolean done = false;
                    try {
                        HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                        HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                        p[HEADERS] = System.nanoTime();
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
                            failures.computeIfAbsent("status " + response.statusCode() + ", no [DONE]",
                                    k -> new AtomicLong()).incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        failures.computeIfAbsent(e.getClass().getSimpleName() + ": " + e.getMessage(),
                                k -> new AtomicLong()).incrementAndGet();
                    }
                    long now = System.nanoTime();
                    PHASES.remove(marker);
                    if (done && first > 0 && measuring.get()) {
                        ttft.recordValue((first - start) / 1_000);
                        end.recordValue((now - start) / 1_000);
                        completed.incrementAndGet();
                        p[FIRST] = first;
                        p[END] = now;
                        record(phases, "accepted", p, START, HEADERS);
                        record(phases, "dispatched", p, START, DISPATCHED);
                        record(phases, "connected", p, DISPATCHED, CONNECTED);
                        record(phases, "sent", p, CONNECTED, SENT);
                        record(phases, "at-backend", p, START, RECEIVED);
                        record(phases, "backend-pause", p, RECEIVED, FAKE_FIRST);
                        record(phases, "first-relay", p, FAKE_FIRST, FIRST);
                        record(phases, "end-relay", p, FAKE_END, END);
                    }
                }
                return null;
            }));
        }
        Thread.sleep(2_000); // every client has its stream going
        ttft.getIntervalHistogram();
        end.getIntervalHistogram();
        phases.values().forEach(Recorder::getIntervalHistogram);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long connections = NEW_CONNECTIONS.get();
        measuring.set(true);
        long from = System.nanoTime();
        long cpuFrom = os.getProcessCpuTime();
        Thread.sleep(seconds * 1_000L);
        measuring.set(false);
        long took = System.nanoTime() - from;
        long cpu = os.getProcessCpuTime() - cpuFrom;
        String load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        Map<String, Histogram> phaseHistograms = new LinkedHashMap<>();
        phases.forEach((name, recorder) -> phaseHistograms.put(name, recorder.getIntervalHistogram()));
        long done = completed.get();
        Result result = new Result(done / (took / 1e9), ttft.getIntervalHistogram(), end.getIntervalHistogram(),
                done == 0 ? Double.NaN : (double) cpu / done, load, phaseHistograms, NEW_CONNECTIONS.get() - connections);
        stop.set(true);
        for (var f : running) {
            f.get();
        }
        threads.close();
        if (failed.get() > 0 || !failures.isEmpty()) {
            System.out.println("  (" + uri.getPort() + ": " + failed.get() + " requests failed: " + failures + ")");
        }
        return result;
    }

    private static void record(Map<String, Recorder> phases, String name, long[] p, int from, int to) {
        if (p[from] > 0 && p[to] >= p[from]) {
            phases.get(name).recordValue((p[to] - p[from]) / 1_000);
        }
    }
}
