package io.queuedeck.engine.exec.openai;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.Okio;
import okio.Source;
import okio.Timeout;

/**
 * HTTP-level faults on one real backend, injected in its client (an OkHttp interceptor) so that
 * the executor sees exactly what a misbehaving inference server sends: a 5xx, a 429 with
 * {@code Retry-After}, or a stream that stalls after its headers (no byte follows; the client's
 * read timeout ends it, as it would a real stall). Completion requests (POST) only: health probes
 * still reach the server, so the executor's own health logic is not what is drilled. The blast
 * radius is one backend, named by its base URL or a model it serves. Thread-safe.
 */
public final class BackendFaults {
    private static final MediaType JSON = MediaType.get("application/json");
    private static final long POLL_NANOS = 10_000_000L;

    /**
     * What a backend's completion requests meet while a fault acts.
     *
     * @param status            429 or 5xx to answer instead of the server; ignored when {@code stall}
     * @param retryAfterSeconds the {@code Retry-After} of a 429 (0: none sent)
     * @param stall             the request reaches the server, but its stream stalls after the headers
     * @param fraction          the share of requests hit, spread evenly (1: all)
     */
    public record HttpFault(int status, long retryAfterSeconds, boolean stall, double fraction) {
        public HttpFault {
            if (!stall && !(status == 429 || status >= 500 && status <= 599)) {
                throw new IllegalArgumentException("parameters.status: must be 429 or 500..599, got " + status);
            }
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("parameters.fraction: must be above 0 and at most 1, got " + fraction);
            }
        }
    }

    /** Base URL → the models that backend serves (as configured). */
    private final Map<String, List<String>> backends = new ConcurrentHashMap<>();
    private final Map<String, HttpFault> active = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> seen = new ConcurrentHashMap<>();

    /** The interceptor of {@code backend}'s client. */
    Interceptor interceptor(Backend backend) {
        String url = backend.baseUrl().toString();
        backends.put(url, List.copyOf(backend.models()));
        seen.put(url, new AtomicLong());
        return chain -> intercept(url, chain);
    }

    /** The backend {@code target} names (its base URL, or a model only it serves); field-precise when none. */
    public String resolve(String target) {
        if (backends.containsKey(target)) {
            return target;
        }
        List<String> serving = new ArrayList<>();
        backends.forEach((url, models) -> {
            if (models.contains(target)) {
                serving.add(url);
            }
        });
        if (serving.size() == 1) {
            return serving.getFirst();
        }
        throw new IllegalArgumentException("target: " + (serving.isEmpty() ? "no backend is '" + target + "'"
                : "'" + target + "' is served by " + serving.size() + " backends; name one by its URL") + "; backends: "
                + backends.keySet());
    }

    /** Starts {@code fault} on the backend {@code target} names; answers that backend's URL. */
    public String set(String target, HttpFault fault) {
        String url = resolve(target);
        active.put(url, Objects.requireNonNull(fault, "fault"));
        return url;
    }

    /** Ends the fault on the backend {@code target} names. */
    public void clear(String target) {
        active.remove(resolve(target));
    }

    private Response intercept(String url, Interceptor.Chain chain) throws IOException {
        HttpFault fault = active.get(url);
        if (fault == null || !chain.request().method().equals("POST") || !hit(url, fault.fraction())) {
            return chain.proceed(chain.request());
        }
        if (fault.stall()) {
            Response response = chain.proceed(chain.request());
            ResponseBody body = response.body();
            Source stalled = new Stalled(chain, body.source());
            return response.newBuilder().body(ResponseBody.create(Okio.buffer(stalled), body.contentType(), -1)).build();
        }
        Response.Builder answer = new Response.Builder()
                .request(chain.request())
                .protocol(Protocol.HTTP_1_1)
                .code(fault.status())
                .message(fault.status() == 429 ? "Too Many Requests" : "Service Unavailable")
                .body(ResponseBody.create("{\"error\":{\"message\":\"injected fault: HTTP " + fault.status()
                        + "\",\"type\":\"server_error\"}}", JSON));
        if (fault.status() == 429 && fault.retryAfterSeconds() > 0) {
            answer.header("Retry-After", Long.toString(fault.retryAfterSeconds()));
        }
        return answer.build();
    }

    /** Whether the next request is one of the {@code fraction} hit: evenly, without randomness. */
    private boolean hit(String url, double fraction) {
        long n = seen.get(url).getAndIncrement();
        return Math.ceil((n + 1) * fraction) > Math.ceil(n * fraction); // the first request is hit
    }

    /** A body that delivers nothing: a read waits out the client's read timeout, or ends when the call is cancelled. */
    private static final class Stalled implements Source {
        private final Interceptor.Chain chain;
        private final BufferedSource real;

        Stalled(Interceptor.Chain chain, BufferedSource real) {
            this.chain = chain;
            this.real = real;
        }

        @Override
        public long read(Buffer sink, long byteCount) throws IOException {
            // counted in parks rather than read from a clock: the engine reads time only through its clock
            long waits = Math.max(1, TimeUnit.MILLISECONDS.toNanos(chain.readTimeoutMillis()) / POLL_NANOS);
            for (long i = 0; i < waits; i++) {
                if (chain.call().isCanceled()) {
                    throw new IOException("Canceled");
                }
                LockSupport.parkNanos(POLL_NANOS);
            }
            throw new SocketTimeoutException("timeout (an injected stalled stream)");
        }

        @Override
        public Timeout timeout() {
            return Timeout.NONE;
        }

        @Override
        public void close() throws IOException {
            real.close();
        }
    }
}
