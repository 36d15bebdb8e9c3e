package io.queuedeck.engine.callback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.task.TaskReport;
import io.queuedeck.engine.task.TaskView;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dns;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.net.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;

/**
 * Posts each finished task's result ({@link TaskReport} JSON) to its {@code callback_url}.
 *
 * <p><b>Never blocks the loop.</b> It is fed finished tasks by a
 * {@link io.queuedeck.engine.CompletionFeed} on the feed's thread; {@link #deliver} only starts an
 * asynchronous OkHttp call, and retries wait on a scheduler, not on a thread.
 *
 * <p><b>Retries.</b> Network errors, 5xx and 429 are retried with exponential backoff and jitter
 * (a {@code Retry-After} header, in seconds or as an HTTP date, wins over the backoff, up to the
 * cap); any other status, including other 4xx and redirects, is final. After the last attempt, or a
 * final status, the callback goes to the dead-letter list, from which {@link #replay} sends it again.
 *
 * <p><b>Never inside the network.</b> Loopback, private, link-local, unique-local, multicast and
 * cloud-metadata destinations are refused unless the allow-list names them: at submission
 * ({@link #refusal}), before every attempt, and by what a name resolves to when connecting.
 * Redirects are never followed and no proxy is used, so what was judged is what is reached. A
 * destination refused after submission dead-letters the callback with the reason, unretried.
 *
 * <p><b>Receivers can verify and de-duplicate.</b> Every attempt carries
 * {@code Idempotency-Key: <task id>} (the same on every attempt and replay) and, when secrets are
 * set, Standard Webhooks signatures: {@code webhook-id} (the task id), {@code webhook-timestamp}
 * (this attempt's, in Unix seconds) and {@code webhook-signature} over {@code id.timestamp.body},
 * so a receiver can refuse a replayed old message.
 */
public final class CallbackDispatcher implements AutoCloseable {
    /** Standard Webhooks message id: the task id, the same on every attempt and replay. */
    public static final String WEBHOOK_ID_HEADER = "webhook-id";
    /** Standard Webhooks timestamp: Unix seconds when this attempt was signed. */
    public static final String WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp";
    /** Standard Webhooks signatures: {@code v1,<base64>} per secret, space-separated. */
    public static final String WEBHOOK_SIGNATURE_HEADER = "webhook-signature";
    /** The idempotency header: the task id, the same for every attempt. */
    public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
    /** The attempt number, from 1. */
    public static final String ATTEMPT_HEADER = "X-QueueDeck-Attempt";

    private static final System.Logger LOG = System.getLogger(CallbackDispatcher.class.getName());
    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    private final OkHttpClient http;
    private final boolean ownsHttp;
    private final ScheduledExecutorService scheduler;
    private final EngineClock clock;
    private final int maxAttempts;
    private final long baseNanos;
    private final long capNanos;
    private final WebhookSigner signer;
    private final Destinations destinations;
    private final DeliveryListener listener;
    private final DoubleSupplier jitter;
    private final int deadLetterCapacity;
    private final DeliveryStore store;
    private final CallbackFaults faults;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, Pending> deadLetters = new LinkedHashMap<>();
    private volatile boolean closed;

    /** One callback on its way: the body is fixed once, so every attempt and replay sends the same bytes. */
    private record Pending(String taskId, String url, byte[] body, long finishedAt, int attempts, String lastError,
                           Instant failedAt, String tenant) {
        Pending next(String error) {
            return new Pending(taskId, url, body, finishedAt, attempts + 1, error, failedAt, tenant);
        }
    }

    private DeliveryStore.Delivery stored(Pending p) {
        return new DeliveryStore.Delivery(p.taskId, p.url, p.body, clock.toInstant(p.finishedAt), p.attempts,
                p.lastError, p.failedAt);
    }

    /**
     * Picks up what the store holds from before a restart: pending callbacks are sent again
     * (their attempt count goes on), dead letters return to the list. Call once, at start.
     *
     * @return how many pending callbacks were resumed
     */
    public int resume() {
        int resumed = 0;
        for (DeliveryStore.Delivery d : store.all()) {
            Pending p = new Pending(d.taskId(), d.url(), d.body(), clock.toNanos(d.finishedAt()),
                    Math.max(0, d.attempts()), d.lastError(), d.deadAt(), null); // the tenant is not kept
            if (d.dead()) {
                synchronized (deadLetters) {
                    deadLetters.put(p.taskId, p);
                }
            } else {
                send(p);
                resumed++;
            }
        }
        return resumed;
    }

    private CallbackDispatcher(Builder b) {
        this.ownsHttp = b.http == null;
        OkHttpClient base = b.http != null ? b.http : defaultClient(b.callerRuns);
        this.destinations = b.destinations;
        // whatever client is given, these hold: judged addresses, no redirects, no proxy to resolve for us
        this.http = base.newBuilder()
                .dns(new GuardedDns(b.dns != null ? b.dns : base.dns(), b.destinations))
                .proxy(Proxy.NO_PROXY)
                .followRedirects(false)
                .followSslRedirects(false)
                .addInterceptor(b.faults.interceptor()) // first: an injected outage is met before any connection
                .build();
        this.faults = b.faults;
        this.scheduler = b.scheduler;
        this.clock = b.clock;
        this.maxAttempts = b.maxAttempts;
        this.baseNanos = b.base.toNanos();
        this.capNanos = b.cap.toNanos();
        this.signer = b.signer;
        this.listener = b.listener;
        this.jitter = b.jitter;
        this.deadLetterCapacity = b.deadLetterCapacity;
        this.store = b.store;
    }

    /**
     * @param clock     the engine's clock: reads callback latency and turns task times into instants
     * @param scheduler runs retry timers (each fires a non-blocking send)
     */
    public static Builder builder(EngineClock clock, ScheduledExecutorService scheduler) {
        return new Builder(clock, scheduler);
    }

    private static OkHttpClient defaultClient(boolean callerRuns) {
        OkHttpClient.Builder builder = new OkHttpClient.Builder();
        if (callerRuns) {
            builder.dispatcher(new okhttp3.Dispatcher(new CallerRunsExecutor()));
        }
        OkHttpClient client = builder
                .connectTimeout(Duration.ofSeconds(5))
                .readTimeout(Duration.ofSeconds(10))
                .callTimeout(Duration.ofSeconds(30))
                .followRedirects(false) // a redirect could lead past the host allow-list
                .retryOnConnectionFailure(false) // retries are ours, counted and backed off
                .build();
        client.dispatcher().setMaxRequests(256);
        client.dispatcher().setMaxRequestsPerHost(128);
        return client;
    }

    /**
     * Why {@code url} may not be a callback URL here (not http/https, credentials in it, an inside
     * address in any spelling, a known internal name, off the allow-list or its ports); empty when
     * it may. Judged without DNS: a name is judged again by its addresses when connecting. The API
     * calls this at submission, so a forbidden URL is a 400 then, not a dead letter later. The
     * reason never repeats the URL.
     */
    public Optional<String> refusal(String url) {
        return destinations.judge(url);
    }

    /**
     * Starts delivering {@code task}'s result if it has a callback URL; returns at once. A
     * {@link io.queuedeck.engine.CompletionFeed} listener.
     */
    public void deliver(TaskView task) {
        String url = task.spec().callbackUrl();
        if (url == null || closed) {
            return;
        }
        byte[] body;
        try {
            body = MAPPER.writeValueAsBytes(TaskReport.of(task, clock::toInstant));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot serialize the result of task " + task.id(), e);
            return;
        }
        Optional<String> refused = refusal(url);
        Pending pending = new Pending(task.id(), url, body, task.finishedAt(), 0, null, null, task.spec().tenant());
        if (refused.isPresent()) {
            deadLetter(pending, refused.get(), "refused");
            return;
        }
        store.put(stored(pending));
        send(pending);
    }

    /**
     * Makes the state of every callback started so far durable (one commit of a durable store):
     * the completion feed calls it before telling the engine a batch was handed on.
     */
    public void flush() {
        store.flush();
    }

    /** Callbacks that gave up, oldest first. */
    public List<DeadLetter> deadLetters() {
        synchronized (deadLetters) {
            List<DeadLetter> list = new ArrayList<>(deadLetters.size());
            for (Pending p : deadLetters.values()) {
                list.add(new DeadLetter(p.taskId, UrlRedaction.redact(p.url), p.attempts, p.lastError, p.failedAt));
            }
            return list;
        }
    }

    /** Sends a dead-lettered callback again with a fresh set of attempts; false when there is none for this task. */
    public boolean replay(String taskId) {
        Pending pending;
        synchronized (deadLetters) {
            pending = deadLetters.remove(taskId);
        }
        if (pending == null) {
            return false;
        }
        Pending fresh = new Pending(pending.taskId, pending.url, pending.body, clock.nanos(), 0, null, null, pending.tenant);
        store.put(stored(fresh));
        send(fresh);
        return true;
    }

    /** Callbacks on their way (sending or waiting to retry). */
    public int inFlight() {
        return inFlight.get();
    }

    /** Faults of the receivers this dispatcher posts to (set by the fault catalogue). */
    public CallbackFaults faults() {
        return faults;
    }

    private void send(Pending pending) {
        inFlight.incrementAndGet();
        attempt(pending);
    }

    private void attempt(Pending before) {
        if (closed) {
            inFlight.decrementAndGet();
            return;
        }
        Pending pending = before.next(before.lastError);
        Optional<String> refused = destinations.judge(pending.url); // the rules may have changed since submission
        if (refused.isPresent()) {
            finish(pending, refused.get(), "refused");
            return;
        }
        Request.Builder request = new Request.Builder()
                .url(pending.url)
                .header("User-Agent", "QueueDeck/0.1")
                .header(IDEMPOTENCY_HEADER, pending.taskId)
                .header(ATTEMPT_HEADER, Integer.toString(pending.attempts))
                .tag(CallbackFaults.Tenant.class, new CallbackFaults.Tenant(pending.tenant))
                .post(RequestBody.create(pending.body, JSON));
        if (signer != null) {
            // a fresh timestamp per attempt: a retry is not mistaken for a replay, a replayed capture ages out
            long timestamp = clock.toInstant(clock.nanos()).getEpochSecond();
            request.header(WEBHOOK_ID_HEADER, pending.taskId)
                    .header(WEBHOOK_TIMESTAMP_HEADER, Long.toString(timestamp))
                    .header(WEBHOOK_SIGNATURE_HEADER, signer.sign(pending.taskId, timestamp, pending.body));
        }
        Call call;
        try {
            call = http.newCall(request.build());
        } catch (IllegalArgumentException e) {
            finish(pending, "invalid URL", "refused");
            return;
        }
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                Optional<String> refusedNow = refusedDestination(e);
                if (refusedNow.isPresent()) {
                    finish(pending, refusedNow.get(), "refused");
                    return;
                }
                retryOrGiveUp(pending, "network", e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()), -1);
            }

            @Override
            public void onResponse(Call c, Response response) {
                try (response) {
                    int code = response.code();
                    if (code >= 200 && code < 300) {
                        store.remove(pending.taskId);
                        inFlight.decrementAndGet();
                        listener.delivered(pending.attempts, Math.max(0, clock.nanos() - pending.finishedAt));
                    } else if (code == 429 || code >= 500) {
                        retryOrGiveUp(pending, code == 429 ? "status_429" : "status_5xx", "HTTP " + code,
                                retryAfterNanos(response.header("Retry-After")));
                    } else {
                        finish(pending, "HTTP " + code, code >= 400 ? "status_4xx" : "status_" + code / 100 + "xx");
                    }
                }
            }
        });
    }

    private void retryOrGiveUp(Pending pending, String reason, String error, long retryAfterNanos) {
        Pending failed = new Pending(pending.taskId, pending.url, pending.body, pending.finishedAt, pending.attempts,
                error, null, pending.tenant);
        if (closed) {
            store.put(stored(failed)); // shutting down: left pending for resume()
            inFlight.decrementAndGet();
            return;
        }
        if (pending.attempts >= maxAttempts) {
            finish(failed, error, reason);
            return;
        }
        listener.retried(reason);
        store.put(stored(failed));
        long delay = retryAfterNanos >= 0 ? Math.min(retryAfterNanos, capNanos) : backoffNanos(pending.attempts);
        try {
            scheduler.schedule(() -> attempt(failed), delay, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            inFlight.decrementAndGet(); // the scheduler is shutting down: left pending for resume()
        }
    }

    /** {@code base * 2^(attempt-1)}, capped, then "equal jitter": half fixed, half random. */
    long backoffNanos(int attempt) {
        int shift = Math.min(30, Math.max(0, attempt - 1));
        long delay = baseNanos << shift;
        if (delay < 0 || delay > capNanos) {
            delay = capNanos;
        }
        return delay / 2 + (long) (jitter.getAsDouble() * (delay / 2));
    }

    private void finish(Pending pending, String error, String reason) {
        inFlight.decrementAndGet();
        deadLetter(pending, error, reason);
    }

    private void deadLetter(Pending pending, String error, String reason) {
        Pending dead = new Pending(pending.taskId, pending.url, pending.body, pending.finishedAt, pending.attempts,
                error, clock.toInstant(clock.nanos()), pending.tenant);
        store.put(stored(dead));
        synchronized (deadLetters) {
            deadLetters.remove(dead.taskId);
            deadLetters.put(dead.taskId, dead);
            if (deadLetters.size() > deadLetterCapacity) {
                String eldest = deadLetters.keySet().iterator().next();
                deadLetters.remove(eldest);
                store.remove(eldest);
            }
        }
        listener.deadLettered(reason);
        LOG.log(System.Logger.Level.WARNING, "callback for task " + dead.taskId + " dead-lettered after "
                + dead.attempts + " attempt(s): " + error);
    }

    /** {@code Retry-After} in nanoseconds (delta-seconds or an HTTP date), or -1 when absent or unreadable. */
    long retryAfterNanos(String header) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        String value = header.trim();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? -1 : TimeUnit.SECONDS.toNanos(Math.min(seconds, 86_400));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Instant now = clock.toInstant(clock.nanos());
                return Math.max(0, Duration.between(now, at).toNanos());
            } catch (DateTimeParseException e) {
                return -1;
            }
        }
    }

    /** The reason when {@code e} (or what it wraps) is the resolver refusing an inside address. */
    private static Optional<String> refusedDestination(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof GuardedDns.RefusedDestinationException) {
                return Optional.of(t.getMessage());
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (suppressed instanceof GuardedDns.RefusedDestinationException) {
                    return Optional.of(suppressed.getMessage());
                }
            }
        }
        return Optional.empty();
    }

    /** Stops sending; what is still pending stays in the {@link DeliveryStore} for {@link #resume()}. */
    @Override
    public void close() {
        closed = true;
        if (ownsHttp) {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }

    /** Builds a {@link CallbackDispatcher}. Each setting may be given once; defaults live here only. */
    public static final class Builder {
        private final EngineClock clock;
        private final ScheduledExecutorService scheduler;
        private OkHttpClient http;
        private int maxAttempts = 6;
        private Duration base = Duration.ofMillis(500);
        private Duration cap = Duration.ofSeconds(60);
        private WebhookSigner signer;
        private Destinations destinations = Destinations.of(List.of());
        private Dns dns;
        private DeliveryListener listener = DeliveryListener.NONE;
        private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();
        private int deadLetterCapacity = 10_000;
        private DeliveryStore store;
        private CallbackFaults faults;
        private boolean callerRuns;
        private final java.util.HashSet<String> set = new java.util.HashSet<>();

        private Builder(EngineClock clock, ScheduledExecutorService scheduler) {
            this.clock = java.util.Objects.requireNonNull(clock, "clock must not be null");
            this.scheduler = java.util.Objects.requireNonNull(scheduler, "scheduler must not be null");
        }

        /** The HTTP client; default one with 5 s connect, 10 s read, 30 s call timeouts and no redirects. */
        public Builder httpClient(OkHttpClient value) {
            once("http client");
            http = java.util.Objects.requireNonNull(value, "http client must not be null");
            return this;
        }

        /** Attempts in all, first included; default 6. */
        public Builder maxAttempts(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("max attempts must be at least 1, got " + value);
            }
            once("max attempts");
            maxAttempts = value;
            return this;
        }

        /** Backoff before the second attempt, doubling after; default 500 ms, capped at 60 s. */
        public Builder backoff(Duration baseDelay, Duration maxDelay) {
            if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
                throw new IllegalArgumentException("backoff must satisfy 0 <= base <= cap, got " + baseDelay + ", " + maxDelay);
            }
            once("backoff");
            base = baseDelay;
            cap = maxDelay;
            return this;
        }

        /**
         * Signs every attempt with these Standard Webhooks secrets ({@code whsec_} + base64 of at
         * least 24 bytes), each adding a signature; list the new one and the old one while receivers
         * move over. Default unsigned.
         *
         * @throws IllegalArgumentException naming a malformed secret by its position
         */
        public Builder signingSecrets(List<String> secrets) {
            once("signing secrets");
            signer = WebhookSigner.of(java.util.Objects.requireNonNull(secrets, "secrets must not be null"));
            return this;
        }

        /**
         * Destinations callbacks may go to: {@code host}, {@code host:port}, {@code host:*} or
         * {@code [v6]:port}; a host without a port allows ports 80 and 443. Listed destinations may be
         * inside the network; when the list is not empty, nothing else may be named. Default: any
         * destination outside the network.
         *
         * @throws IllegalArgumentException naming a malformed entry
         */
        public Builder allowedHosts(Collection<String> hosts) {
            once("allowed hosts");
            destinations = Destinations.of(hosts);
            return this;
        }

        /** Resolves callback host names before their addresses are judged; default the HTTP client's (the system's). */
        public Builder dns(Dns value) {
            once("dns");
            dns = java.util.Objects.requireNonNull(value, "dns must not be null");
            return this;
        }

        /** Hears deliveries, retries and dead letters (metrics); default none. */
        public Builder listener(DeliveryListener value) {
            once("listener");
            listener = java.util.Objects.requireNonNull(value, "listener must not be null");
            return this;
        }

        /** Random numbers in [0, 1) for jitter; default {@link ThreadLocalRandom}. Tests pass a constant. */
        public Builder jitter(DoubleSupplier value) {
            once("jitter");
            jitter = java.util.Objects.requireNonNull(value, "jitter must not be null");
            return this;
        }

        /** Most dead letters kept (oldest dropped first); default 10,000. */
        public Builder deadLetterCapacity(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("dead-letter capacity must be at least 1, got " + value);
            }
            once("dead-letter capacity");
            deadLetterCapacity = value;
            return this;
        }

        /** Where delivery state is kept across restarts; default {@link DeliveryStore#inMemory()}. */
        public Builder store(DeliveryStore value) {
            once("store");
            store = java.util.Objects.requireNonNull(value, "store must not be null");
            return this;
        }

        /** Receiver faults to meet (the fault catalogue sets them); default a fresh set, see {@link #faults()}. */
        public Builder faults(CallbackFaults value) {
            once("faults");
            faults = java.util.Objects.requireNonNull(value, "faults must not be null");
            return this;
        }

        /**
         * Each attempt runs on the thread that starts it (delivery or retry timer) rather than on
         * the HTTP client's threads: a drill on the virtual clock, whose scheduler is the drill's
         * timeline, sees every attempt end before its clock moves on. Default off.
         */
        public Builder callerRuns() {
            once("caller runs");
            callerRuns = true;
            return this;
        }

        public CallbackDispatcher build() {
            if (store == null) {
                store = DeliveryStore.inMemory();
            }
            if (faults == null) {
                faults = new CallbackFaults();
            }
            if (callerRuns && http != null) {
                throw new IllegalStateException("caller runs applies to the default HTTP client only");
            }
            return new CallbackDispatcher(this);
        }

        private void once(String what) {
            if (!set.add(what)) {
                throw new IllegalStateException(what + " was already set");
            }
        }
    }
}
