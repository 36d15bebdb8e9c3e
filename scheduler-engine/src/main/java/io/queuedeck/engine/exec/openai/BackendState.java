package io.queuedeck.engine.exec.openai;

import io.queuedeck.engine.exec.InstanceState;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSources;

/** One backend's shared state. Loop thread only, except the immutable parts. */
final class BackendState {
    private static final System.Logger LOG = System.getLogger(OpenAiExecutor.class.getName());
    /** Weight of the newest request in the moving average of the time to first token. */
    private static final double TTFT_WEIGHT = 0.2;

    final Backend config;
    final EventSource.Factory sse;
    /** Parsed once: a URL parsed per request cost the loop an IDN mapping of the host every dispatch. */
    final HttpUrl chatUrl;
    final HttpUrl completionUrl;
    final OkHttpClient probeClient;
    InstanceState health = InstanceState.UP;
    int inUse;
    int failuresInARow;
    long pausedUntil = Long.MIN_VALUE;
    String healthPath = "/health";
    /** Where the server publishes its load, or null once it turned out to publish none. */
    String metricsPath = "/metrics";
    ServerLoad serverLoad = ServerLoad.UNKNOWN;
    /** When a stream last showed the server alive (a first token, a finished answer), engine nanos. */
    long lastProgressAt = Long.MIN_VALUE / 2;
    /** When any of its streams last received a token; written by the stream threads. */
    volatile long lastTokenAt = Long.MIN_VALUE / 2;
    final long probeTimeoutNanos;
    /** Moving average of the time to first token, ms; NaN before the first. */
    double ttftMs = Double.NaN;
    /** Where the backend last redirected a request to; written by the stream threads. */
    private volatile String lastRedirect;
    /** The status with which the backend last refused QueueDeck's credentials, 0 before; written by the stream threads. */
    private volatile int lastCredentialsRefusal;

    BackendState(Backend config, OkHttpClient client) {
        this.config = config;
        // a backend's redirect is not followed: the operator named the server, and a redirect may point anywhere
        this.sse = EventSources.createFactory(client.newBuilder().followRedirects(false).followSslRedirects(false)
                .addInterceptor(new EventLineLimit()).build());
        this.chatUrl = HttpUrl.get(config.baseUrl() + "/v1/chat/completions");
        this.completionUrl = HttpUrl.get(config.baseUrl() + "/v1/completions");
        this.probeTimeoutNanos = config.connectTimeout().multipliedBy(2).toNanos();
        // nor by its health probes and metric reads: a 3xx is a failed probe, and no other host is asked
        this.probeClient = client.newBuilder().followRedirects(false).followSslRedirects(false)
                .readTimeout(config.connectTimeout()).callTimeout(config.connectTimeout().multipliedBy(2)).build();
    }

    void firstTokenAfter(long nanos) {
        double ms = nanos / 1e6;
        ttftMs = Double.isNaN(ttftMs) ? ms : ttftMs + TTFT_WEIGHT * (ms - ttftMs);
    }

    /** Logs where the backend redirects to, once for each new place (every request would repeat it). */
    void redirected(int status, String location) {
        if (!location.equals(lastRedirect)) {
            lastRedirect = location;
            LOG.log(System.Logger.Level.WARNING, "backend " + config.baseUrl() + " redirects (" + status + ") to " + location
                    + "; redirects are not followed: configure the server's own URL");
        }
    }

    /** Tells the operator, once for each status, that the backend refuses the key QueueDeck sends. */
    void credentialsRefused(int status) {
        if (status != lastCredentialsRefusal) {
            lastCredentialsRefusal = status;
            LOG.log(System.Logger.Level.WARNING, "backend " + config.baseUrl() + " refuses QueueDeck's credentials (" + status
                    + "): " + (config.apiKey() == null ? "no key is configured for it" : "check its key")
                    + " (key_env, or api_key_env / api_key_file in the config); its requests are retried elsewhere meanwhile");
        }
    }
}
