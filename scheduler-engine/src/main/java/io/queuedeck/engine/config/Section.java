package io.queuedeck.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One mapping of the YAML tree with its key path: reads typed values, each checked with a message
 * naming the path, and {@link #finish()} refuses any key that was not read.
 */
final class Section {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");

    private final String file;
    private final String path;
    private final JsonNode node;
    private final Set<String> known = new LinkedHashSet<>();

    Section(String file, String path, JsonNode node) {
        this.file = file;
        this.path = path;
        this.node = node;
        if (!node.isObject()) {
            throw error(path.isEmpty() ? "the file" : path, "must be a mapping of keys to values, got " + shown(node));
        }
    }

    String file() {
        return file;
    }

    /** This section's own key path ({@code clients[1]}). */
    String path() {
        return path;
    }

    String at(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    ConfigException error(String at, String message) {
        return new ConfigException(file + ": " + at + " " + message);
    }

    /** The value under {@code key}, or null when absent or null; marks the key as known. */
    JsonNode raw(String key) {
        known.add(key);
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? null : value;
    }

    String string(String key) {
        JsonNode value = raw(key);
        if (value == null) {
            return null;
        }
        if (!value.isValueNode() || value.asText().isBlank()) {
            throw error(at(key), "must be a non-empty string, got " + shown(value));
        }
        return value.asText();
    }

    Integer integer(String key, int min, int max) {
        Long value = whole(key, min, max);
        return value == null ? null : value.intValue();
    }

    Long whole(String key, long min, long max) {
        JsonNode value = raw(key);
        if (value == null) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw error(at(key), "must be a whole number between " + min + " and " + max + ", got " + shown(value));
        }
        long n = value.asLong();
        if (n < min || n > max) {
            throw error(at(key), "must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }

    /** A number above 0 (for rates). */
    Double positive(String key) {
        JsonNode value = raw(key);
        if (value == null) {
            return null;
        }
        if (!value.isNumber() || !(value.asDouble() > 0) || Double.isInfinite(value.asDouble())) {
            throw error(at(key), "must be a number above 0, got " + shown(value));
        }
        return value.asDouble();
    }

    /** {@code 500ms}, {@code 2s}, {@code 1.5m}, {@code 1h}. */
    Duration duration(String key) {
        JsonNode value = raw(key);
        if (value == null) {
            return null;
        }
        Matcher m = DURATION.matcher(value.isTextual() ? value.asText().trim() : "");
        if (!m.matches()) {
            throw error(at(key), "must be a duration such as 500ms, 2s, 1m or 1h, got " + shown(value));
        }
        BigDecimal amount = new BigDecimal(m.group(1));
        BigDecimal millisPerUnit = BigDecimal.valueOf(switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            default -> 3_600_000;
        });
        try {
            return Duration.ofNanos(amount.multiply(millisPerUnit).multiply(BigDecimal.valueOf(1_000_000)).longValueExact());
        } catch (ArithmeticException e) { // beyond about 292 years in nanoseconds
            throw error(at(key), "is too long, got " + shown(value));
        }
    }

    List<String> strings(String key) {
        JsonNode value = raw(key);
        if (value == null) {
            return null;
        }
        if (!value.isArray()) {
            throw error(at(key), "must be a list, got " + shown(value));
        }
        List<String> list = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isValueNode() || item.isNull() || item.asText().isBlank()) {
                throw error(at(key) + "[" + i + "]", "must be a non-empty string, got " + shown(item));
            }
            list.add(item.asText());
        }
        return list;
    }

    Section section(String key) {
        JsonNode value = raw(key);
        return value == null ? null : new Section(file, at(key), value);
    }

    List<Section> sections(String key) {
        JsonNode value = raw(key);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            throw error(at(key), "must be a list, got " + shown(value));
        }
        List<Section> list = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            list.add(new Section(file, at(key) + "[" + i + "]", value.get(i)));
        }
        return list;
    }

    /** Every entry of a mapping whose keys are names (tenants), as sections. */
    Map<String, Section> named(String key) {
        Section inner = section(key);
        if (inner == null) {
            return Map.of();
        }
        Map<String, Section> map = new java.util.LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = inner.node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            inner.known.add(entry.getKey());
            map.put(entry.getKey(), new Section(file, inner.at(entry.getKey()), entry.getValue()));
        }
        return map;
    }

    /** Refuses the first key that no reader asked for. */
    void finish() {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                throw error(at(key), "is not a known setting (known here: " + String.join(", ", known) + ")");
            }
        }
    }

    private static String shown(JsonNode value) {
        if (value.isObject()) {
            return "a mapping";
        }
        if (value.isArray()) {
            return "a list";
        }
        if (value.isTextual()) {
            String text = value.asText();
            return "'" + (text.length() > 60 ? text.substring(0, 60) + "…" : text) + "'";
        }
        return value.asText();
    }
}
