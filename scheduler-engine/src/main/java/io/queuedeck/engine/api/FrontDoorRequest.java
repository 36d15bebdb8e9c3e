package io.queuedeck.engine.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuedeck.engine.exec.openai.OpenAiInput;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskSpecValidator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A front-door request body, read and checked before it becomes a task: every field QueueDeck
 * itself acts on must have OpenAI's type, or the request is a 400 naming that field. Fields it does
 * not act on go to the backend as they are, which answers for them.
 */
record FrontDoorRequest(JsonNode body, String model, boolean stream, boolean usageAsked, Integer maxTokens) {
    /**
     * Strict on duplicate keys and on anything after the object, as the rest of the API is: the
     * body goes on to a backend whose parser may read the other key, or the rest.
     */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    static FrontDoorRequest parse(String raw, boolean chat, List<String> models) {
        JsonNode body;
        try {
            body = JSON.readTree(raw);
        } catch (StreamConstraintsException e) {
            // the parser's own text names its classes; say what the limit is instead
            String limit = e.getMessage() == null ? "" : e.getMessage();
            throw new ApiException(400, "invalid_json", limit.contains("nesting") ? "the body is nested more than 1000 levels deep"
                    : limit.startsWith("Number") ? "the body holds a value longer than the parser accepts (a number of over 1000 digits)"
                    : limit.startsWith("Name") ? "a field name in the body is longer than the parser takes (50,000 characters)"
                    : "the body holds a value longer than the parser accepts");
        } catch (JsonProcessingException e) {
            ApiException translated = Json.translate(e);
            if (translated.code().equals("invalid_field")) { // a field given twice, named
                throw translated;
            }
            // the REST API's words, under the code OpenAI clients know: a fault in a value names it as the param
            throw new ApiException(400, "invalid_json", translated.getMessage(), translated.field(), List.of());
        }
        if (body == null || !body.isObject()) {
            throw new ApiException(400, "invalid_json", "the body must be a JSON object");
        }
        JsonNode modelNode = body.path("model");
        if (modelNode.isMissingNode() || modelNode.isNull()) {
            throw ApiException.invalid("model", "model is required");
        }
        if (!modelNode.isTextual() || modelNode.asText().isBlank()) {
            throw ApiException.invalid("model", "model must be the name of a model, got " + shown(modelNode));
        }
        String model = modelNode.asText();
        if (!models.contains(model)) {
            throw new ApiException(404, "model_not_found", "the model '" + ApiException.shorten(model) + "' is not served here; served: "
                    + io.queuedeck.engine.exec.openai.OpenAiExecutor.named(models),
                    "model", List.of());
        }
        if (chat) {
            OpenAiInput.messagesProblem(body.path("messages")).ifPresent(problem -> {
                throw ApiException.invalid("messages", problem);
            });
        }
        if (!chat) {
            OpenAiInput.promptProblem(body.path("prompt")).ifPresent(problem -> {
                throw ApiException.invalid("prompt", problem);
            });
        }
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && OpenAiInput.wholeNumber(n, 1, 1).isEmpty()) { // 1.0 is 1, as 2.0 tokens are 2
            throw ApiException.invalid("n", "only n=1 is supported: each request is one task, got " + shown(n));
        }
        JsonNode bestOf = body.get("best_of"); // as n: a server that honours it would run that many answers for one task
        if (bestOf != null && !bestOf.isNull() && OpenAiInput.wholeNumber(bestOf, 1, 1).isEmpty()) {
            throw ApiException.invalid("best_of", "only best_of=1 is supported: each request is one answer's work, got " + shown(bestOf));
        }
        boolean stream = bool("stream", body.get("stream"));
        JsonNode options = body.get("stream_options");
        boolean usageAsked = false;
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw ApiException.invalid("stream_options", "stream_options must be an object, got " + shown(options));
            }
            usageAsked = bool("stream_options.include_usage", options.get("include_usage"));
            if (!stream) { // as OpenAI answers: options of a stream that is not asked for were ignored unsaid
                throw ApiException.invalid("stream_options", "stream_options is only allowed when stream is true");
            }
        }
        // both checked, whichever wins: a bad max_tokens beside a good max_completion_tokens was refused
        // later, named as the engine names it ("input.max_tokens")
        Optional<Integer> completionTokens = tokenField(body, "max_completion_tokens");
        Optional<Integer> tokens = tokenField(body, "max_tokens");
        Integer maxTokens = completionTokens.or(() -> tokens).orElse(null);
        return new FrontDoorRequest(body, model, stream, usageAsked, maxTokens);
    }

    /** An optional boolean: absent or null is false, anything but true or false a 400 on it. */
    private static boolean bool(String field, JsonNode value) {
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw ApiException.invalid(field, field + " must be true or false, got " + shown(value));
        }
        return value.asBoolean();
    }

    /** A token limit: a whole number from 1 to the task's own limit, one message for every way to miss it. */
    private static Optional<Integer> tokenField(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        java.util.OptionalInt tokens = OpenAiInput.wholeNumber(value, 1, TaskSpecValidator.MAX_TOKENS_LIMIT);
        if (tokens.isEmpty()) {
            throw ApiException.invalid(field, field + " must be a whole number from 1 to " + TaskSpecValidator.MAX_TOKENS_LIMIT
                    + ", got " + shown(value));
        }
        return Optional.of(tokens.getAsInt());
    }

    /** The client's value in an error, at most 100 characters of it. */
    private static String shown(JsonNode value) {
        return ApiException.shorten(value.toString());
    }

    /**
     * The task's metadata: the request's own OpenAI {@code metadata} (string values), so priority
     * rules can match {@code business_class} or any key as on a REST task; then what the executor
     * needs to read the input, which a request cannot override.
     */
    Map<String, String> taskMetadata(boolean chat) {
        Map<String, String> metadata = new java.util.LinkedHashMap<>();
        JsonNode given = body.path("metadata");
        int room = TaskSpecValidator.MAX_METADATA_ENTRIES - 2; // the two keys below
        if (given.isObject() && given.size() > room) {
            throw ApiException.invalid("metadata", "metadata may hold at most " + room + " entries here (the server adds"
                    + " 2 of its own), got " + given.size());
        }
        if (given.isObject()) {
            given.fields().forEachRemaining(e -> {
                if (!e.getValue().isTextual()) {
                    throw ApiException.invalid("metadata." + e.getKey(), "metadata values must be strings");
                }
                metadata.put(e.getKey(), e.getValue().asText());
            });
        } else if (!given.isMissingNode() && !given.isNull()) {
            throw ApiException.invalid("metadata", "metadata must be an object of strings");
        }
        metadata.put(OpenAiInput.METADATA_KEY, chat ? OpenAiInput.CHAT_REQUEST : OpenAiInput.COMPLETION_REQUEST);
        metadata.put(OpenAiInput.FRONT_DOOR_KEY, "true");
        return metadata;
    }

    /** The priority an {@value OpenAiFrontDoor#PRIORITY_HEADER} header asks for; null without one. */
    static Integer priority(String header) {
        if (header == null) {
            return null;
        }
        String value = header.strip();
        // one digit, as documented: "", "+3" and "03" are a client's bug (an unfilled template), not a priority
        if (value.length() == 1 && value.charAt(0) >= '0' + TaskSpec.MIN_PRIORITY && value.charAt(0) <= '0' + TaskSpec.MAX_PRIORITY) {
            return value.charAt(0) - '0';
        }
        String name = OpenAiFrontDoor.PRIORITY_HEADER;
        throw ApiException.invalid(name, name + " must be one digit from " + TaskSpec.MIN_PRIORITY + " (most urgent) to "
                + TaskSpec.MAX_PRIORITY + " (or no header at all), got "
                + (value.isEmpty() ? "an empty value"
                        : header.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? "'" + ApiException.shorten(header) + "'"
                        : "a value that is not printable ASCII")); // header bytes arrive as Latin-1: no echo of garbled text
    }
}
