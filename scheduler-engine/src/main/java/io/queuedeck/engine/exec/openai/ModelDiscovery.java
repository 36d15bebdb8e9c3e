package io.queuedeck.engine.exec.openai;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** Asks a backend that names no models which it serves. */
final class ModelDiscovery {

    private ModelDiscovery() {}

    /** The most of a model list read (a server with thousands of models lists them in a few hundred KB). */
    private static final long MAX_BYTES = 4L * 1024 * 1024;
    /**
     * The most models taken from one server's list: each is an instance, with its own gauges on
     * /metrics. 100,000 names (2 MB) made a /metrics answer of 112 MB and exhausted a 512 MB heap.
     */
    static final int MAX_MODELS = 1_000;
    /** The longest model name taken; a name is a label on /metrics and in every log line about it. */
    static final int MAX_NAME = 256;

    /** The models {@code backend} serves, from {@code GET /v1/models} (blocking: at start, never on the loop). */
    static List<String> models(OkHttpClient base, Backend backend) {
        // a redirect is not followed, as for every request to a backend: it may point anywhere
        OkHttpClient client = base.newBuilder().followRedirects(false).followSslRedirects(false)
                .connectTimeout(backend.connectTimeout()).callTimeout(backend.connectTimeout().multipliedBy(2)).build();
        Request.Builder request = new Request.Builder().url(backend.baseUrl() + "/v1/models").get();
        if (backend.apiKey() != null) {
            request.header("Authorization", "Bearer " + backend.apiKey());
        }
        String where = "backend " + backend.baseUrl() + " names no model and GET /v1/models ";
        try (Response response = client.newCall(request.build()).execute()) {
            if (!response.isSuccessful()) {
                throw new IllegalStateException(where + "answered " + response.code()
                        + (response.isRedirect() ? " (a redirect, not followed: give the server's own URL)" : "")
                        + "; name its models (model=NAME)");
            }
            String list = BodyLimit.whole(response.body(), MAX_BYTES);
            if (list == null) {
                throw new IllegalStateException(where + "answered more than " + MAX_BYTES / (1024 * 1024)
                        + " MiB; name its models (model=NAME)");
            }
            JsonNode data = OpenAiInput.JSON.readTree(list).path("data");
            List<String> models = new ArrayList<>();
            for (JsonNode model : data) {
                if (model.path("id").isTextual()) {
                    String name = model.get("id").asText();
                    if (name.length() > MAX_NAME || name.codePoints().anyMatch(Character::isISOControl)) {
                        throw new IllegalStateException(where + "listed a model name " + (name.length() > MAX_NAME
                                ? "of " + name.length() + " characters (at most " + MAX_NAME + " are taken)"
                                : "with a control character (" + shown(name) + ")") + "; name its models (model=NAME)");
                    }
                    if (models.size() == MAX_MODELS) {
                        throw new IllegalStateException(where + "listed more than " + MAX_MODELS + " models, each of which"
                                + " would be an instance here; name the models to serve (model=NAME)");
                    }
                    models.add(name);
                }
            }
            if (models.isEmpty()) {
                throw new IllegalStateException(where + "listed none; name its models (model=NAME)");
            }
            return models;
        } catch (IOException e) {
            throw new IllegalStateException(where + "failed: " + e.getMessage() + "; is it running?", e);
        }
    }

    /** A name as JSON writes it, control characters escaped, cut to 80 characters: it goes to the log and the terminal. */
    private static String shown(String name) {
        String cut = name.length() > 80 ? name.substring(0, 80) + "…" : name;
        return "\"" + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(cut)) + "\"";
    }
}
