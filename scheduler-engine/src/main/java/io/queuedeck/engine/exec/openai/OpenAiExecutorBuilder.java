package io.queuedeck.engine.exec.openai;

import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Builds an {@link OpenAiExecutor}. Each setting may be given once (backends: once each); defaults live here. */
public final class OpenAiExecutorBuilder {
    final List<Backend> backends = new ArrayList<>();
    private OkHttpClient client;
    CompletionStreams streams = new CompletionStreams();
    private boolean streamsSet;
    Duration healthInterval = Duration.ofSeconds(5);
    private boolean healthIntervalSet;
    int failuresToMarkDown = 3;
    private boolean failuresSet;
    int chunkTokens;
    /** A 32nd of the heap: a 16th of it at two bytes a character. */
    long wholeAnswerChars = Runtime.getRuntime().maxMemory() / 32;
    private boolean wholeAnswerCharsSet;

    OpenAiExecutorBuilder() {}

    /** A backend; repeatable, at least one. */
    public OpenAiExecutorBuilder backend(Backend value) {
        Objects.requireNonNull(value, "backend must not be null");
        if (backends.stream().anyMatch(b -> b.baseUrl().equals(value.baseUrl()))) {
            throw new IllegalArgumentException("backend " + value.baseUrl() + " was given twice");
        }
        backends.add(value);
        return this;
    }

    /**
     * The HTTP client to derive the backends' clients from (sharing its connection pool and
     * dispatcher); default a new one whose calls run on virtual threads. Its dispatcher's limits
     * are raised to hold every slot.
     */
    public OpenAiExecutorBuilder httpClient(OkHttpClient value) {
        if (client != null) {
            throw new IllegalStateException("http client was already set");
        }
        client = Objects.requireNonNull(value, "http client must not be null");
        return this;
    }

    /** Where front-door listeners register; default a new, empty registry. */
    public OpenAiExecutorBuilder streams(CompletionStreams value) {
        streamsSet = once(streamsSet, "streams");
        streams = Objects.requireNonNull(value, "streams must not be null");
        return this;
    }

    /** Time between health probes of each backend; default 5 s. */
    public OpenAiExecutorBuilder healthInterval(Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("health interval must be positive, got " + value);
        }
        healthIntervalSet = once(healthIntervalSet, "health interval");
        healthInterval = value;
        return this;
    }

    /** Connection or server failures in a row that mark a backend down until a probe succeeds; default 3. */
    public OpenAiExecutorBuilder failuresToMarkDown(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("failures to mark down must be at least 1, got " + value);
        }
        failuresSet = once(failuresSet, "failures to mark down");
        failuresToMarkDown = value;
        return this;
    }

    /**
     * Chunked generation (decision 0027): each request asks for at most {@code quantumTokens}
     * tokens, and a task continues with its prompt plus its text so far, after the loop had a
     * step boundary to demote or preempt it at. For MLFQ-style policies; default off.
     */
    public OpenAiExecutorBuilder chunkedGeneration(int quantumTokens) {
        if (quantumTokens < 1 || quantumTokens > 1_000_000) {
            throw new IllegalArgumentException("chunk quantum must be between 1 and 1000000 tokens, got " + quantumTokens);
        }
        if (chunkTokens != 0) {
            throw new IllegalStateException("chunked generation was already set");
        }
        chunkTokens = quantumTokens;
        return this;
    }

    /**
     * The characters of log probabilities and tool calls all whole (non-streamed) front-door answers
     * being gathered may hold together; past it an answer ends with 503 {@code server_busy}, not
     * retried. Default a 32nd of the heap (a 16th at two bytes a character).
     */
    public OpenAiExecutorBuilder wholeAnswerChars(long value) {
        if (value < 1) {
            throw new IllegalArgumentException("whole answer characters must be at least 1, got " + value);
        }
        wholeAnswerCharsSet = once(wholeAnswerCharsSet, "whole answer characters");
        wholeAnswerChars = value;
        return this;
    }

    /**
     * Asks each backend that names no models for them ({@code GET /v1/models}, blocking: call it
     * at start, not on the loop) and builds the executor.
     *
     * @throws IllegalStateException when no backend is given, or one cannot say what it serves
     */
    public OpenAiExecutor build() {
        if (backends.isEmpty()) {
            throw new IllegalStateException("at least one backend is needed");
        }
        ExecutorService threads = null;
        OkHttpClient base = client;
        int slots = backends.stream().mapToInt(Backend::slots).sum();
        if (base == null) {
            threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("backend-stream-", 0).factory());
            // keep a connection per slot: OkHttp's default pool keeps 5 idle, and every request
            // beyond them would open a new connection
            // no fast fallback (racing IPv4 and IPv6 connects): it schedules a task on OkHttp's
            // shared, locked task queue for every call, even one that reuses a pooled connection
            base = new OkHttpClient.Builder().dispatcher(new Dispatcher(threads)).fastFallback(false)
                    .connectionPool(new ConnectionPool(slots + 16, 5, TimeUnit.MINUTES)).build();
        }
        Dispatcher dispatcher = base.dispatcher();
        // probes and model listings ride beside the streams
        dispatcher.setMaxRequests(Math.max(dispatcher.getMaxRequests(), slots + 2 * backends.size() + 16));
        dispatcher.setMaxRequestsPerHost(Math.max(dispatcher.getMaxRequestsPerHost(), slots + 16));
        List<Backend> resolved = new ArrayList<>();
        for (Backend backend : backends) {
            resolved.add(backend.models().isEmpty() ? backend.withModels(ModelDiscovery.models(base, backend)) : backend);
        }
        backends.clear();
        backends.addAll(resolved);
        return new OpenAiExecutor(this, base, threads);
    }

    private static boolean once(boolean alreadySet, String what) {
        if (alreadySet) {
            throw new IllegalStateException(what + " was already set");
        }
        return true;
    }
}
