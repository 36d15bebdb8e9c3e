package io.queuedeck.engine.exec.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A small real OpenAI-compatible server for tests and benchmarks: streams tokens as server-sent
 * events with the delays, errors, resets, 429s and quirks a {@link Script} asks for, one script
 * per request in the order given (then the default), and remembers what it was sent.
 */
public final class FakeOpenAiServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where a scripted redirect points: somewhere inside, which no tenant should learn of. */
    public static final String REDIRECT_TARGET = "http://10.20.30.40:8000/v1/chat/completions";

    /** How the server answers one completion request. */
    public record Script(List<String> tokens, long firstTokenDelayMillis, long interTokenDelayMillis, int status,
                         String errorBody, String retryAfter, int resetAfterTokens, boolean usage,
                         boolean usageOnlyInLastChunk, boolean done, boolean keepAliveComments, boolean malformedEvent,
                         String finishReason) {

        /** {@code n} tokens "t0 ", "t1 ", ..., no delays, usage in the last chunk, {@code [DONE]}. */
        public static Script tokens(int n) {
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                tokens.add("t" + i + " ");
            }
            return new Script(tokens, 0, 0, 200, null, null, -1, true, true, true, false, false, "stop");
        }

        public static Script error(int status, String message) {
            return new Script(List.of(), 0, 0, status, "{\"error\":{\"message\":\"" + message + "\",\"type\":\"x\"}}",
                    null, -1, false, false, false, false, false, null);
        }

        public static Script busy(String retryAfter) {
            return new Script(List.of(), 0, 0, 429, "{\"error\":{\"message\":\"too many requests\"}}", retryAfter,
                    -1, false, false, false, false, false, null);
        }

        public Script delays(long firstMillis, long interMillis) {
            return new Script(tokens, firstMillis, interMillis, status, errorBody, retryAfter, resetAfterTokens, usage,
                    usageOnlyInLastChunk, done, keepAliveComments, malformedEvent, finishReason);
        }

        public Script resetAfter(int n) {
            return new Script(tokens, firstTokenDelayMillis, interTokenDelayMillis, status, errorBody, retryAfter, n,
                    usage, usageOnlyInLastChunk, done, keepAliveComments, malformedEvent, finishReason);
        }

        public Script withoutUsage() {
            return new Script(tokens, firstTokenDelayMillis, interTokenDelayMillis, status, errorBody, retryAfter,
                    resetAfterTokens, false, false, done, keepAliveComments, malformedEvent, finishReason);
        }

        public Script withoutDone() {
            return new Script(tokens, firstTokenDelayMillis, interTokenDelayMillis, status, errorBody, retryAfter,
                    resetAfterTokens, usage, usageOnlyInLastChunk, false, keepAliveComments, malformedEvent, finishReason);
        }

        public Script withKeepAlives() {
            return new Script(tokens, firstTokenDelayMillis, interTokenDelayMillis, status, errorBody, retryAfter,
                    resetAfterTokens, usage, usageOnlyInLastChunk, done, true, malformedEvent, finishReason);
        }

        /** A garbage event after the first token. */
        public Script withMalformedEvent() {
            return new Script(tokens, firstTokenDelayMillis, interTokenDelayMillis, status, errorBody, retryAfter,
                    resetAfterTokens, usage, usageOnlyInLastChunk, done, keepAliveComments, true, finishReason);
        }

        /** Usage on the final chunk that also carries the finish reason (older servers), not a chunk of its own. */
        public Script usageWithFinish() {
            return new Script(tokens, firstTokenDelayMillis, interTokenDelayMillis, status, errorBody, retryAfter,
                    resetAfterTokens, usage, false, done, keepAliveComments, malformedEvent, finishReason);
        }

        /** Neither [DONE] nor a finish reason: the stream just stops. */
        public Script truncated() {
            return new Script(tokens, firstTokenDelayMillis, interTokenDelayMillis, status, errorBody, retryAfter,
                    resetAfterTokens, usage, usageOnlyInLastChunk, false, keepAliveComments, malformedEvent, null);
        }
    }

    private final HttpServer server;
    private final List<String> models;
    private final Queue<Script> scripts = new ConcurrentLinkedQueue<>();
    private final Queue<java.util.concurrent.CountDownLatch> gates = new ConcurrentLinkedQueue<>();
    private volatile Script fallback = Script.tokens(5);
    private volatile boolean healthy = true;
    private volatile boolean hasHealthEndpoint = true;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger closedByClient = new AtomicInteger();
    private final AtomicInteger healthChecks = new AtomicInteger();
    private final AtomicInteger metricsRequests = new AtomicInteger();
    private volatile String authorization;
    private volatile String metrics;
    private volatile boolean continuing;
    private volatile long healthDelayMillis;
    private volatile Probe probe;

    /** Told when each completion request arrives, when its first token and its end are written (benchmarks). */
    public interface Probe {
        void at(JsonNode request, String phase, long nanos);
    }

    private volatile boolean toolCalls;
    private volatile boolean reasoning;

    public FakeOpenAiServer(String... models) throws IOException {
        this.models = List.of(models);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next requests follow these scripts, in order; then the default. */
    public FakeOpenAiServer then(Script... next) {
        scripts.addAll(List.of(next));
        return this;
    }

    /**
     * The next completion request to arrive holds its answer (headers included) until the latch
     * returned is counted down: a request that occupies its slot for exactly as long as a test needs.
     */
    public java.util.concurrent.CountDownLatch holdNext() {
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        gates.add(gate);
        return gate;
    }

    public FakeOpenAiServer byDefault(Script script) {
        fallback = script;
        return this;
    }

    /** Chat chunks also carry log probabilities, and the first two a tool call in two deltas, as vLLM streams them. */
    public FakeOpenAiServer toolCallsAndLogprobs() {
        toolCalls = true;
        return this;
    }

    /** Chat chunks also carry {@code reasoning_content}, "r0 " beside "t0 " and so on, as vLLM streams a reasoning model's thinking. */
    public FakeOpenAiServer reasoning() {
        reasoning = true;
        return this;
    }

    public void healthy(boolean value) {
        healthy = value;
    }

    /**
     * Acts like a deterministic model: honours {@code max_tokens} (ending with {@code length} when
     * it cuts the script short), and continues a prompt (or a final assistant message) that already
     * ends with the script's first tokens from where it left off, as a real model would.
     */
    public FakeOpenAiServer continuing() {
        continuing = true;
        return this;
    }

    /** Serves {@code exposition} on {@code /metrics} (Prometheus text); null (the default) answers 404. */
    public void metrics(String exposition) {
        metrics = exposition;
    }

    /** {@code /health} answers only after this long: a server too busy to answer its probe in time. */
    public void healthDelay(long millis) {
        healthDelayMillis = millis;
    }

    /** Times each completion request's arrival ("received"), first token ("first") and end ("end"). */
    public void probe(Probe value) {
        probe = value;
    }

    public void withoutHealthEndpoint() {
        hasHealthEndpoint = false;
    }

    /** Completion requests received, as JSON. */
    public List<JsonNode> requests() {
        return requests;
    }

    /** Streams being written now. */
    public int openStreams() {
        return open.get();
    }

    /** Streams the client closed before they were done. */
    public int closedByClient() {
        return closedByClient.get();
    }

    /** The Authorization header of the last completion request, or null. */
    public String authorization() {
        return authorization;
    }

    public int metricsRequests() {
        return metricsRequests.get();
    }

    public int healthChecks() {
        return healthChecks.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/health" -> {
                    healthChecks.incrementAndGet();
                    pause(healthDelayMillis);
                    if (!hasHealthEndpoint) {
                        send(exchange, 404, "{\"detail\":\"Not Found\"}");
                    } else {
                        send(exchange, healthy ? 200 : 503, "");
                    }
                }
                case "/v1/models" -> {
                    healthChecks.incrementAndGet();
                    if (!healthy) {
                        send(exchange, 503, "{\"error\":{\"message\":\"starting\"}}");
                        return;
                    }
                    ObjectNode body = JSON.createObjectNode().put("object", "list");
                    for (String model : models) {
                        body.withArray("data").addObject().put("id", model).put("object", "model").put("created", 0)
                                .put("owned_by", "fake");
                    }
                    send(exchange, 200, JSON.writeValueAsString(body));
                }
                case "/metrics" -> {
                    metricsRequests.incrementAndGet();
                    String body = metrics;
                    if (body == null) {
                        send(exchange, 404, "{\"detail\":\"Not Found\"}");
                    } else {
                        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
                        exchange.sendResponseHeaders(200, bytes.length);
                        exchange.getResponseBody().write(bytes);
                    }
                }
                case "/v1/chat/completions", "/v1/completions" -> complete(exchange, path.contains("chat"));
                default -> send(exchange, 404, "{\"error\":{\"message\":\"no such path\"}}");
            }
        } catch (ResetSignal reset) {
            throw reset; // not closed: the JDK server drops the connection, leaving the chunked body unfinished
        } catch (IOException | RuntimeException e) {
            exchange.close();
            throw e;
        }
        exchange.close();
    }

    private void complete(HttpExchange exchange, boolean chat) throws IOException {
        JsonNode request = JSON.readTree(exchange.getRequestBody());
        Probe timing = probe;
        if (timing != null) {
            timing.at(request, "received", System.nanoTime());
        }
        authorization = exchange.getRequestHeaders().getFirst("Authorization");
        requests.add(request);
        Script script = scripts.poll();
        if (script == null) {
            script = fallback;
        }
        java.util.concurrent.CountDownLatch gate = gates.poll();
        if (gate != null) {
            open.incrementAndGet();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                open.decrementAndGet();
            }
        }
        if (script.status() != 200) {
            pause(script.firstTokenDelayMillis()); // a server that takes its time to refuse (a long prompt checked first)
            if (script.retryAfter() != null) {
                exchange.getResponseHeaders().set("Retry-After", script.retryAfter());
            }
            if (script.status() / 100 == 3) {
                exchange.getResponseHeaders().set("Location", REDIRECT_TARGET);
            }
            send(exchange, script.status(), script.errorBody());
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        open.incrementAndGet();
        String id = (chat ? "chatcmpl-" : "cmpl-") + requests.size();
        long created = 1_700_000_000L + requests.size(); // each request its own, as a real server's clock moves
        String model = request.path("model").asText();
        try {
            pause(script.firstTokenDelayMillis());
            List<String> tokens = script.tokens();
            String finishReason = script.finishReason();
            if (continuing) {
                int from = Math.min(tokens.size(), generatedSoFar(request, chat));
                int max = request.path("max_tokens").asInt(Integer.MAX_VALUE);
                int to = (int) Math.min(tokens.size(), (long) from + max);
                finishReason = to < tokens.size() ? "length" : finishReason;
                tokens = tokens.subList(from, to);
            }
            if (chat) {
                ObjectNode role = chunk(id, created, model, true);
                role.withArray("choices").addObject().put("index", 0).putObject("delta").put("role", "assistant").put("content", "");
                event(out, role);
            }
            for (int i = 0; i < tokens.size(); i++) {
                if (i > 0) {
                    pause(script.interTokenDelayMillis());
                }
                if (i == script.resetAfterTokens()) {
                    throw new ResetSignal();
                }
                if (script.keepAliveComments()) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                }
                boolean last = i == tokens.size() - 1;
                ObjectNode chunk = chunk(id, created, model, chat);
                ObjectNode choice = chunk.withArray("choices").addObject().put("index", 0);
                if (chat) {
                    ObjectNode delta = choice.putObject("delta").put("content", tokens.get(i));
                    if (toolCalls && i < 2) {
                        ObjectNode call = delta.putArray("tool_calls").addObject().put("index", 0);
                        if (i == 0) {
                            call.put("id", "call-1").put("type", "function").putObject("function").put("name", "lookup")
                                    .put("arguments", "{\"q\":");
                        } else {
                            call.putObject("function").put("arguments", "\"x\"}");
                        }
                    }
                    if (reasoning) {
                        delta.put("reasoning_content", "r" + i + " ");
                    }
                    if (toolCalls) {
                        choice.putObject("logprobs").putArray("content").addObject().put("token", tokens.get(i)).put("logprob", -0.5);
                    }
                } else {
                    choice.put("text", tokens.get(i));
                }
                if (last && finishReason != null) {
                    choice.put("finish_reason", finishReason);
                } else {
                    choice.putNull("finish_reason");
                }
                if (last && script.usage() && !script.usageOnlyInLastChunk()) {
                    usage(chunk, request, tokens.size());
                }
                event(out, chunk);
                if (i == 0 && timing != null) {
                    timing.at(request, "first", System.nanoTime());
                }
                if (i == 0 && script.malformedEvent()) {
                    out.write("data: {not json\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
            if (script.usage() && script.usageOnlyInLastChunk()) {
                ObjectNode chunk = chunk(id, created, model, chat);
                chunk.putArray("choices");
                usage(chunk, request, tokens.size());
                event(out, chunk);
            }
            if (script.done()) {
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            if (timing != null) {
                timing.at(request, "end", System.nanoTime());
            }
        } catch (IOException clientWentAway) {
            closedByClient.incrementAndGet();
        } finally {
            open.decrementAndGet();
        }
    }

    /** How many of the script's tokens ("t0 ", "t1 ", ...) the request's text already ends with. */
    private static int generatedSoFar(JsonNode request, boolean chat) {
        String text;
        if (chat) {
            JsonNode messages = request.path("messages");
            JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
            text = last != null && "assistant".equals(last.path("role").asText()) ? last.path("content").asText() : "";
        } else {
            text = request.path("prompt").asText();
        }
        int n = 0;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("t\\d+ ").matcher(text);
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static ObjectNode chunk(String id, long created, String model, boolean chat) {
        return JSON.createObjectNode().put("id", id).put("object", chat ? "chat.completion.chunk" : "text_completion")
                .put("created", created).put("model", model);
    }

    private static void usage(ObjectNode chunk, JsonNode request, int completion) {
        int prompt = 7;
        chunk.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }

    private static void event(OutputStream out, JsonNode chunk) throws IOException {
        out.write(("data: " + JSON.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    /** The scripted delay of a streaming server: it is the scenario, not a test waiting. */
    private static void pause(long millis) {
        if (millis > 0) {
            LockSupport.parkNanos(millis * 1_000_000L);
        }
    }

    /** Thrown out of a handler: the JDK server then drops the connection without finishing the body. */
    private static final class ResetSignal extends RuntimeException {
        ResetSignal() {
            super("reset by the fake backend", null, false, false);
        }
    }
}
