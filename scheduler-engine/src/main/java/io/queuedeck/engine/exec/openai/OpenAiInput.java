package io.queuedeck.engine.exec.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.queuedeck.engine.task.TaskSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a task's {@code input} reads on an OpenAI-compatible backend, chosen by its metadata key
 * {@value #METADATA_KEY}:
 * <ul>
 *   <li>{@value #TEXT} (or no key): a plain prompt, sent to {@code /v1/completions};</li>
 *   <li>{@value #MESSAGES}: a JSON array of chat messages, sent to {@code /v1/chat/completions};</li>
 *   <li>{@value #CHAT_REQUEST} / {@value #COMPLETION_REQUEST}: a whole OpenAI request body (what the
 *       front door receives), sent on as it is, but always streamed.</li>
 * </ul>
 */
public final class OpenAiInput {
    /** The metadata key that names the input format. */
    public static final String METADATA_KEY = "input_format";
    public static final String TEXT = "text";
    public static final String MESSAGES = "messages";
    public static final String CHAT_REQUEST = "openai_chat";
    public static final String COMPLETION_REQUEST = "openai_completion";
    /**
     * Metadata key the front door sets ({@code "true"}) on its tasks: such a task runs only while
     * its client is still connected, so one recovered after a restart is not sent to a backend.
     */
    public static final String FRONT_DOOR_KEY = "front_door";

    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Reads a client's request body to send it on: decimals as written ({@code 1E5}, {@code 1e-400},
     * {@code -1e999} stay numbers with their value; as doubles they became {@code 100000.0}, {@code 0.0}
     * and the string {@code "-Infinity"}).
     */
    private static final ObjectMapper BODY = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true)).build();
    /** The most tokens a request may ask for, as at the front door. */
    static final int MAX_REQUEST_TOKENS = 1_000_000;
    /** The request fields that must hold whole numbers. */
    private static final List<String> WHOLE_NUMBER_FIELDS = List.of("n", "max_tokens", "max_completion_tokens");

    private OpenAiInput() {}

    /** The format {@code spec} asks for; {@value #TEXT} when it names none. */
    public static String formatOf(TaskSpec spec) {
        Map<String, String> metadata = spec.metadata();
        String format = metadata == null ? null : metadata.get(METADATA_KEY);
        return format == null ? TEXT : format;
    }

    /** Why {@code spec}'s input cannot be sent to a backend, if it cannot. */
    static Optional<String> problem(TaskSpec spec) {
        String format = formatOf(spec);
        try {
            return switch (format) {
                case TEXT -> Optional.empty();
                case MESSAGES -> {
                    JsonNode messages = JSON.readTree(spec.input());
                    yield messages.isArray() ? messagesProblem(messages).map(problem -> "input: " + problem)
                            : Optional.of("input: with metadata input_format=messages the input must be a JSON array of messages");
                }
                case CHAT_REQUEST, COMPLETION_REQUEST -> {
                    JsonNode request = JSON.readTree(spec.input());
                    yield request.isObject() ? requestProblem(request, format)
                            : Optional.of("input: with metadata input_format=" + format + " the input must be a JSON object");
                }
                default -> Optional.of("metadata.input_format: unknown format '" + format + "'; known: "
                        + TEXT + ", " + MESSAGES + ", " + CHAT_REQUEST + ", " + COMPLETION_REQUEST);
            };
        } catch (JsonProcessingException e) {
            // where it stopped, not the parser's words: they quote the input back and name its switches
            return Optional.of("input: not valid JSON for input_format=" + format + (e.getLocation() == null ? ""
                    : " (it stops parsing at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + " of the input)"));
        }
    }

    /**
     * What the front door refuses in a request body, refused as well when a REST task carries one
     * ({@value #CHAT_REQUEST}, {@value #COMPLETION_REQUEST}): one answer per task, a bounded length.
     */
    private static Optional<String> requestProblem(JsonNode request, String format) {
        if (format.equals(CHAT_REQUEST)) {
            Optional<String> problem = messagesProblem(request.path("messages"));
            if (problem.isPresent()) {
                return problem.map(p -> "input.messages: " + p);
            }
        }
        if (format.equals(COMPLETION_REQUEST) && !(request.path("prompt").isTextual() || request.path("prompt").isArray())) {
            return promptProblem(request.path("prompt")).map(problem -> "input.prompt: " + problem);
        }
        JsonNode n = request.get("n");
        if (n != null && !n.isNull() && wholeNumber(n, 1, 1).isEmpty()) {
            return Optional.of("input.n: only n=1 is supported: each task is one answer, got " + n);
        }
        JsonNode bestOf = request.get("best_of"); // a completion server that honours it runs that many answers for one task
        if (bestOf != null && !bestOf.isNull() && wholeNumber(bestOf, 1, 1).isEmpty()) {
            return Optional.of("input.best_of: only best_of=1 is supported: each task is one answer's work, got " + bestOf);
        }
        for (String field : WHOLE_NUMBER_FIELDS.subList(1, 3)) {
            JsonNode tokens = request.get(field);
            if (tokens != null && !tokens.isNull() && wholeNumber(tokens, 1, MAX_REQUEST_TOKENS).isEmpty()) {
                return Optional.of("input." + field + ": must be a whole number from 1 to " + MAX_REQUEST_TOKENS + ", got " + tokens);
            }
        }
        if (format.equals(COMPLETION_REQUEST)) {
            return promptProblem(request.path("prompt")).map(problem -> "input.prompt: " + problem);
        }
        return Optional.empty();
    }

    /**
     * A JSON number with a whole value from {@code min} to {@code max}: {@code 2} and {@code 2.0}
     * alike (as the servers behind the front door read them), or empty.
     */
    public static java.util.OptionalInt wholeNumber(JsonNode value, int min, int max) {
        if (value == null || !value.isNumber()) {
            return java.util.OptionalInt.empty();
        }
        double number = value.asDouble();
        return number == Math.rint(number) && number >= min && number <= max
                ? java.util.OptionalInt.of((int) number) : java.util.OptionalInt.empty();
    }

    /**
     * What is wrong with a chat's {@code messages}, if anything, naming the message: each must be an
     * object with a role, and its content (where given) text, content parts or null. The rest is the
     * backend's to judge; {@code [null]} and a content object were sent on to it, and the client
     * waited its turn for the backend's 400.
     */
    public static Optional<String> messagesProblem(JsonNode messages) {
        if (!messages.isArray() || messages.isEmpty()) {
            return Optional.of("messages must be a non-empty array");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            if (!message.isObject()) {
                return Optional.of("messages[" + i + "] must be an object with a role, got " + kindOf(message));
            }
            JsonNode role = message.get("role");
            if (role == null || !role.isTextual() || role.asText().isBlank()) {
                return Optional.of("messages[" + i + "].role is required: a string such as \"user\", got "
                        + (role == null ? "none" : kindOf(role)));
            }
            JsonNode content = message.path("content");
            if (!content.isMissingNode() && !content.isNull() && !content.isTextual() && !content.isArray()) {
                return Optional.of("messages[" + i + "].content must be a string or an array of content parts, got "
                        + kindOf(content));
            }
            for (int p = 0; content.isArray() && p < content.size(); p++) {
                JsonNode type = content.get(p).path("type");
                if (!type.isTextual() || type.asText().isBlank()) {
                    return Optional.of("messages[" + i + "].content[" + p + "] must be a content part: an object with a type"
                            + " such as \"text\", got " + (content.get(p).isObject() ? "an object without one" : kindOf(content.get(p))));
                }
            }
        }
        return Optional.empty();
    }

    /** A JSON value's kind, in words, never the value: it may be long, or not the sender's to see again. */
    private static String kindOf(JsonNode value) {
        return switch (value.getNodeType()) {
            case NULL -> "null";
            case STRING -> value.asText().isBlank() ? "a blank string" : "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> "something else";
        };
    }

    /**
     * What is wrong with a completion's {@code prompt}, if anything: one prompt per task, as a
     * string, token ids, or an array holding one of those. Several prompts are several answers in
     * OpenAI's API (they came back interleaved as one); {@code []} and {@code [null]} are none.
     */
    public static Optional<String> promptProblem(JsonNode prompt) {
        if (prompt.isTextual()) {
            return Optional.empty();
        }
        if (prompt.isMissingNode() || prompt.isNull() || prompt.isArray() && prompt.isEmpty()) {
            return Optional.of("prompt is required: a string, token ids, or an array of one of those");
        }
        if (!prompt.isArray()) { // sent, but as an object, a number or a boolean
            return Optional.of("prompt must be a string, token ids, or an array of one of those, got " + kindOf(prompt));
        }
        JsonNode first = prompt.get(0);
        if ((first.isTextual() || first.isArray()) && prompt.size() > 1) {
            return Optional.of("one prompt per request: each request is one task; send the " + prompt.size()
                    + " prompts as " + prompt.size() + " requests");
        }
        boolean tokens = first.isArray() ? !first.isEmpty() && allTokenIds(first) : !first.isTextual() && allTokenIds(prompt);
        return first.isTextual() || tokens ? Optional.empty()
                : Optional.of("prompt must be a string, token ids (whole numbers from 0), or an array of one of those");
    }

    private static boolean allTokenIds(JsonNode array) {
        for (JsonNode item : array) {
            if (!item.isIntegralNumber() || !item.canConvertToInt() || item.intValue() < 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code spec} came through the front door (and so needs its client to be listening). */
    public static boolean fromFrontDoor(TaskSpec spec) {
        Map<String, String> metadata = spec.metadata();
        return metadata != null && "true".equals(metadata.get(FRONT_DOOR_KEY));
    }

    /**
     * Whether {@code spec} can be generated in chunks: a prompt or message list that a continuation
     * can extend. A front-door task can: its client reads the chunks as one stream.
     */
    static boolean chunkable(TaskSpec spec) {
        String format = formatOf(spec);
        if (!format.equals(COMPLETION_REQUEST)) {
            return true;
        }
        try {
            return JSON.readTree(spec.input()).path("prompt").isTextual();
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /** Whether {@code spec} goes to {@code /v1/chat/completions} (else {@code /v1/completions}). */
    static boolean isChat(TaskSpec spec) {
        String format = formatOf(spec);
        return format.equals(MESSAGES) || format.equals(CHAT_REQUEST);
    }

    /**
     * The streaming request body for {@code spec} at {@code priority}. Streaming is forced on and
     * usage asked for in the last chunk, so the engine counts tokens as they come.
     */
    static byte[] body(TaskSpec spec, int priority, String priorityField) throws JsonProcessingException {
        return JSON.writeValueAsBytes(request(spec, priority, priorityField));
    }

    /**
     * The most tokens {@code spec} may generate in all: its {@code max_tokens}, else the request
     * body's own {@code max_tokens} or {@code max_completion_tokens}; null when nothing bounds it.
     */
    static Integer tokenLimit(TaskSpec spec) throws JsonProcessingException {
        if (spec.maxTokens() != null) {
            return spec.maxTokens();
        }
        String format = formatOf(spec);
        if (format.equals(CHAT_REQUEST) || format.equals(COMPLETION_REQUEST)) {
            JsonNode body = JSON.readTree(spec.input());
            for (String field : new String[] {"max_tokens", "max_completion_tokens"}) {
                if (body.path(field).canConvertToInt() && body.path(field).asInt() > 0) {
                    return body.path(field).asInt();
                }
            }
        }
        return null;
    }

    /**
     * One chunk of a chunked generation (decision 0027): the request, asking for at most
     * {@code maxTokens}, continuing after {@code sofar}, the text generated by the chunks before.
     * A prompt is extended by it; a chat gets it as a final assistant message to continue
     * (vLLM's {@code continue_final_message}; servers without it start a new reply).
     */
    static byte[] chunk(TaskSpec spec, int priority, String priorityField, String sofar, int maxTokens)
            throws JsonProcessingException {
        ObjectNode body = request(spec, priority, priorityField);
        body.remove("max_completion_tokens");
        body.put("max_tokens", maxTokens);
        if (!sofar.isEmpty()) {
            if (isChat(spec)) {
                body.withArray("messages").addObject().put("role", "assistant").put("content", sofar);
                body.put("continue_final_message", true);
                body.put("add_generation_prompt", false);
            } else if (body.path("prompt").isTextual()) {
                body.put("prompt", body.get("prompt").asText() + sofar);
            }
        }
        return JSON.writeValueAsBytes(body);
    }

    private static ObjectNode request(TaskSpec spec, int priority, String priorityField) throws JsonProcessingException {
        String format = formatOf(spec);
        ObjectNode body;
        switch (format) {
            case CHAT_REQUEST, COMPLETION_REQUEST -> body = (ObjectNode) BODY.readTree(spec.input());
            case MESSAGES -> {
                body = JSON.createObjectNode();
                body.set("messages", BODY.readTree(spec.input()));
            }
            default -> {
                body = JSON.createObjectNode();
                body.put("prompt", spec.input());
            }
        }
        body.put("model", spec.model());
        for (String field : WHOLE_NUMBER_FIELDS) { // 2.0, accepted as 2, goes on as 2: a strict server refuses a decimal
            JsonNode value = body.get(field);
            java.util.OptionalInt whole = value == null || !value.isFloatingPointNumber() ? java.util.OptionalInt.empty()
                    : wholeNumber(value, Integer.MIN_VALUE, Integer.MAX_VALUE);
            if (whole.isPresent()) { // as the check read it: 0.99999999999999999 is the double 1, not 0
                body.put(field, whole.getAsInt());
            }
        }
        if (spec.maxTokens() != null && !body.hasNonNull("max_tokens") && !body.hasNonNull("max_completion_tokens")) {
            body.put("max_tokens", spec.maxTokens());
        }
        body.put("stream", true);
        JsonNode options = body.get("stream_options");
        ObjectNode streamOptions = options instanceof ObjectNode o ? o : body.putObject("stream_options");
        streamOptions.put("include_usage", true);
        if (priorityField != null) {
            body.put(priorityField, priority);
        }
        return body;
    }
}
