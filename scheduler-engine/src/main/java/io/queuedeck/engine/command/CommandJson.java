package io.queuedeck.engine.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The stable JSON form of a {@link Command.Change}: one object with the format version
 * {@code "v"}, the command's {@code "type"} and its fields in snake_case, for example
 * {@code {"v":1,"type":"cancel","task_id":"t-1"}}. What a journal writes and replays; a
 * change of shape gets a new version, and readers refuse versions they do not know.
 */
public final class CommandJson {
    /** The version this code writes and reads. */
    public static final int VERSION = 1;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private CommandJson() {}

    /** One line of JSON for {@code change}. */
    public static String write(Command.Change<?> change) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("v", VERSION);
        node.setAll((ObjectNode) MAPPER.valueToTree(change));
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + change, e);
        }
    }

    /**
     * The change {@code json} holds.
     *
     * @throws IllegalArgumentException if it is not JSON, has another version, or is no known change
     */
    public static Command.Change<?> read(String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (!(node instanceof ObjectNode object)) {
                throw new IllegalArgumentException("a command must be a JSON object, got: " + json);
            }
            JsonNode version = object.remove("v");
            if (version == null || !version.canConvertToInt() || version.intValue() != VERSION) {
                throw new IllegalArgumentException("command format version must be " + VERSION + ", got "
                        + (version == null ? "none" : version.toString()));
            }
            return MAPPER.treeToValue(object, Command.Change.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a command: " + e.getOriginalMessage(), e);
        }
    }
}
