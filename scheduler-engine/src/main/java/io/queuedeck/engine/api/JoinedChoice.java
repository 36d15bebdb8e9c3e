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
 * arguments joined from the deltas, a reasoning model's thinking, and log probabilities, each
 * chunk's appended. Left out, a call of tools came back as an empty message with
 * {@code finish_reason: tool_calls}, and the thinking a stream relays was missing from the message.
 */
final class JoinedChoice {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Tool calls by index. */
    private final TreeMap<Integer, ObjectNode> toolCalls = new TreeMap<>();
    /** Each call's {@code function} object and its arguments so far, set on it when the message is made. */
    private final java.util.IdentityHashMap<ObjectNode, StringBuilder> arguments = new java.util.IdentityHashMap<>();
    /**
     * Chat's {@code content} list, or completions' arrays, by key: each array's items as JSON text,
     * comma-joined (held as trees they took about ten times their characters of heap); the first of
     * any other value. Empty until a chunk carries some.
     */
    private final java.util.LinkedHashMap<String, Object> logprobs = new java.util.LinkedHashMap<>();
    /** The thinking by the field the server sends it in ({@code reasoning_content}: vLLM, SGLang, DeepSeek; {@code reasoning}: Ollama, newer vLLM). */
    private final java.util.LinkedHashMap<String, StringBuilder> reasoning = new java.util.LinkedHashMap<>();
    static final List<String> REASONING_FIELDS = List.of("reasoning_content", "reasoning");

    /** Takes in one chunk's first choice. */
    void add(JsonNode chunk) {
        JsonNode choice = chunk.path("choices").path(0);
        for (JsonNode call : choice.path("delta").path("tool_calls")) {
            addToolCall(call);
        }
        for (String field : REASONING_FIELDS) {
            JsonNode thought = choice.path("delta").path(field);
            if (thought.isTextual() && !thought.asText().isEmpty()) {
                reasoning.computeIfAbsent(field, k -> new StringBuilder()).append(thought.asText());
            }
        }
        if (choice.path("logprobs") instanceof ObjectNode delta) {
            addLogprobs(delta);
        }
    }

    /**
     * Fills a chat answer's {@code message}: its text (null beside tool calls alone, as OpenAI answers),
     * its thinking in the field the server sent it in, and tool calls.
     */
    void message(ObjectNode message, String text) {
        message.put("role", "assistant");
        if (toolCalls.isEmpty() || text != null && !text.isEmpty()) {
            message.put("content", text);
        } else {
            message.putNull("content");
        }
        message.putNull("refusal");
        reasoning.forEach((field, joined) -> message.put(field, joined.toString()));
        if (!toolCalls.isEmpty()) {
            arguments.forEach((function, joined) -> function.put("arguments", joined.toString()));
            message.putArray("tool_calls").addAll(toolCalls.values());
        }
    }

    /** Sets a choice's {@code logprobs}: what the chunks carried, or null. The arrays are written as they were kept. */
    void logprobs(ObjectNode choice) {
        if (logprobs.isEmpty()) {
            choice.set("logprobs", NullNode.getInstance());
            return;
        }
        ObjectNode joined = choice.putObject("logprobs");
        logprobs.forEach((key, value) -> {
            if (value instanceof StringBuilder items) {
                joined.putPOJO(key, new RawArray(items));
            } else {
                joined.set(key, (JsonNode) value);
            }
        });
    }

    /** An array whose items are kept as JSON text, written out without a copy of the whole. */
    private record RawArray(StringBuilder items) implements com.fasterxml.jackson.databind.JsonSerializable {
        @Override
        public void serialize(com.fasterxml.jackson.core.JsonGenerator gen, com.fasterxml.jackson.databind.SerializerProvider provider)
                throws java.io.IOException {
            gen.writeRawValue("["); // the generator's one value here; the rest is its text
            char[] buffer = new char[8192];
            for (int from = 0; from < items.length(); from += buffer.length) {
                int to = Math.min(items.length(), from + buffer.length);
                items.getChars(from, to, buffer, 0);
                gen.writeRaw(buffer, 0, to - from);
            }
            gen.writeRaw(']');
        }

        @Override
        public void serializeWithType(com.fasterxml.jackson.core.JsonGenerator gen, com.fasterxml.jackson.databind.SerializerProvider provider,
                                      com.fasterxml.jackson.databind.jsontype.TypeSerializer typeSer) throws java.io.IOException {
            serialize(gen, provider);
        }
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
        delta.fields().forEachRemaining(e -> {
            if (e.getValue() instanceof ArrayNode items) {
                Object held = logprobs.get(e.getKey());
                StringBuilder list = held instanceof StringBuilder b ? b : new StringBuilder();
                if (!(held instanceof StringBuilder)) {
                    logprobs.put(e.getKey(), list); // an array after another value: the arrays win, as before
                }
                for (JsonNode item : items) {
                    (list.isEmpty() ? list : list.append(',')).append(item.toString());
                }
            } else if (!logprobs.containsKey(e.getKey())) {
                logprobs.put(e.getKey(), e.getValue());
            }
        });
    }
}
