package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thousands of random and malformed bodies against the real server: never a 5xx, never a stack
 * trace, always the error shape, and nothing queued except by a 202.
 */
class MalformedBodyProperties {
    private static final String VALID = "{\"model\":\"llama-2-7b\",\"input\":\"hello\",\"priority\":3,\"max_tokens\":8,"
            + "\"metadata\":{\"k\":\"v\"},\"tenant\":\"acme\"}";
    private static final String[] FIELDS = {"task_id", "model", "input", "priority", "callback_url", "tenant",
            "business_class", "deadline", "max_tokens", "prompt_tokens", "metadata", "bogus"};

    private static Engine engine;
    private static ApiServer server;
    private static Http http;
    private static final AtomicLong accepted = new AtomicLong();

    @BeforeContainer
    static void start() {
        accepted.set(0); // a fresh engine: only this container's acceptances count (the class may run twice in one JVM)
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        server = ApiServer.builder(engine).port(0).build().start();
        http = new Http(server.baseUri());
        assertThat(http.post("/v1/tasks", "{\"task_id\":\"fuzz-target\",\"model\":\"llama-2-7b\",\"input\":\"x\"}")
                .status()).isEqualTo(202);
        accepted.incrementAndGet();
    }

    @AfterContainer
    static void stop() {
        // the engine survived: it still answers, and it queued exactly what was accepted
        assertThat(http.get("/healthz").status()).isEqualTo(200);
        assertThat(engine.send(new Command.TakeSnapshot()).join().counters().submitted()).isEqualTo(accepted.get());
        server.close();
        engine.close();
    }

    private static void check(byte[] body) {
        Http.Response response = http.post("/v1/tasks", body, "application/json");
        assertThat(response.status()).as("status for %s", preview(body)).isLessThan(500);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
        if (response.status() >= 400) {
            JsonNode error = response.json().get("error");
            assertThat(error).as("error body for %s", preview(body)).isNotNull();
            assertThat(error.get("code").asText()).isNotBlank();
            assertThat(error.get("message").asText()).isNotBlank();
        } else if (response.status() == 202) {
            accepted.incrementAndGet();
        }
    }

    private static String preview(byte[] body) {
        String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
        return body.length > 200 ? text + "… (" + body.length + " bytes)" : text;
    }

    @Property(tries = 1000)
    void randomBytes_neverA5xx(@ForAll("bytes") byte[] body) {
        check(body);
    }

    @Property(tries = 1000)
    void mutatedTasks_neverA5xx(@ForAll("mutatedTasks") String body) {
        check(body.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 500)
    void truncatedOrCorruptedTasks_neverA5xx(@ForAll("corrupted") byte[] body) {
        check(body);
    }

    @Property(tries = 300)
    void mutatedBatches_neverA5xx_andAreAllOrNothing(@ForAll("mutatedTasks") String first, @ForAll("mutatedTasks") String second) {
        byte[] body = ("{\"tasks\":[" + first + "," + second + "]}").getBytes(StandardCharsets.UTF_8);
        Http.Response response = http.post("/v1/tasks:batch", body, "application/json");
        assertThat(response.status()).as("status for %s", preview(body)).isLessThan(500);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
        if (response.status() == 200) {
            for (JsonNode result : response.json().get("results")) {
                if (result.get("status").asInt() == 202) {
                    accepted.incrementAndGet();
                }
            }
        } else {
            assertThat(response.json().at("/error/code").asText()).isNotBlank();
        }
    }

    @Property(tries = 300)
    void randomPatches_neverA5xx(@ForAll("patchValues") String value) {
        Http.Response response = http.patch("/v1/tasks/fuzz-target", "{\"priority\":" + value + "}");
        assertThat(response.status()).isLessThan(500);
        assertThat(response.json().at("/error/code").isMissingNode() && response.status() >= 400).isFalse();
    }

    @Provide
    Arbitrary<String> patchValues() {
        return jsonValue(2);
    }

    @Example
    void deepNesting_isA400() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        check(deep.getBytes(StandardCharsets.UTF_8));
        check(("{\"model\":\"m\",\"input\":\"x\",\"metadata\":" + "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000) + "}")
                .getBytes(StandardCharsets.UTF_8));
    }

    @Example
    void tenMegabytes_isA413() {
        byte[] body = new byte[10 * 1024 * 1024];
        Arrays.fill(body, (byte) 'a');
        Http.Response response = http.post("/v1/tasks", body, "application/json");
        assertThat(response.status()).isEqualTo(413);
    }

    @Example
    void hugeNumbersAndEmpty_are400() {
        check(new byte[0]);
        check("{\"model\":\"llama-2-7b\",\"input\":\"x\",\"max_tokens\":1e400}".getBytes(StandardCharsets.UTF_8));
        check(("{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":" + "9".repeat(5000) + "}").getBytes(StandardCharsets.UTF_8));
        check("{\"model\":\"llama-2-7b\",\"input\":\"x\",\"priority\":-0.0}".getBytes(StandardCharsets.UTF_8));
        check("{\"model\":\"llama-2-7b\",\"input\":\"\\ud800\"}".getBytes(StandardCharsets.UTF_8));
        check("{\"model\":\"llama-2-7b\",\"model\":\"x\",\"input\":\"x\"}".getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(2048);
    }

    @Provide
    Arbitrary<String> mutatedTasks() {
        Arbitrary<String> field = Arbitraries.of(FIELDS);
        return Combinators.combine(field, jsonValue(3)).as((name, value) -> {
            String withoutIt = VALID.replaceAll("\"" + name + "\":(\"[^\"]*\"|[0-9]+|\\{[^}]*\\}),?", "");
            String body = withoutIt.substring(0, withoutIt.length() - 1);
            return (body.endsWith(",") || body.endsWith("{") ? body : body + ",") + "\"" + name + "\":" + value + "}";
        });
    }

    @Provide
    Arbitrary<byte[]> corrupted() {
        byte[] valid = VALID.getBytes(StandardCharsets.UTF_8);
        Arbitrary<Integer> at = Arbitraries.integers().between(0, valid.length - 1);
        Arbitrary<Byte> junk = Arbitraries.oneOf(Arbitraries.of((byte) 0xC3, (byte) 0xFF, (byte) 0x80, (byte) 0xED,
                (byte) 0, (byte) '"', (byte) '\\', (byte) '{', (byte) ']'), Arbitraries.bytes());
        Arbitrary<byte[]> truncated = at.map(n -> Arrays.copyOf(valid, n));
        Arbitrary<byte[]> replaced = Combinators.combine(at, junk).as((n, b) -> {
            byte[] copy = valid.clone();
            copy[n] = b;
            return copy;
        });
        return Arbitraries.oneOf(truncated, replaced);
    }

    private static Arbitrary<String> jsonValue(int depth) {
        Arbitrary<String> scalars = Arbitraries.oneOf(
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(d -> Double.isFinite(d) ? String.valueOf(d) : "1e999"),
                Arbitraries.of("true", "false", "null", "\"\"", "1e400", "-1", "0", "9", "99999999999999999999",
                        "\"2030-01-01T00:00:00Z\"", "\"http://127.0.0.1/x\"", "\"ftp://x\"", "\" \"", "\"\\u0000\""),
                Arbitraries.strings().ofMaxLength(40).map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""));
        if (depth == 0) {
            return scalars;
        }
        Arbitrary<String> inner = Arbitraries.lazy(() -> jsonValue(depth - 1));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, scalars),
                net.jqwik.api.Tuple.of(1, inner.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]")),
                net.jqwik.api.Tuple.of(1, Combinators.combine(Arbitraries.strings().alpha().ofMaxLength(8), inner)
                        .as((k, v) -> "{\"" + k + "\":" + v + "}")));
    }
}
