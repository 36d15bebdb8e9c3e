package io.queuedeck.engine.exec.openai;

import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.exec.BackendLoad;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.exec.ExecutorContext;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Instances are real OpenAI-compatible inference servers: one instance per backend and model it
 * serves; a backend's slots are shared by its models. Each task is one streamed request to
 * {@code /v1/chat/completions} or {@code /v1/completions} (see {@link OpenAiInput}).
 *
 * <p>Threads: the loop dispatches, evicts and answers questions; the HTTP client reads streams on
 * its own threads (virtual ones by default, so hundreds of open streams cost little) and reports
 * back only with {@link ExecutorContext#post}: the first token once, the outcome once. An attempt
 * that was evicted meanwhile is recognised on the loop and its late reports are dropped.
 *
 * <p>Failures: resets, stalls, timeouts, 5xx and 429 fail the attempt as retryable (the task's
 * retry rule decides); a 429 also pauses the backend for its {@code Retry-After}; another 4xx fails
 * the task with the backend's message; a stream that breaks the protocol fails the attempt. A run
 * of connection or server failures, or a failed health probe ({@code /health}, else
 * {@code /v1/models}), marks the backend down until a probe succeeds. A remote request cannot be
 * paused, so this executor never agrees to a preemption.
 */
public final class OpenAiExecutor implements Executor, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OpenAiExecutor.class.getName());
    private static final MediaType JSON_TYPE = MediaType.get("application/json");

    private final OkHttpClient http;
    private final ExecutorService httpThreads;
    private final CompletionStreams streams;
    private final long healthIntervalNanos;
    private final int failuresToMarkDown;
    private final List<BackendState> backends = new ArrayList<>();
    private final List<BackendInstance> instances = new ArrayList<>();
    private final Map<Task, StreamAttempt> running = new HashMap<>();
    private ExecutorContext context;
    private final ChunkedGeneration chunks;
    private final BackendFaults faults = new BackendFaults(); // HTTP faults per backend (docs/faults.md)

    private OpenAiExecutor(Builder b, OkHttpClient http, ExecutorService httpThreads) {
        this.http = http;
        this.httpThreads = httpThreads;
        this.streams = b.streams;
        this.healthIntervalNanos = b.healthInterval.toNanos();
        this.failuresToMarkDown = b.failuresToMarkDown;
        this.chunks = b.chunkTokens > 0 ? new ChunkedGeneration(b.chunkTokens) : null;
        for (Backend backend : b.backends) {
            BackendState state = new BackendState(backend, http.newBuilder().addInterceptor(faults.interceptor(backend))
                    .connectTimeout(backend.connectTimeout())
                    .readTimeout(backend.firstTokenTimeout()) // the longest silence a healthy stream has: prefill
                    .build());
            backends.add(state);
            for (String model : backend.models()) {
                instances.add(new BackendInstance(instances.size(), state, model));
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where the front door listens to tasks' streams. */
    public CompletionStreams streams() {
        return streams;
    }

    public BackendFaults faults() { return faults; }

    /** The models the backends serve, in the order they were given. */
    public List<String> models() {
        Set<String> models = new LinkedHashSet<>();
        for (BackendInstance instance : instances) {
            models.add(instance.model);
        }
        return List.copyOf(models);
    }

    /** The backends as configured, with the models found for those that named none. */
    public List<Backend> backends() {
        return backends.stream().map(b -> b.config).toList();
    }

    @Override
    public void bind(ExecutorContext value) {
        if (context != null) {
            throw new IllegalStateException("executor is already bound to an engine");
        }
        context = value;
        for (BackendState backend : backends) {
            scheduleProbe(backend);
        }
    }

    @Override
    public int instanceCount() {
        return instances.size();
    }

    @Override
    public String model(int instance) {
        return instances.get(instance).model;
    }

    @Override
    public boolean canAccept(int instance, Task task) {
        BackendInstance i = instances.get(instance);
        BackendState b = i.backend;
        return !i.offline && !i.draining && b.health.acceptsWork() && b.inUse < b.config.slots()
                && context.clock().nanos() >= b.pausedUntil;
    }

    @Override
    public boolean canAcceptReplacing(int instance, Task incoming, Task outgoing) {
        // A remote request cannot be paused and resumed: preempting it would throw its work away.
        // Between two chunks of a chunked generation nothing is open, so the slot can change hands.
        StreamAttempt attempt = running.get(outgoing);
        BackendInstance i = instances.get(instance);
        return attempt != null && attempt.betweenChunks && !i.offline && !i.draining && i.backend.health.acceptsWork()
                && context.clock().nanos() >= i.backend.pausedUntil;
    }

    @Override
    public int load(int instance) {
        return instances.get(instance).running;
    }

    @Override
    public Optional<String> admissionError(TaskSpec spec) {
        if (instances.stream().noneMatch(i -> i.model.equals(spec.model()))) {
            return Optional.of("model '" + spec.model() + "' is not served by any backend; served: " + models());
        }
        return OpenAiInput.problem(spec);
    }

    @Override
    public void dispatch(int instance, Task task) {
        BackendInstance i = instances.get(instance);
        if (!canAccept(instance, task)) {
            throw new IllegalStateException("instance " + instance + " cannot take " + task.id());
        }
        BackendState b = i.backend;
        i.running++;
        b.inUse++;
        task.setInstance(instance);
        boolean chat = OpenAiInput.isChat(task.spec());
        StreamAttempt attempt = new StreamAttempt(this, task, instance, chat, streams.listenerOf(task.id()),
                context.clock(), b);
        running.put(task, attempt);
        if (OpenAiInput.fromFrontDoor(task.spec()) && streams.listenerOf(task.id()) == null) {
            // recovered after a restart, or its client left as it was dispatched: nobody would read the answer
            context.post(() -> ended(attempt, new StreamAttempt.Outcome.Failure(StreamAttempt.Outcome.Kind.REFUSED,
                    "its front-door client is no longer connected (the server restarted, or the client left); not run",
                    false, 0)));
            return;
        }
        byte[] body;
        try {
            body = chunks == null ? OpenAiInput.body(task.spec(), task.priority(), b.config.priorityField())
                    : chunks.request(task, attempt, b.config.priorityField());
        } catch (IOException | RuntimeException e) { // admission checked the input: only a bug gets here
            context.post(() -> ended(attempt, new StreamAttempt.Outcome.Failure(StreamAttempt.Outcome.Kind.REFUSED,
                    "cannot build the request: " + e.getMessage(), false, 0)));
            return;
        }
        Request.Builder request = new Request.Builder()
                .url(b.config.baseUrl() + (chat ? "/v1/chat/completions" : "/v1/completions"))
                .post(RequestBody.create(body, JSON_TYPE));
        if (b.config.apiKey() != null) {
            request.header("Authorization", "Bearer " + b.config.apiKey());
        }
        EngineClock clock = context.clock();
        attempt.sentAt = clock.nanos();
        attempt.firstTokenTimer = clock.scheduleAfter(b.config.firstTokenTimeout().toNanos(), () -> timedOut(attempt,
                "no first token from the backend within " + b.config.firstTokenTimeout().toMillis() + " ms"));
        attempt.totalTimer = clock.scheduleAfter(b.config.totalTimeout().toNanos(), () -> timedOut(attempt,
                "the backend did not finish within " + b.config.totalTimeout().toMillis() + " ms"));
        attempt.start(b.sse, request.build());
    }

    @Override
    public void evict(Task task) {
        StreamAttempt attempt = running.remove(task);
        if (attempt == null) {
            throw new IllegalStateException(task.id() + " is not running on a backend");
        }
        release(attempt);
        attempt.cancel(); // closes the stream: the backend stops generating for it
    }

    @Override
    public List<InstanceStatus> status() {
        List<InstanceStatus> result = new ArrayList<>(instances.size());
        for (BackendInstance i : instances) {
            result.add(i.status());
        }
        return result;
    }

    @Override
    public BackendLoad reportedLoad(int instance) {
        return instances.get(instance).status().backend();
    }

    /** Sends one backend model no new work while its open requests finish, or ends that. */
    @Override
    public void setDraining(int instance, boolean draining) {
        instances.get(instance).draining = draining;
        context.instanceChanged(instance);
    }

    /** Takes one backend model out of service (its streams are closed, its tasks queued again) or back in. */
    @Override
    public void setOnline(int instance, boolean online) {
        BackendInstance i = instances.get(instance);
        if (online) {
            i.offline = false;
        } else if (!i.offline) {
            i.offline = true;
            for (StreamAttempt attempt : List.copyOf(running.values())) {
                if (attempt.instance == instance) {
                    running.remove(attempt.task);
                    release(attempt);
                    attempt.cancel();
                    if (attempt.chunkLimit > 0) {
                        ChunkedGeneration.rewind(attempt.task, attempt.tokensBefore); // back to the last chunk's end
                    }
                    context.handedBack(attempt.task);
                }
            }
        }
        context.instanceChanged(instance);
    }

    /** Closes every stream and stops the HTTP client's threads. */
    @Override
    public void close() {
        http.dispatcher().cancelAll();
        if (httpThreads != null) {
            httpThreads.shutdown();
        }
        http.connectionPool().evictAll();
    }

    // ---------------------------------------------------------------- reports from stream threads

    void reportFirstToken(StreamAttempt attempt, long at) {
        context.post(() -> {
            if (running.get(attempt.task) == attempt) {
                attempt.firstTokenTimer.cancel();
                BackendState backend = instances.get(attempt.instance).backend;
                backend.firstTokenAfter(at - attempt.sentAt);
                backend.lastProgressAt = at;
                attempt.task.addToken(at);
                if (attempt.tokensBefore == 0) { // a continuation's first token is not the task's
                    context.firstToken(attempt.task);
                }
            }
        });
    }

    void reportEnd(StreamAttempt attempt, StreamAttempt.Outcome outcome) {
        context.post(() -> ended(attempt, outcome));
    }

    // ---------------------------------------------------------------- loop thread

    private void timedOut(StreamAttempt attempt, String reason) {
        if (running.get(attempt.task) == attempt) {
            attempt.cancel();
            ended(attempt, new StreamAttempt.Outcome.Failure(StreamAttempt.Outcome.Kind.SERVER, reason, true, 0));
        }
    }

    private void ended(StreamAttempt attempt, StreamAttempt.Outcome outcome) {
        Task task = attempt.task;
        if (running.get(task) != attempt) {
            return; // evicted or timed out meanwhile: the loop has already moved on
        }
        running.remove(task);
        release(attempt);
        BackendInstance instance = instances.get(attempt.instance);
        BackendState backend = instance.backend;
        switch (outcome) {
            case StreamAttempt.Outcome.Success s -> {
                backend.failuresInARow = 0;
                backend.lastProgressAt = context.clock().nanos();
                instance.tokensSinceSample += s.tokens();
                int total = attempt.tokensBefore + s.tokens();
                while (task.generatedTokens() < total) {
                    task.addToken(s.lastTokenAt()); // the server's own count, where it gave one, is the truth
                }
                if (attempt.chunkLimit > 0 && chunks.more(attempt, s)) {
                    chunkEnded(attempt, instance, s);
                    return;
                }
                task.setGeneration(attempt.tokensBefore == 0 ? s.generation() : ChunkedGeneration.whole(attempt, s));
                context.succeeded(task, attempt.textBefore + s.text());
                context.instanceChanged(instance.id); // a slot is free
            }
            case StreamAttempt.Outcome.Failure f -> {
                switch (f.kind()) {
                    case RATE_LIMITED -> pause(backend, Math.max(f.retryAfterNanos(), 1_000_000_000L));
                    case CONNECTION, SERVER -> {
                        if (++backend.failuresInARow >= failuresToMarkDown && backend.health == InstanceState.UP) {
                            markHealth(backend, false, backend.failuresInARow + " failed requests in a row");
                        }
                    }
                    case REFUSED, STREAM -> { }
                }
                context.failed(task, f.reason(), f.retryable());
            }
        }
    }

    /**
     * A chunk ended short of the task's end. The loop hears a step boundary (MLFQ charges the time
     * and may demote the task, or preempt it for a more urgent one); a task demoted here yields its
     * slot and waits its turn, any other continues at once with its prompt plus its text so far.
     */
    private void chunkEnded(StreamAttempt attempt, BackendInstance instance, StreamAttempt.Outcome.Success s) {
        Task task = attempt.task;
        running.put(task, attempt); // holds its slot through the step boundary
        instance.running++;
        instance.backend.inUse++;
        attempt.betweenChunks = true;
        task.setOutput(attempt.textBefore + s.text());
        task.addService(context.clock().nanos() - attempt.sentAt);
        int level = task.level();
        context.stepFinished(instance.id, List.of(task));
        if (running.get(task) != attempt) {
            return; // preempted at the boundary: evict() gave its slot to a more urgent task
        }
        running.remove(task);
        release(attempt);
        if (task.level() > level || !canAccept(instance.id, task)) {
            context.handedBack(task);
        } else {
            dispatch(instance.id, task);
        }
    }

    private void release(StreamAttempt attempt) {
        if (attempt.firstTokenTimer != null) {
            attempt.firstTokenTimer.cancel();
        }
        if (attempt.totalTimer != null) {
            attempt.totalTimer.cancel();
        }
        BackendInstance instance = instances.get(attempt.instance);
        instance.running--;
        instance.backend.inUse--;
    }

    /** A 429 asks for a pause: the backend takes no new work until it ends. */
    private void pause(BackendState backend, long nanos) {
        long until = context.clock().nanos() + nanos;
        if (until > backend.pausedUntil) {
            backend.pausedUntil = until;
            context.clock().schedule(until, () -> notifyInstances(backend));
        }
    }

    private void markHealth(BackendState backend, boolean healthy, String why) {
        InstanceState next = healthy ? InstanceState.UP : InstanceState.DOWN;
        if (backend.health == next) {
            return;
        }
        LOG.log(healthy ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                "backend " + backend.config.baseUrl() + (healthy ? " is up" : " is down: " + why));
        backend.health = next;
        if (healthy) {
            backend.failuresInARow = 0;
        }
        notifyInstances(backend);
    }

    private void notifyInstances(BackendState backend) {
        for (BackendInstance i : instances) {
            if (i.backend == backend) {
                context.instanceChanged(i.id);
            }
        }
    }

    private void scheduleProbe(BackendState backend) {
        context.clock().scheduleAfter(healthIntervalNanos, () -> probe(backend, backend.healthPath));
    }

    /** Asks the backend whether it is healthy; the answer comes back to the loop by post. */
    private void probe(BackendState backend, String path) {
        Request.Builder request = new Request.Builder().url(backend.config.baseUrl() + path).get();
        if (backend.config.apiKey() != null) {
            request.header("Authorization", "Bearer " + backend.config.apiKey()); // /v1/models may need it
        }
        Call call = backend.probeClient.newCall(request.build());
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                context.post(() -> unanswered(backend, e.getClass().getSimpleName() + ": " + e.getMessage()));
            }

            @Override
            public void onResponse(Call c, Response response) {
                try (response) {
                    int code = response.code();
                    if ((code == 404 || code == 405) && path.equals("/health")) {
                        context.post(() -> { // no /health here (Ollama, some proxies): ask for the models instead
                            backend.healthPath = "/v1/models";
                            probe(backend, backend.healthPath);
                        });
                        return;
                    }
                    boolean ok = response.isSuccessful();
                    context.post(() -> probed(backend, ok, path + " answered " + code));
                }
            }
        });
    }

    /**
     * A probe got no answer (refused, reset, or too slow). A server that streamed tokens to us
     * within the last two intervals is alive but too busy to answer {@code /health} in time (500
     * open streams did that to the fake server on a loaded machine): it is not marked down for that.
     */
    private void unanswered(BackendState backend, String why) {
        long lastSign = Math.max(backend.lastProgressAt, backend.lastTokenAt);
        if (context.clock().nanos() - lastSign < 2 * healthIntervalNanos + backend.probeTimeoutNanos) {
            LOG.log(System.Logger.Level.DEBUG, "backend " + backend.config.baseUrl() + " is streaming but its probe failed: " + why);
            scheduleProbe(backend);
            return;
        }
        probed(backend, false, why);
    }

    private void probed(BackendState backend, boolean healthy, String why) {
        markHealth(backend, healthy, "health probe failed: " + why);
        long now = context.clock().nanos();
        for (BackendInstance i : instances) {
            if (i.backend == backend) {
                i.sampleRate(now);
            }
        }
        if (healthy && backend.metricsPath != null) {
            MetricsScrape.fetch(backend, load -> context.post(() -> backend.serverLoad = load),
                    () -> context.post(() -> backend.metricsPath = null));
        } else if (!healthy) {
            backend.serverLoad = ServerLoad.UNKNOWN;
        }
        scheduleProbe(backend);
    }

    /** Builds an {@link OpenAiExecutor}. Each setting may be given once (backends: once each); defaults live here. */
    public static final class Builder {
        private final List<Backend> backends = new ArrayList<>();
        private OkHttpClient client;
        private CompletionStreams streams = new CompletionStreams();
        private boolean streamsSet;
        private Duration healthInterval = Duration.ofSeconds(5);
        private boolean healthIntervalSet;
        private int failuresToMarkDown = 3;
        private boolean failuresSet;
        private int chunkTokens;

        private Builder() {}

        /** A backend; repeatable, at least one. */
        public Builder backend(Backend value) {
            java.util.Objects.requireNonNull(value, "backend must not be null");
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
        public Builder httpClient(OkHttpClient value) {
            if (client != null) {
                throw new IllegalStateException("http client was already set");
            }
            client = java.util.Objects.requireNonNull(value, "http client must not be null");
            return this;
        }

        /** Where front-door listeners register; default a new, empty registry. */
        public Builder streams(CompletionStreams value) {
            streamsSet = once(streamsSet, "streams");
            streams = java.util.Objects.requireNonNull(value, "streams must not be null");
            return this;
        }

        /** Time between health probes of each backend; default 5 s. */
        public Builder healthInterval(Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("health interval must be positive, got " + value);
            }
            healthIntervalSet = once(healthIntervalSet, "health interval");
            healthInterval = value;
            return this;
        }

        /** Connection or server failures in a row that mark a backend down until a probe succeeds; default 3. */
        public Builder failuresToMarkDown(int value) {
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
        public Builder chunkedGeneration(int quantumTokens) {
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
                base = new OkHttpClient.Builder().dispatcher(new Dispatcher(threads))
                        .connectionPool(new ConnectionPool(slots + 16, 5, java.util.concurrent.TimeUnit.MINUTES)).build();
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
}
