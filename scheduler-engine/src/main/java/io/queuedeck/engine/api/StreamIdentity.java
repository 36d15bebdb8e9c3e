package io.queuedeck.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * One answer, one identity: the {@code id}, {@code created} and {@code model} of the first chunk a
 * client gets are given to every later chunk that came from another backend request (the next
 * chunk of a chunked generation, decision 0060), so the client reads one completion. A chunk of
 * the same request is recognised by its id text and passed on untouched: no parse per token.
 * One stream's chunks come in order; not thread-safe.
 */
final class StreamIdentity {
    private static final ObjectMapper JSON = new ObjectMapper();

    private String id;
    private String idText; // "id":"<id>", as servers write it
    private JsonNode created;
    private JsonNode model;

    /** {@code data} with the answer's identity. */
    String apply(String data) {
        if (idText != null && data.contains(idText)) {
            return data; // the request that opened the answer: nothing to change
        }
        JsonNode node;
        try {
            node = JSON.readTree(data);
        } catch (IOException e) {
            return data; // the executor parsed it already; cannot happen
        }
        if (!(node instanceof ObjectNode chunk) || !chunk.path("id").isTextual()) {
            return data;
        }
        if (id == null) {
            id = chunk.get("id").asText();
            idText = "\"id\":" + chunk.get("id").toString();
            created = chunk.get("created");
            model = chunk.get("model");
            return data;
        }
        if (id.equals(chunk.get("id").asText())) {
            return data; // the same request, written with spaces
        }
        chunk.put("id", id);
        if (created != null) {
            chunk.set("created", created);
        }
        if (model != null) {
            chunk.set("model", model);
        }
        return chunk.toString();
    }
}
