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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * Overhead of the front door and the executor: N clients, each streaming one chat completion
 * after another (closed loop), against the fake OpenAI-compatible server directly and through
 * QueueDeck (front door -> queue -> executor -> the same fake server), in alternating rounds of
 * the same run. Reports, per round, completed requests per second and the client's time to first
 * token and to the end of the stream (p50, p99).
 * Run (after ./mvnw -B -o -pl scheduler-engine test-compile and
 * ./mvnw -B -o -pl scheduler-engine dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test):
 *   java -cp scheduler-engine/target/classes:scheduler-engine/target/test-classes:$(cat /tmp/cp.txt) \
 *       scheduler-engine/src/bench/java/FrontDoorBench.java [clients] [seconds] [rounds] [tokens] [interTokenMillis]
 * e.g. ... FrontDoorBench.java 500 20 4 16 30
 */
public class FrontDoorBench {
    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int tokens = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        long interToken = args.length > 4 ? Long.parseLong(args[4]) : 30;
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);

        FakeOpenAiServer fake = new FakeOpenAiServer("bench-model");
        fake.byDefault(FakeOpenAiServer.Script.tokens(tokens).delays(interToken, interToken));
        OpenAiExecutor executor = OpenAiExecutor.builder()
                .backend(Backend.at(fake.url()).withModels(List.of("bench-model")).withSlots(clients * 2)).build();
        Engine engine = Engine.builder().executor(executor).build();
        engine.start();
        ApiServer server = ApiServer.builder(engine).port(0).virtualThreads().maxQueued(1_000_000)
                .openAiFrontDoor(executor.models(), executor.streams()).build().start();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        String body = "{\"model\":\"bench-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";

        System.out.printf("clients %d, %d s per round, %d tokens per answer, %d ms before the first and between tokens%n",
                clients, seconds, tokens, interToken);
        System.out.println("round  target      req/s   ttft p50   ttft p99    end p50    end p99  (ms)");
        // a warm-up round of each, not reported
        for (int round = -1; round < rounds; round++) {
            for (String target : List.of("direct", "queuedeck")) {
                String base = target.equals("direct") ? fake.url() : server.baseUri().toString();
                Result r = run(http, URI.create(base + "/v1/chat/completions"), body, clients,
                        round < 0 ? Math.min(5, seconds) : seconds);
                if (round >= 0) {
                    System.out.printf("%5d  %-9s %8.1f %10.2f %10.2f %10.2f %10.2f%n", round, target, r.perSecond,
                            r.ttft.getValueAtPercentile(50) / 1e3, r.ttft.getValueAtPercentile(99) / 1e3,
                            r.end.getValueAtPercentile(50) / 1e3, r.end.getValueAtPercentile(99) / 1e3);
                }
            }
        }
        server.close();
        engine.close();
        executor.close();
        fake.close();
        System.exit(0);
    }

    record Result(double perSecond, org.HdrHistogram.Histogram ttft, org.HdrHistogram.Histogram end) {}

    static Result run(HttpClient http, URI uri, String body, int clients, int seconds) throws Exception {
        Recorder ttft = new Recorder(3);
        Recorder end = new Recorder(3);
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        List<java.util.concurrent.Future<?>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            running.add(threads.submit(() -> {
                while (!stop.get()) {
                    long start = System.nanoTime();
                    long first = -1;
                    boolean done = false;
                    try {
                        HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
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
                    } catch (Exception e) {
                        failed.incrementAndGet();
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
        measuring.set(true);
        long from = System.nanoTime();
        Thread.sleep(seconds * 1_000L);
        measuring.set(false);
        long took = System.nanoTime() - from;
        Result result = new Result(completed.get() / (took / 1e9), ttft.getIntervalHistogram(), end.getIntervalHistogram());
        stop.set(true);
        for (var f : running) {
            f.get();
        }
        threads.close();
        if (failed.get() > 0) {
            System.out.println("  (" + failed.get() + " requests failed)");
        }
        return result;
    }
}
