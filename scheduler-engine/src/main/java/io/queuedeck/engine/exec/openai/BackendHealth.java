package io.queuedeck.engine.exec.openai;

import io.queuedeck.engine.exec.ExecutorContext;
import io.queuedeck.engine.exec.InstanceState;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Request;
import okhttp3.Response;
import java.io.IOException;
import java.util.List;

/**
 * Whether each backend takes work: health probes ({@code /health}, else {@code /v1/models}) every
 * interval, the load scrape that follows a good one, a run of failed requests that marks a backend
 * down, and the pause a 429 asks for. Probes run on the HTTP client's threads and report back by
 * {@link ExecutorContext#post}; everything else here runs on the loop.
 */
final class BackendHealth {
    private static final System.Logger LOG = System.getLogger(OpenAiExecutor.class.getName());

    private final List<BackendInstance> instances;
    private final long healthIntervalNanos;
    private final int failuresToMarkDown;
    private ExecutorContext context;

    BackendHealth(List<BackendInstance> instances, long healthIntervalNanos, int failuresToMarkDown) {
        this.instances = instances;
        this.healthIntervalNanos = healthIntervalNanos;
        this.failuresToMarkDown = failuresToMarkDown;
    }

    /** Starts probing {@code backends} on {@code value}'s clock. */
    void bind(ExecutorContext value, List<BackendState> backends) {
        context = value;
        for (BackendState backend : backends) {
            scheduleProbe(backend);
        }
    }

    /** A request failed on its connection or with a server error: enough of them in a row mark the backend down. */
    void requestFailed(BackendState backend) {
        if (++backend.failuresInARow >= failuresToMarkDown && backend.health == InstanceState.UP) {
            markHealth(backend, false, backend.failuresInARow + " failed requests in a row");
        }
    }

    /** A 429 asks for a pause: the backend takes no new work until it ends. */
    void pause(BackendState backend, long nanos) {
        long until = context.clock().nanos() + nanos;
        if (until > backend.pausedUntil) {
            backend.pausedUntil = until;
            context.clock().schedule(until, () -> notifyInstances(backend));
        }
    }

    void markHealth(BackendState backend, boolean healthy, String why) {
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

    void scheduleProbe(BackendState backend) {
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
                    if (response.isRedirect()) {
                        backend.redirected(code, BackendErrors.shown(response.header("Location", "nowhere")));
                    }
                    context.post(() -> probed(backend, ok, path + " answered " + code
                            + (response.isRedirect() ? " (a redirect, not followed)" : "")));
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
            sampleRates(backend); // a server that died mid-stream showed its last rate for two intervals more
            scheduleProbe(backend);
            return;
        }
        probed(backend, false, why);
    }

    private void probed(BackendState backend, boolean healthy, String why) {
        markHealth(backend, healthy, "health probe failed: " + why);
        sampleRates(backend);
        if (healthy && backend.metricsPath != null) {
            MetricsScrape.fetch(backend, load -> context.post(() -> backend.serverLoad = load),
                    () -> context.post(() -> backend.metricsPath = null));
        } else if (!healthy) {
            backend.serverLoad = ServerLoad.UNKNOWN;
        }
        scheduleProbe(backend);
    }

    /** Closes the tokens-per-second window of each model of {@code backend}, at every probe's end. */
    private void sampleRates(BackendState backend) {
        long now = context.clock().nanos();
        for (BackendInstance i : instances) {
            if (i.backend == backend) {
                i.sampleRate(now);
            }
        }
    }
}
