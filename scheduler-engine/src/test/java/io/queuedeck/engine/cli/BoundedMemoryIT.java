package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar in a small heap ({@code -Xmx256m}, as shipped: {@code -XX:+ExitOnOutOfMemoryError})
 * under what once took the server down for good: a flood of large inputs, hundreds of connections
 * that declare 16 MiB and send 10 bytes, a body that trickles. It must answer throughout.
 */
class BoundedMemoryIT {
    private static final Path JAR = Path.of("target", "queuedeck-engine.jar");
    private static final Pattern LISTENING = Pattern.compile("QueueDeck API listening on (http://\\S+) .*");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private record Server(Process process, URI base) {}

    private static Server start(String... args) throws Exception {
        assertThat(JAR).as("run `package` first").exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().remove("QUEUEDECK_API_TOKEN");
        // the default state directory, under a fresh XDG_DATA_HOME: never the user's own
        builder.environment().put("XDG_DATA_HOME", Files.createTempDirectory("queuedeck-xdg").toString());
        Process process = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        assertThat(first).as("first line on stdout").isNotNull().matches(LISTENING);
        Matcher m = LISTENING.matcher(first);
        assertThat(m.matches()).isTrue();
        return new Server(process, URI.create(m.group(1)));
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(URI uri, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void stop(Process process) throws Exception {
        process.toHandle().destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    @Test
    void floodOfLargeInputs_inA256MHeap_endsIn429s_andTheServerStaysHealthy() throws Exception {
        Server server = start("serve", "--port", "0");
        try {
            URI base = server.base();
            // nothing runs: every accepted task stays queued, the worst case for memory
            assertThat(post(base.resolve("/v1/queues/all:pause"), "").statusCode()).isEqualTo(200);
            String input = "x".repeat(400_000);
            int submissions = 640; // 256 MB of inputs: more than the whole heap
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            Map<String, AtomicInteger> codes = new ConcurrentHashMap<>();
            ExecutorService clients = Executors.newFixedThreadPool(16);
            try {
                List<Future<?>> sent = new ArrayList<>();
                for (int i = 0; i < submissions; i++) {
                    String body = "{\"task_id\":\"big-" + i + "\",\"model\":\"llama-2-7b\",\"max_tokens\":4,\"input\":\"" + input + "\"}";
                    sent.add(clients.submit(() -> {
                        HttpResponse<String> response = post(base.resolve("/v1/tasks"), body);
                        statuses.computeIfAbsent(response.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                        if (response.statusCode() == 429) {
                            codes.computeIfAbsent(JSON.readTree(response.body()).at("/error/code").asText()
                                    + "/" + JSON.readTree(response.body()).at("/error/field").asText(),
                                    k -> new AtomicInteger()).incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : sent) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                clients.shutdownNow();
            }

            assertThat(server.process().isAlive()).as("alive after the flood").isTrue();
            assertThat(statuses.keySet()).as("statuses %s", statuses).containsOnly(202, 429);
            assertThat(statuses.get(202).get()).as("some accepted").isPositive();
            assertThat(statuses.get(429).get()).as("most refused").isGreaterThan(submissions / 2);
            assertThat(codes.keySet()).containsExactly("queue_full/input");
            assertThat(get(base.resolve("/healthz")).statusCode()).isEqualTo(200);
            HttpResponse<String> small = post(base.resolve("/v1/tasks"), "{\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":4}");
            assertThat(small.statusCode()).as(small.body()).isEqualTo(202);

            String metrics = get(base.resolve("/metrics")).body();
            assertThat(gauge(metrics, "queuedeck_queued_body_bytes")).isPositive()
                    .isLessThanOrEqualTo(gauge(metrics, "queuedeck_queued_body_bytes_limit"));
            assertThat(gauge(metrics, "jvm_memory_max_bytes{area=\"heap\"}")).isLessThanOrEqualTo(256.0 * 1024 * 1024);
        } finally {
            stop(server.process());
        }
    }

    @Test
    void oneTenantsFlood_isHeldToItsShareOfTheByteBudget_andAnotherTenantIsStillTaken() throws Exception {
        Path config = Files.writeString(dir.resolve("queuedeck.yaml"), "tenants: {max_queued_share: 0.5}\n");
        Server server = start("serve", "--port", "0", "--config", config.toString());
        try {
            URI base = server.base();
            assertThat(post(base.resolve("/v1/queues/all:pause"), "").statusCode()).isEqualTo(200);
            String input = "x".repeat(400_000); // 0.8 MB counted: half of the 64 MiB budget holds about 40
            Map<String, Integer> flood = submitAll(base, "flood", input, 120);
            assertThat(flood).as("the flooding tenant: some taken, the rest refused naming the tenant")
                    .containsOnlyKeys("202", "429 queue_full/tenant");
            assertThat(flood.get("429 queue_full/tenant")).isGreaterThan(60);

            Map<String, Integer> other = submitAll(base, "other", input, 20);
            assertThat(other).as("another tenant's large tasks are still taken").containsOnlyKeys("202");
            assertThat(get(base.resolve("/healthz")).statusCode()).isEqualTo(200);
        } finally {
            stop(server.process());
        }
    }

    /** Submits {@code count} tasks of {@code tenant}, 8 at a time; counts the answers by status and error code/field. */
    private static Map<String, Integer> submitAll(URI base, String tenant, String input, int count) throws Exception {
        Map<String, Integer> answers = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String body = "{\"task_id\":\"" + tenant + "-" + i + "\",\"tenant\":\"" + tenant
                        + "\",\"model\":\"llama-2-7b\",\"max_tokens\":4,\"input\":\"" + input + "\"}";
                sent.add(clients.submit(() -> {
                    HttpResponse<String> response = post(base.resolve("/v1/tasks"), body);
                    String key = response.statusCode() == 429 ? "429 " + JSON.readTree(response.body()).at("/error/code").asText()
                            + "/" + JSON.readTree(response.body()).at("/error/field").asText() : String.valueOf(response.statusCode());
                    answers.merge(key, 1, Integer::sum);
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }
        return answers;
    }

    @Test
    void connectionsThatDeclare16MiBAndSend10Bytes_areCut_andASlowBodyGets408() throws Exception {
        Path config = Files.writeString(dir.resolve("queuedeck.yaml"), "server: {body_timeout: 3s}\n");
        Server server = start("serve", "--port", "0", "--config", config.toString());
        List<Socket> liars = new ArrayList<>();
        try {
            URI base = server.base();
            // 420 × 16 MiB declared: 6.7 GB, once allocated up front and fatal
            for (int i = 0; i < 420; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), base.getPort());
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/tasks:batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + (16 << 20) + "\r\n\r\n{\"tasks\":[").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                liars.add(socket);
            }
            assertThat(get(base.resolve("/healthz")).statusCode()).as("answers while they hang").isEqualTo(200);
            assertThat(post(base.resolve("/v1/tasks"), "{\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":4}").statusCode())
                    .isEqualTo(202);
            String metrics = get(base.resolve("/metrics")).body();
            assertThat(gauge(metrics, "queuedeck_request_body_bytes_in_flight")).isLessThan(1024.0 * 1024);

            int cut = 0;
            for (Socket socket : liars) {
                String answer = readUntilClosed(socket);
                if (answer.startsWith("HTTP/1.1 408")) {
                    cut++;
                }
            }
            assertThat(cut).as("connections answered 408 and closed").isEqualTo(liars.size());

            try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), base.getPort())) {
                slow.setSoTimeout(30_000);
                OutputStream out = slow.getOutputStream();
                out.write(("POST /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\n\r\n{\"model\"").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String answer = readUntilClosed(slow);
                assertThat(answer).startsWith("HTTP/1.1 408").contains("\"code\":\"request_timeout\"");
            }
            assertThat(server.process().isAlive()).isTrue();
            assertThat(get(base.resolve("/healthz")).statusCode()).isEqualTo(200);
        } finally {
            for (Socket socket : liars) {
                socket.close();
            }
            stop(server.process());
        }
    }

    private static String readUntilClosed(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        try {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                all.write(chunk, 0, n);
            }
        } catch (IOException e) {
            // a reset after the answer, or the read timeout: what arrived is judged by the caller
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    /** The value of one sample line of the Prometheus text format. */
    private static double gauge(String scraped, String sample) {
        return scraped.lines().filter(l -> l.startsWith(sample + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(sample.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError("no sample " + sample));
    }
}
