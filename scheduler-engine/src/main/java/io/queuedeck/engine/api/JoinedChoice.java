package io.queuedeck.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.TreeMap;

/**
 * What a whole (non-streamed) answer gathers from its chunks besides the text: tool calls, their
 * arguments joined from the deltas, and log probabilities, each chunk's appended. Left out, a call
 * of tools came back as an empty message with {@code finish_reason: tool_calls}.
 */
final class JoinedChoice {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Tool calls by index. */
    private final TreeMap<Integer, ObjectNode> toolCalls = new TreeMap<>();
    /** Each call's {@code function} object and its arguments so far, set on it when the message is made. */
    private final java.util.IdentityHashMap<ObjectNode, StringBuilder> arguments = new java.util.IdentityHashMap<>();
    /** Chat's {@code content} list, or completions' arrays; null until a chunk carries some. */
    private ObjectNode logprobs;

    /** Takes in one chunk's first choice. */
    void add(JsonNode chunk) {
        JsonNode choice = chunk.path("choices").path(0);
        for (JsonNode call : choice.path("delta").path("tool_calls")) {
            addToolCall(call);
        }
        if (choice.path("logprobs") instanceof ObjectNode delta) {
            addLogprobs(delta);
        }
    }

    /** Fills a chat answer's {@code message}: its text (null beside tool calls alone, as OpenAI answers) and tool calls. */
    void message(ObjectNode message, String text) {
        message.put("role", "assistant");
        if (toolCalls.isEmpty() || text != null && !text.isEmpty()) {
            message.put("content", text);
        } else {
            message.putNull("content");
        }
        message.putNull("refusal");
        if (!toolCalls.isEmpty()) {
            arguments.forEach((function, joined) -> function.put("arguments", joined.toString()));
            message.putArray("tool_calls").addAll(toolCalls.values());
        }
    }

    /** Sets a choice's {@code logprobs}: what the chunks carried, or null. */
    void logprobs(ObjectNode choice) {
        choice.set("logprobs", logprobs == null ? NullNode.getInstance() : logprobs);
    }

    private void addToolCall(JsonNode delta) {
        ObjectNode call = toolCalls.computeIfAbsent(delta.path("index").asInt(toolCalls.size()), i -> JSON.createObjectNode());
        for (String field : List.of("id", "type")) {
            if (delta.hasNonNull(field)) {
                call.set(field, delta.get(field));
            }
        }
        JsonNode function = delta.path("function");
        if (function.isObject()) {
            ObjectNode joined = call.has("function") ? (ObjectNode) call.get("function") : call.putObject("function");
            if (function.hasNonNull("name")) {
                joined.set("name", function.get("name"));
            }
            // joined once, at the end: a string rebuilt per delta cost time quadratic in its length
            arguments.computeIfAbsent(joined, k -> new StringBuilder()).append(function.path("arguments").asText(""));
        }
    }

    private void addLogprobs(ObjectNode delta) {
        if (logprobs == null) {
            logprobs = JSON.createObjectNode();
        }
        delta.fields().forEachRemaining(e -> {
            if (e.getValue() instanceof ArrayNode items) {
                JsonNode held = logprobs.get(e.getKey());
                (held instanceof ArrayNode list ? list : logprobs.putArray(e.getKey())).addAll(items);
            } else if (!logprobs.has(e.getKey())) {
                logprobs.set(e.getKey(), e.getValue());
            }
        });
    }
}
