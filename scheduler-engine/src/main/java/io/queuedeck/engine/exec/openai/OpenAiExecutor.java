package io.queuedeck.engine.exec.openai;

import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.exec.BackendLoad;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.exec.ExecutorContext;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;

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
    private static final MediaType JSON_TYPE = MediaType.get("application/json");

    private final OkHttpClient http;
    private final ExecutorService httpThreads;
    private final CompletionStreams streams;
    private final BackendHealth health;
    private final List<BackendState> backends = new ArrayList<>();
    private final List<BackendInstance> instances = new ArrayList<>();
    private final Map<Task, StreamAttempt> running = new HashMap<>();
    private ExecutorContext context;
    private final ChunkedGeneration chunks;
    private final BackendFaults faults = new BackendFaults(); // HTTP faults per backend (docs/faults.md)
    /** What whole front-door answers being gathered hold besides their text, all together. */
    final WholeAnswerBudget wholeAnswers;

    OpenAiExecutor(OpenAiExecutorBuilder b, OkHttpClient http, ExecutorService httpThreads) {
        this.http = http;
        this.httpThreads = httpThreads;
        this.streams = b.streams;
        this.chunks = b.chunkTokens > 0 ? new ChunkedGeneration(b.chunkTokens) : null;
        this.wholeAnswers = new WholeAnswerBudget(b.wholeAnswerChars);
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
        this.health = new BackendHealth(instances, b.healthInterval.toNanos(), b.failuresToMarkDown);
    }

    public static OpenAiExecutorBuilder builder() {
        return new OpenAiExecutorBuilder();
    }

    /** Where the front door listens to tasks' streams. */
    public CompletionStreams streams() {
        return streams;
    }

    public BackendFaults faults() { return faults; }

    /**
     * {@code models} as a refusal names them: the first 20, then how many more (GET /v1/models lists
     * them all). A refusal that listed 20,000 names was 249 KB.
     */
    public static String named(List<String> models) {
        return models.size() <= 20 ? models.toString()
                : models.subList(0, 20).toString().replaceFirst("]$", ", … and " + (models.size() - 20) + " more (GET /v1/models)]");
    }

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
        health.bind(value, backends);
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
            return Optional.of("model '" + spec.model() + "' is not served by any backend; served: " + named(models()));
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
        StreamAttempt attempt = new StreamAttempt(this, task, i, chat, streams.listenerOf(task.id()), context.clock());
        running.put(task, attempt);
        if (OpenAiInput.fromFrontDoor(task.spec()) && streams.listenerOf(task.id()) == null) {
            // recovered after a restart, or its client left as it was dispatched: nobody would read the answer
            context.post(() -> ended(attempt, new StreamAttempt.Outcome.Failure(StreamAttempt.Outcome.Kind.ABANDONED,
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
                .url(chat ? b.chatUrl : b.completionUrl)
                .post(RequestBody.create(body, JSON_TYPE))
                .tag(EventLineLimit.BodyTimeout.class, attempt.bodyTimeout);
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
        countStreamed(attempt, context.clock().nanos()); // a cancelled task shows what it had received
    }

    @Override
    public List<InstanceStatus> status() {
        List<InstanceStatus> result = new ArrayList<>(instances.size());
        long now = context.clock().nanos();
        for (BackendInstance i : instances) {
            result.add(i.status(now));
        }
        for (StreamAttempt attempt : running.values()) { // as often as snapshots: the tokens a task has so far
            if (attempt.firstTokenHeard) { // before that, the first token would take the snapshot's time
                countStreamed(attempt, now);
            }
        }
        return result;
    }

    /** Brings the task's token count up to what its stream has received (the server's own count replaces it at the end). */
    private void countStreamed(StreamAttempt attempt, long now) {
        addTokens(attempt.task, attempt.tokensBefore + attempt.tokensSoFar(), now);
    }

    /** Adds tokens to the task until it has {@code total}, telling the engine how many were new. */
    private void addTokens(Task task, int total, long at) {
        int added = 0;
        while (task.generatedTokens() < total) {
            task.addToken(at);
            added++;
        }
        if (added > 0) {
            context.tokensGenerated(added);
        }
    }

    @Override
    public BackendLoad reportedLoad(int instance) {
        return instances.get(instance).status(context.clock().nanos()).backend();
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
            i.backend.pausedUntil = Long.MIN_VALUE; // the operator's word: a 429's pause ends now too
        } else if (!i.offline) {
            i.offline = true;
            for (StreamAttempt attempt : List.copyOf(running.values())) {
                if (attempt.instance == instance) {
                    running.remove(attempt.task);
                    release(attempt);
                    attempt.cancel();
                    if (attempt.clientHoldsPart()) {
                        countStreamed(attempt, context.clock().nanos());
                        context.failed(attempt.task, attempt.cutOff("its backend was taken offline"), false);
                        continue;
                    }
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
                watchSilence(attempt);
                BackendState backend = instances.get(attempt.instance).backend;
                backend.firstTokenAfter(at - attempt.sentAt);
                backend.lastProgressAt = at;
                attempt.firstTokenHeard = true;
                addTokens(attempt.task, attempt.tokensBefore + 1, at); // raises the count: never adds a token twice
                if (attempt.tokensBefore == 0) { // a continuation's first token is not the task's
                    context.firstToken(attempt.task);
                }
            }
        });
    }

    /**
     * The backend is working on the request (tool calls, reasoning) though no answer text came yet:
     * the first-token timeout, there to catch a server that stalls, is over. The time to first
     * token still waits for text.
     */
    void reportProgress(StreamAttempt attempt) {
        context.post(() -> {
            if (running.get(attempt.task) == attempt) {
                attempt.firstTokenTimer.cancel();
                watchSilence(attempt);
            }
        });
    }

    /**
     * From the first token (or other work) on, the first-token timeout is the longest silence a
     * stream may keep: counted from the last token, not the last byte, so a server that sends only
     * keep-alive comments or empty chunks does not hold a slot until the total timeout. Loop thread.
     */
    private void watchSilence(StreamAttempt attempt) {
        if (attempt.silenceTimer != null) {
            return;
        }
        long limit = instances.get(attempt.instance).backend.config.firstTokenTimeout().toNanos();
        checkSilence(attempt, limit, limit);
    }

    private void checkSilence(StreamAttempt attempt, long limit, long after) {
        attempt.silenceTimer = context.clock().scheduleAfter(after, () -> {
            if (running.get(attempt.task) != attempt) {
                return;
            }
            long quiet = context.clock().nanos() - attempt.lastSignAt;
            if (quiet >= limit) {
                timedOut(attempt, "the backend sent no token nor other work for " + limit / 1_000_000 + " ms (the stream"
                        + " was kept open with keep-alives or chunks without text)");
            } else {
                checkSilence(attempt, limit, limit - quiet);
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
            // run again, a client that holds part of the answer would hear that part twice (it did, three times)
            boolean repeats = attempt.clientHoldsPart();
            ended(attempt, new StreamAttempt.Outcome.Failure(StreamAttempt.Outcome.Kind.SERVER,
                    repeats ? attempt.cutOff(reason) : reason, !repeats, 0));
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
                // the server's own count, where it gave one, is the truth
                addTokens(task, attempt.tokensBefore + s.tokens(), s.lastTokenAt());
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
                    case RATE_LIMITED -> health.pause(backend, Math.max(f.retryAfterNanos(), 1_000_000_000L));
                    case CONNECTION, SERVER -> health.requestFailed(backend);
                    case REFUSED, STREAM, ABANDONED -> { }
                }
                countStreamed(attempt, context.clock().nanos()); // what it received, until a retry starts over
                if (f.kind() == StreamAttempt.Outcome.Kind.ABANDONED) {
                    context.abandoned(task, f.reason());
                } else {
                    context.failed(task, f.reason(), f.retryable());
                }
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
        if (attempt.silenceTimer != null) {
            attempt.silenceTimer.cancel();
        }
        BackendInstance instance = instances.get(attempt.instance);
        instance.running--;
        instance.backend.inUse--;
    }

}
