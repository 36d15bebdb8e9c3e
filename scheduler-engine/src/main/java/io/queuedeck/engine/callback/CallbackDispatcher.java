package io.queuedeck.engine.callback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.task.TaskReport;
import io.queuedeck.engine.task.TaskView;
import java.io.IOException;
import java.net.URI;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

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
 * <p><b>Receivers can verify and de-duplicate.</b> Every attempt carries
 * {@code Idempotency-Key: <task id>} (the same on every attempt and replay) and, when a secret is
 * set, {@code X-QueueDeck-Signature: sha256=<hex HMAC-SHA256 of the body>}.
 */
public final class CallbackDispatcher implements AutoCloseable {
    /** The HMAC signature header. */
    public static final String SIGNATURE_HEADER = "X-QueueDeck-Signature";
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
    private final byte[] secret;
    private final Set<String> allowedHosts;
    private final DeliveryListener listener;
    private final DoubleSupplier jitter;
    private final int deadLetterCapacity;
    private final DeliveryStore store;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, Pending> deadLetters = new LinkedHashMap<>();
    private volatile boolean closed;

    /** One callback on its way: the body is fixed once, so every attempt and replay sends the same bytes. */
    private record Pending(String taskId, String url, byte[] body, long finishedAt, int attempts, String lastError,
                           Instant failedAt) {
        Pending next(String error) {
            return new Pending(taskId, url, body, finishedAt, attempts + 1, error, failedAt);
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
                    Math.max(0, d.attempts()), d.lastError(), d.deadAt());
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
        this.http = b.http != null ? b.http : defaultClient();
        this.scheduler = b.scheduler;
        this.clock = b.clock;
        this.maxAttempts = b.maxAttempts;
        this.baseNanos = b.base.toNanos();
        this.capNanos = b.cap.toNanos();
        this.secret = b.secret;
        this.allowedHosts = b.allowedHosts;
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

    private static OkHttpClient defaultClient() {
        OkHttpClient client = new OkHttpClient.Builder()
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
     * Why {@code url} may not be a callback URL here (not http/https, or a host off the allow-list);
     * empty when it may. The API calls this at submission, so a forbidden URL is a 400 then, not a
     * dead letter later.
     */
    public Optional<String> refusal(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            return Optional.of("callback_url is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("callback_url must be an http or https URL");
        }
        if (uri.getHost() == null) {
            return Optional.of("callback_url must name a host");
        }
        if (!allowedHosts.isEmpty() && !allowedHosts.contains(uri.getHost().toLowerCase(Locale.ROOT))) {
            return Optional.of("callback_url host '" + uri.getHost() + "' is not on this server's callback allow-list");
        }
        return Optional.empty();
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
        Pending pending = new Pending(task.id(), url, body, task.finishedAt(), 0, null, null);
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
                list.add(new DeadLetter(p.taskId, p.url, p.attempts, p.lastError, p.failedAt));
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
        Pending fresh = new Pending(pending.taskId, pending.url, pending.body, clock.nanos(), 0, null, null);
        store.put(stored(fresh));
        send(fresh);
        return true;
    }

    /** Callbacks on their way (sending or waiting to retry). */
    public int inFlight() {
        return inFlight.get();
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
        Request.Builder request = new Request.Builder()
                .url(pending.url)
                .header("User-Agent", "QueueDeck/0.1")
                .header(IDEMPOTENCY_HEADER, pending.taskId)
                .header(ATTEMPT_HEADER, Integer.toString(pending.attempts))
                .post(RequestBody.create(pending.body, JSON));
        if (secret != null) {
            request.header(SIGNATURE_HEADER, "sha256=" + sign(secret, pending.body));
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
                error, null);
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
                error, clock.toInstant(clock.nanos()));
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

    /** Hex HMAC-SHA256 of {@code body} under {@code secret}: what a receiver recomputes to verify. */
    public static String sign(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
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
        private byte[] secret;
        private Set<String> allowedHosts = Set.of();
        private DeliveryListener listener = DeliveryListener.NONE;
        private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();
        private int deadLetterCapacity = 10_000;
        private DeliveryStore store;
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

        /** Signs every body with HMAC-SHA256 under this secret; default unsigned. */
        public Builder secret(byte[] value) {
            if (value == null || value.length == 0) {
                throw new IllegalArgumentException("secret must not be empty");
            }
            once("secret");
            secret = value.clone();
            return this;
        }

        /** Hosts callbacks may go to (lower case); default any. */
        public Builder allowedHosts(Set<String> hosts) {
            once("allowed hosts");
            Set<String> lower = new java.util.HashSet<>();
            for (String host : hosts) {
                lower.add(host.toLowerCase(Locale.ROOT));
            }
            allowedHosts = Set.copyOf(lower);
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

        public CallbackDispatcher build() {
            if (store == null) {
                store = DeliveryStore.inMemory();
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
