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

    /** The models {@code backend} serves, from {@code GET /v1/models} (blocking: at start, never on the loop). */
    static List<String> models(OkHttpClient base, Backend backend) {
        OkHttpClient client = base.newBuilder().connectTimeout(backend.connectTimeout())
                .callTimeout(backend.connectTimeout().multipliedBy(2)).build();
        Request.Builder request = new Request.Builder().url(backend.baseUrl() + "/v1/models").get();
        if (backend.apiKey() != null) {
            request.header("Authorization", "Bearer " + backend.apiKey());
        }
        String where = "backend " + backend.baseUrl() + " names no model and GET /v1/models ";
        try (Response response = client.newCall(request.build()).execute()) {
            if (!response.isSuccessful()) {
                throw new IllegalStateException(where + "answered " + response.code()
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
                    models.add(model.get("id").asText());
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
}
