package io.queuedeck.engine.callback;

import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Faults of callback receivers, injected in the {@link CallbackDispatcher}'s own HTTP client (an
 * OkHttp interceptor), so the dispatcher's real retry, backoff and dead-letter code meets what a
 * receiver that is down, slow or failing sends: a refused connection, an answer that comes late,
 * or a 5xx. The blast radius is every callback, one tenant's, or one destination host's.
 * Thread-safe; the fault catalogue sets and clears them.
 */
public final class CallbackFaults {
    private static final MediaType TEXT = MediaType.get("text/plain");
    private static final long POLL_NANOS = 10_000_000L;

    /** What a hit callback meets. */
    public enum Effect { DOWN, SLOW, ERROR }

    /**
     * One fault on callbacks.
     *
     * @param effect    refused connection, delay, or an HTTP error answer
     * @param tenant    only callbacks of this tenant's tasks (null: any)
     * @param host      only callbacks to this host, or {@code host:port} (null: any)
     * @param latencyMs the delay of a {@link Effect#SLOW} receiver
     * @param status    the answer (500..599) of an {@link Effect#ERROR} receiver
     */
    public record Fault(Effect effect, String tenant, String host, long latencyMs, int status) {
        public Fault {
            Objects.requireNonNull(effect, "effect");
            if (effect == Effect.ERROR && !(status >= 500 && status <= 599)) {
                throw new IllegalArgumentException("parameters.status: must be 500..599, got " + status);
            }
            if (latencyMs < 0) {
                throw new IllegalArgumentException("parameters.latency_ms: must be at least 0, got " + latencyMs);
            }
        }

        boolean hits(String taskTenant, okhttp3.HttpUrl url) {
            if (tenant != null && !tenant.equals(taskTenant)) {
                return false;
            }
            if (host == null) {
                return true;
            }
            String h = host.toLowerCase(Locale.ROOT);
            return h.contains(":") ? h.equals(url.host() + ":" + url.port()) : h.equals(url.host());
        }
    }

    /** The tenant of the task a callback request is for (an OkHttp request tag). */
    record Tenant(String name) {}

    private final Map<String, Fault> active = new ConcurrentHashMap<>();

    /** Starts fault {@code id}. */
    public void set(String id, Fault fault) {
        active.put(Objects.requireNonNull(id, "id"), Objects.requireNonNull(fault, "fault"));
    }

    /** Ends fault {@code id}. */
    public void clear(String id) {
        active.remove(id);
    }

    /** The faults in force. */
    public List<Fault> active() {
        return List.copyOf(active.values());
    }

    /** The interceptor the dispatcher puts first in its client. */
    Interceptor interceptor() {
        return this::intercept;
    }

    private Response intercept(Interceptor.Chain chain) throws IOException {
        if (active.isEmpty()) {
            return chain.proceed(chain.request());
        }
        Request request = chain.request();
        Tenant tenant = request.tag(Tenant.class);
        Fault worst = null;
        for (Fault fault : active.values()) {
            if (fault.hits(tenant == null ? null : tenant.name(), request.url())
                    && (worst == null || fault.effect().ordinal() < worst.effect().ordinal())) {
                worst = fault; // down beats slow: a receiver that is away cannot also be slow
            }
        }
        if (worst == null) {
            return chain.proceed(request);
        }
        return switch (worst.effect()) {
            case DOWN -> throw new ConnectException("Failed to connect to " + request.url().host() + ":" + request.url().port()
                    + " (an injected callback receiver outage)");
            case SLOW -> {
                long waits = Math.max(1, worst.latencyMs() * 1_000_000L / POLL_NANOS);
                for (long i = 0; i < waits; i++) {
                    if (chain.call().isCanceled()) {
                        throw new IOException("Canceled");
                    }
                    LockSupport.parkNanos(POLL_NANOS);
                }
                yield chain.proceed(request);
            }
            case ERROR -> new Response.Builder()
                    .request(request)
                    .protocol(Protocol.HTTP_1_1)
                    .code(worst.status())
                    .message("Injected fault")
                    .body(ResponseBody.create("injected fault: HTTP " + worst.status(), TEXT))
                    .build();
        };
    }
}
