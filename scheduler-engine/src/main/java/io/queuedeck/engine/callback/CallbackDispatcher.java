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
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
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
    private static final ObjectMapper MAPPER = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    private final OkHttpClient http;
    private final boolean ownsHttp;
    private final ScheduledExecutorService scheduler;
    private final EngineClock clock;
    private final int maxAttempts;
    private final RetrySchedule retries;
    private final CallbackRequests requests;
    private final Destinations destinations;
    private final DeliveryListener listener;
    private final DeadLetterList deadLetters;
    private final DeliveryStore store;
    private final CallbackFaults faults;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong pendingBytes = new java.util.concurrent.atomic.AtomicLong();
    /** The same by tenant (the empty name for tasks without one); an entry goes when it reaches 0. */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> pendingByTenant = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * Picks up what the store holds from before a restart: pending callbacks are sent again
     * (their attempt count goes on), dead letters return to the list. Call once, at start.
     *
     * @return how many pending callbacks were resumed
     */
    public int resume() {
        int resumed = 0;
        for (DeliveryStore.Delivery d : store.all()) {
            PendingCallback p = new PendingCallback(d.taskId(), d.url(), d.body(), clock.toNanos(d.finishedAt()),
                    Math.max(0, d.attempts()), d.lastError(), d.deadAt(), null); // the tenant is not kept
            if (d.dead()) {
                deadLetters.restore(p);
            } else {
                send(p);
                resumed++;
            }
        }
        return resumed;
    }

    private CallbackDispatcher(Builder b) {
        this.ownsHttp = b.http == null;
        this.destinations = b.destinations;
        this.http = CallbackRequests.guarded(b.http, b.callerRuns, b.dns, b.destinations, b.faults);
        this.faults = b.faults;
        this.scheduler = b.scheduler;
        this.clock = b.clock;
        this.maxAttempts = b.maxAttempts;
        this.retries = new RetrySchedule(b.clock, b.base, b.cap, b.jitter);
        this.requests = new CallbackRequests(b.clock, b.signer);
        this.listener = b.listener;
        this.deadLetters = new DeadLetterList(b.deadLetterCapacity, b.deadLetterBytes, b.store);
        this.store = b.store;
    }

    /**
     * @param clock     the engine's clock: reads callback latency and turns task times into instants
     * @param scheduler runs retry timers (each fires a non-blocking send)
     */
    public static Builder builder(EngineClock clock, ScheduledExecutorService scheduler) {
        return new Builder(clock, scheduler);
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
        PendingCallback pending = new PendingCallback(task.id(), url, body, task.finishedAt(), 0, null, null, task.spec().tenant());
        if (refused.isPresent()) {
            deadLetter(pending, refused.get(), "refused");
            return;
        }
        store.put(pending.stored(clock));
        send(pending);
    }

    /**
     * Makes the state of every callback started so far durable (one commit of a durable store):
     * the completion feed calls it before telling the engine a batch was handed on. Answers whether
     * they are: false once closed ({@link #deliver} then drops what it is given) or when the store's
     * write failed.
     */
    public boolean flush() {
        return !closed && store.flush();
    }

    /** Callbacks that gave up, oldest first. */
    public List<DeadLetter> deadLetters() {
        return deadLetters.list();
    }

    /** Sends a dead-lettered callback again with a fresh set of attempts; false when there is none for this task. */
    public boolean replay(String taskId) {
        PendingCallback pending = deadLetters.take(taskId);
        if (pending == null) {
            return false;
        }
        PendingCallback fresh = new PendingCallback(pending.taskId(), pending.url(), pending.body(), clock.nanos(), 0, null,
                null, pending.tenant());
        store.put(fresh.stored(clock));
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

    private void send(PendingCallback pending) {
        inFlight.incrementAndGet();
        pendingBytes.addAndGet(pending.body().length);
        pendingByTenant.merge(tenantKey(pending.tenant()), (long) pending.body().length, Long::sum);
        attempt(pending);
    }

    /** A callback stops being in flight: delivered, dead-lettered, or left in the store at a stop. */
    private void settled(PendingCallback pending) {
        inFlight.decrementAndGet();
        pendingBytes.addAndGet(-pending.body().length);
        pendingByTenant.computeIfPresent(tenantKey(pending.tenant()),
                (tenant, held) -> held - pending.body().length <= 0 ? null : held - pending.body().length);
    }

    private static String tenantKey(String tenant) {
        return tenant == null ? "" : tenant;
    }

    /**
     * Bytes of the result bodies of callbacks in flight (sent, or waiting to be sent again): held
     * in memory until each is delivered or dead-lettered, so the engine counts them against its
     * byte budget with the queued tasks ({@code Engine.countInByteBudget}). Any thread.
     */
    public long pendingBytes() {
        return pendingBytes.get();
    }

    /** The part of {@link #pendingBytes()} that results of {@code tenant}'s tasks hold (null: tasks without one). */
    public long pendingBytes(String tenant) {
        return pendingByTenant.getOrDefault(tenantKey(tenant), 0L);
    }

    private void attempt(PendingCallback before) {
        if (closed) {
            settled(before);
            return;
        }
        PendingCallback pending = before.next(before.lastError());
        Optional<String> refused = destinations.judge(pending.url()); // the rules may have changed since submission
        if (refused.isPresent()) {
            finish(pending, refused.get(), "refused");
            return;
        }
        Request.Builder request = requests.request(pending);
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
                Optional<String> refusedNow = CallbackRequests.refusedDestination(e);
                if (refusedNow.isPresent()) {
                    finish(pending, refusedNow.get(), "refused");
                    return;
                }
                retryOrGiveUp(pending, "network", networkError(e), -1);
            }

            @Override
            public void onResponse(Call c, Response response) {
                try (response) {
                    int code = response.code();
                    if (code >= 200 && code < 300) {
                        store.remove(pending.taskId());
                        settled(pending);
                        listener.delivered(pending.attempts(), Math.max(0, clock.nanos() - pending.finishedAt()));
                    } else if (code == 429 || code >= 500 && code <= 599) { // 999 is no server error: final, as any other
                        retryOrGiveUp(pending, code == 429 ? "status_429" : "status_5xx", "HTTP " + code,
                                retries.retryAfterNanos(response.header("Retry-After")));
                    } else if (code > 599 || code < 100) {
                        finish(pending, "HTTP " + code + " (not a status HTTP defines)", "status_invalid");
                    } else if (code >= 300 && code < 400) {
                        finish(pending, redirected(response), "status_3xx");
                    } else {
                        finish(pending, "HTTP " + code, code >= 400 ? "status_4xx" : "status_" + code / 100 + "xx");
                    }
                }
            }
        });
    }

    /**
     * A redirect's reason in a dead letter: where it pointed (shown as callback URLs are, secrets
     * masked), so the operator can give the final URL; redirects are never followed.
     */
    static String redirected(Response response) {
        String location = response.header("Location");
        HttpUrl target = location == null ? null : response.request().url().resolve(location);
        String where = location == null ? "without a Location"
                : target == null ? "to a Location that is no URL"
                : "to " + shortened(UrlRedaction.redact(target.toString()));
        return "HTTP " + response.code() + ": a redirect " + where + ", not followed (callbacks never follow redirects; give the final URL)";
    }

    private static String shortened(String url) {
        return url.length() <= 300 ? url : url.substring(0, 300) + "…";
    }

    /**
     * What went wrong on the way, in words an operator reads in a dead letter ("UnknownHostException:
     * hooks.example.test" named a Java class); the address or host it was about stays.
     */
    static String networkError(IOException e) {
        String detail = e.getMessage() == null || e.getMessage().isBlank() ? "" : ": " + e.getMessage();
        return switch (e) {
            case java.net.UnknownHostException u -> "the host name did not resolve" + detail;
            case java.net.ConnectException c -> "the connection was refused" + detail;
            case java.net.SocketTimeoutException t -> "no answer within the timeout";
            case javax.net.ssl.SSLException tls -> "TLS failed" + detail;
            case java.io.InterruptedIOException cut -> "no answer within the timeout";
            default -> "the connection failed" + detail;
        };
    }

    private void retryOrGiveUp(PendingCallback pending, String reason, String error, long retryAfterNanos) {
        PendingCallback failed = pending.failed(error, null);
        if (closed) {
            store.put(failed.stored(clock)); // shutting down: left pending for resume()
            settled(failed);
            return;
        }
        if (pending.attempts() >= maxAttempts) {
            finish(failed, error, reason);
            return;
        }
        listener.retried(reason);
        store.put(failed.stored(clock));
        long delay = retries.delayNanos(pending.attempts(), retryAfterNanos);
        try {
            scheduler.schedule(() -> attempt(failed), delay, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            settled(failed); // the scheduler is shutting down: left pending for resume()
        }
    }

    private void finish(PendingCallback pending, String error, String reason) {
        settled(pending);
        deadLetter(pending, error, reason);
    }

    private void deadLetter(PendingCallback pending, String error, String reason) {
        PendingCallback dead = pending.failed(error, clock.toInstant(clock.nanos()));
        store.put(dead.stored(clock));
        deadLetters.add(dead);
        listener.deadLettered(reason);
        LOG.log(System.Logger.Level.WARNING, "callback for task " + dead.taskId() + " dead-lettered after "
                + dead.attempts() + " attempt(s): " + error);
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
        /** Bodies the dead letters may hold in memory: a sixteenth of the heap, as request bodies in flight. */
        private long deadLetterBytes = Runtime.getRuntime().maxMemory() / 16;
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

        /** Bodies the dead letters may hold, in bytes; the oldest go first past it. Default: a sixteenth of the heap. */
        public Builder deadLetterBytes(long value) {
            if (value < 1) {
                throw new IllegalArgumentException("dead-letter bytes must be at least 1, got " + value);
            }
            once("dead-letter bytes");
            deadLetterBytes = value;
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
