package io.queuedeck.engine.exec.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Repairs a backend's chunk whose strings escape half a UTF-16 pair ({@code "\ud800"}): valid JSON,
 * which no strict reader takes as text, and which the API refuses from its own clients. It reached
 * the task's output, its listing and its callback, and a front-door client's stream. Each such half
 * becomes U+FFFD, as invalid UTF-8 from a backend already does.
 */
final class LoneSurrogates {
    private LoneSurrogates() {}

    /** {@code data}, or the same JSON with U+FFFD for each escaped half pair; unparsable data as it is. */
    static String repaired(String data) {
        if (data.indexOf("\\u") < 0) {
            return data; // nearly every chunk: an escape is the only way a half pair gets here
        }
        try {
            JsonNode node = OpenAiInput.JSON.readTree(data);
            return node != null && repair(node) ? node.toString() : data;
        } catch (JsonProcessingException notJson) {
            return data; // the reader of the chunk says what is wrong with it
        }
    }

    /** Whether anything in {@code node} was repaired. */
    private static boolean repair(JsonNode node) {
        boolean changed = false;
        if (node instanceof ObjectNode object) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            object.fields().forEachRemaining(fields::add);
            for (Map.Entry<String, JsonNode> field : fields) {
                String name = wellFormed(field.getKey());
                JsonNode value = field.getValue();
                if (value instanceof TextNode text && !wellFormed(text.textValue()).equals(text.textValue())) {
                    value = TextNode.valueOf(wellFormed(text.textValue()));
                    changed = true;
                } else {
                    changed |= repair(value);
                }
                if (!name.equals(field.getKey())) {
                    object.remove(field.getKey());
                    changed = true;
                }
                object.set(name, value);
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i) instanceof TextNode text && !wellFormed(text.textValue()).equals(text.textValue())) {
                    array.set(i, TextNode.valueOf(wellFormed(text.textValue())));
                    changed = true;
                } else {
                    changed |= repair(array.get(i));
                }
            }
        }
        return changed;
    }

    /** {@code text} with U+FFFD for each surrogate that is not half of a pair. */
    static String wellFormed(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (out != null) {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (out == null) {
                    out = new StringBuilder(text.length()).append(text, 0, i);
                }
                out.append('\uFFFD');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }
}
