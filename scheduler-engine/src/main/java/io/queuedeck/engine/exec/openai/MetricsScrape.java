package io.queuedeck.engine.exec.openai;

import java.io.IOException;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Reads a backend's own load from its Prometheus {@code /metrics}, beside the health probe. The
 * body is read and parsed on the HTTP client's thread; only the figures reach the loop.
 */
final class MetricsScrape {
    /** Larger bodies are not read: vLLM's is about 30 KB with a few models. */
    private static final long MAX_BYTES = 4L << 20;

    private MetricsScrape() {}

    /**
     * Asks {@code backend} for its metrics. {@code onLoad} hears the figures (unknown ones null),
     * {@code onAbsent} that the server has no such page (404, 405): it is not asked again. Another
     * failure says nothing: the health probe judges the server.
     */
    static void fetch(BackendState backend, Consumer<ServerLoad> onLoad, Runnable onAbsent) {
        Request.Builder request = new Request.Builder().url(backend.config.baseUrl() + backend.metricsPath).get();
        if (backend.config.apiKey() != null) {
            request.header("Authorization", "Bearer " + backend.config.apiKey());
        }
        backend.probeClient.newCall(request.build()).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                // the next probe tries again
            }

            @Override
            public void onResponse(Call call, Response response) throws IOException {
                try (response) {
                    ResponseBody body = response.body();
                    if (response.code() == 404 || response.code() == 405) {
                        onAbsent.run();
                    } else if (response.isSuccessful() && body != null && body.contentLength() <= MAX_BYTES) {
                        String text = BodyLimit.whole(body, MAX_BYTES); // a chunked or compressed body declares no length
                        if (text != null) {
                            onLoad.accept(ServerLoad.parse(text));
                        }
                    }
                }
            }
        });
    }
}
