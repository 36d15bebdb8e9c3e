package io.queuedeck.engine.callback;

import io.queuedeck.engine.clock.EngineClock;
import java.net.Proxy;
import java.time.Duration;
import java.util.Optional;
import okhttp3.Dns;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

/** The HTTP side of callbacks: the client every attempt goes through, and each attempt's request. */
final class CallbackRequests {
    private static final MediaType JSON = MediaType.get("application/json");

    private final EngineClock clock;
    private final WebhookSigner signer;

    /** @param signer signs every attempt; null for none */
    CallbackRequests(EngineClock clock, WebhookSigner signer) {
        this.clock = clock;
        this.signer = signer;
    }

    /**
     * {@code given} (or, when null, a default client), made to hold whatever it was: judged addresses,
     * no redirects, no proxy to resolve for us, and receiver faults met first.
     */
    static OkHttpClient guarded(OkHttpClient given, boolean callerRuns, Dns dns, Destinations destinations,
                                CallbackFaults faults) {
        OkHttpClient base = given != null ? given : defaultClient(callerRuns);
        return base.newBuilder()
                .dns(new GuardedDns(dns != null ? dns : base.dns(), destinations))
                .proxy(Proxy.NO_PROXY)
                .followRedirects(false)
                .followSslRedirects(false)
                .addInterceptor(faults.interceptor()) // first: an injected outage is met before any connection
                .build();
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
                // Retries are ours, counted and backed off; but a pooled connection the receiver had closed
                // (after a 5xx, or idle: OkHttp checks a reused one only after 10 s idle) is not an attempt that
                // reached it. OkHttp then retries once on a new connection, and never after a read timeout.
                .retryOnConnectionFailure(true)
                .build();
        client.dispatcher().setMaxRequests(256);
        client.dispatcher().setMaxRequestsPerHost(128);
        return client;
    }

    /** The POST of this attempt: the fixed body, the task id as idempotency key, the attempt number and signatures. */
    Request.Builder request(PendingCallback pending) {
        Request.Builder request = new Request.Builder()
                .url(pending.url())
                .header("User-Agent", "QueueDeck/0.1")
                .header(CallbackDispatcher.IDEMPOTENCY_HEADER, pending.taskId())
                .header(CallbackDispatcher.ATTEMPT_HEADER, Integer.toString(pending.attempts()))
                .tag(CallbackFaults.Tenant.class, new CallbackFaults.Tenant(pending.tenant()))
                .post(RequestBody.create(pending.body(), JSON));
        if (signer != null) {
            // a fresh timestamp per attempt: a retry is not mistaken for a replay, a replayed capture ages out
            long timestamp = clock.toInstant(clock.nanos()).getEpochSecond();
            request.header(CallbackDispatcher.WEBHOOK_ID_HEADER, pending.taskId())
                    .header(CallbackDispatcher.WEBHOOK_TIMESTAMP_HEADER, Long.toString(timestamp))
                    .header(CallbackDispatcher.WEBHOOK_SIGNATURE_HEADER, signer.sign(pending.taskId(), timestamp, pending.body()));
        }
        return request;
    }

    /** The reason when {@code e} (or what it wraps) is the resolver refusing an inside address. */
    static Optional<String> refusedDestination(Throwable e) {
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
}
