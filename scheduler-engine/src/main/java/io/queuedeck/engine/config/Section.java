package io.queuedeck.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One mapping of the YAML tree with its key path: reads typed values, each checked with a message
 * naming the path, and {@link #finish()} refuses any key that was not read.
 */
final class Section {

    private final Problems problems;
    private final String path;
    private final JsonNode node;
    private final Set<String> known = new LinkedHashSet<>();
    /** Keys that are read no more, with what to write instead. */
    private final Map<String, String> retired = new LinkedHashMap<>();

    private Section(Problems problems, String path, JsonNode node) {
        this.problems = problems;
        this.path = path;
        this.node = node;
    }

    /** The section at {@code path}, or null (with a problem noted) when {@code node} is not a mapping. */
    static Section of(Problems problems, String path, JsonNode node) {
        if (!node.isObject()) {
            problems.add(path.isEmpty() ? "the file" : path, "must be a mapping of keys to values, got " + shown(node));
            return null;
        }
        return new Section(problems, path, node);
    }

    /** This section's own key path ({@code clients[1]}). */
    String path() {
        return path;
    }

    String at(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Notes a problem at key path {@code at}; reading goes on, so every problem of a file is reported at once. */
    void problem(String at, String message) {
        problems.add(at, message);
    }

    /** Problems noted so far in the whole file: a reader compares counts to see whether its part was clean. */
    int problemCount() {
        return problems.count();
    }

    /** What a key written {@code null} ({@code name:} or {@code name: ~}) is told (decision 0139). */
    static final String NULL_VALUE = "must not be null: give it a value or leave the key out";

    /**
     * The value under {@code key}, or null when absent; marks the key as known. A key written null
     * is a problem, not a key left out: {@code policy: {name: }} ran the default policy, and
     * {@code scopes:} gave a client every scope.
     */
    JsonNode raw(String key) {
        known.add(key);
        JsonNode value = node.get(key);
        if (value != null && value.isNull()) {
            problems.add(at(key), NULL_VALUE); // told once however often it is read (Problems keeps each once)
            return null;
        }
        return value;
    }

    String string(String key) {
        JsonNode value = raw(key);
        if (value == null) {
            return null;
        }
        if (!value.isValueNode() || value.asText().isBlank()) {
            return invalid(at(key), "must be a non-empty string, got " + shown(value));
        }
        if (!value.isTextual()) {
            return invalid(at(key), notText(value));
        }
        return value.asText();
    }

    /**
     * An unquoted {@code on}, {@code no} or {@code 0042} where text is meant: YAML makes it true,
     * false or 34, so two tenants named {@code on} and {@code yes} became one tenant "true".
     */
    private static String notText(JsonNode value) {
        return "must be text, got " + (value.isBoolean() ? "the boolean " : "the number ") + value.asText()
                + ": YAML reads an unquoted on, off, yes, no, true or false as a boolean and digits as a number;"
                + " write it in quotes";
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
            return invalid(at(key), "must be a whole number between " + min + " and " + max + ", got " + shown(value));
        }
        long n = value.asLong();
        if (n < min || n > max) {
            return invalid(at(key), "must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }

    /** {@code true} or {@code false}. */
    Boolean flag(String key) {
        JsonNode value = raw(key);
        if (value == null) {
            return null;
        }
        if (!value.isBoolean()) {
            return invalid(at(key), "must be true or false, got " + shown(value));
        }
        return value.asBoolean();
    }

    /** A number above 0 (for rates). */
    Double positive(String key) {
        JsonNode value = raw(key);
        if (value == null) {
            return null;
        }
        if (!value.isNumber() || !(value.asDouble() > 0) || Double.isInfinite(value.asDouble())) {
            return invalid(at(key), "must be a number above 0, got " + shown(value));
        }
        return value.asDouble();
    }

    /** A number above 0 and at most 1 (a share of a limit). */
    Double fraction(String key) {
        JsonNode value = raw(key);
        if (value == null) {
            return null;
        }
        if (!value.isNumber() || !(value.asDouble() > 0) || value.asDouble() > 1) {
            return invalid(at(key), "must be a number above 0 and at most 1, got " + shown(value));
        }
        return value.asDouble();
    }

    /** {@code 500ms}, {@code 2s}, {@code 1.5m}, {@code 1h}. */
    Duration duration(String key) {
        JsonNode value = raw(key);
        if (value == null) {
            return null;
        }
        Optional<Duration> parsed;
        try {
            parsed = value.isTextual() ? DurationText.parse(value.asText()) : Optional.empty();
        } catch (ArithmeticException e) { // beyond about 292 years in nanoseconds
            return invalid(at(key), "is too long, got " + shown(value));
        }
        return parsed.orElseGet(() -> invalid(at(key), "must be a duration such as 500ms, 2s, 1m or 1h, got " + shown(value)));
    }

    /** As {@link #duration(String)}, at most {@code max} (a longer one is a problem, and reads as {@code max}). */
    Duration duration(String key, Duration max) {
        Duration value = duration(key);
        if (value != null && value.compareTo(max) > 0) {
            problem(at(key), "must be at most " + max.toHours() + "h, got " + shown(raw(key)));
            return max;
        }
        return value;
    }

    List<String> strings(String key) {
        JsonNode value = raw(key);
        if (value == null) {
            return null;
        }
        if (!value.isArray()) {
            return invalid(at(key), "must be a list, got " + shown(value));
        }
        List<String> list = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isValueNode() || item.isNull() || item.asText().isBlank()) {
                return invalid(at(key) + "[" + i + "]", "must be a non-empty string, got " + shown(item));
            }
            if (!item.isTextual()) {
                return invalid(at(key) + "[" + i + "]", notText(item));
            }
            list.add(item.asText());
        }
        return list;
    }

    /** Whether {@code key} is written at all, with a value or null: "is required" is no answer to a null (it is told). */
    boolean has(String key) {
        known.add(key);
        return node.has(key);
    }

    /**
     * The mapping under {@code key}, or null when absent (or not a mapping: a problem). A heading with
     * nothing under it ({@code engine:} above its keys commented out, as the shipped file has it) is
     * an empty section, not a null value: it sets nothing, as {@code engine: {}} does.
     */
    Section section(String key) {
        known.add(key);
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? null : of(problems, at(key), value);
    }

    /** The mappings listed under {@code key}; an entry that is not a mapping is a problem and left out. */
    List<Section> sections(String key) {
        JsonNode value = raw(key);
        if (value == null) {
            return List.of();
        }
        if (!value.isArray()) {
            problems.add(at(key), "must be a list, got " + shown(value));
            return List.of();
        }
        List<Section> list = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            Section entry = of(problems, at(key) + "[" + i + "]", value.get(i));
            if (entry != null) {
                list.add(entry);
            }
        }
        return list;
    }

    /** This mapping's keys in the file's order (free keys such as tier names; a reader still reads each). */
    List<String> keys() {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    /** Every entry of a mapping whose keys are names (tenants), as sections. */
    Map<String, Section> named(String key) {
        Section inner = section(key);
        return inner == null ? Map.of() : inner.entries();
    }

    /** Every entry of this mapping, in the file's order, as sections (entries that are no mapping are problems). */
    Map<String, Section> entries() {
        Section inner = this;
        Map<String, Section> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = inner.node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            inner.known.add(entry.getKey());
            Section named = of(problems, inner.at(entry.getKey()), entry.getValue());
            if (named != null) {
                map.put(entry.getKey(), named);
            }
        }
        return map;
    }

    /** Every scalar entry of a mapping whose keys are free (policy parameters), as text. */
    Map<String, String> texts(String key) {
        Section inner = section(key);
        if (inner == null) {
            return null;
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = inner.node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = entry.getKey();
            inner.known.add(name);
            JsonNode value = entry.getValue();
            if (value.isNull()) {
                problems.add(inner.at(name), NULL_VALUE);
            } else if (!value.isValueNode()) {
                problems.add(inner.at(name), "must be a number or a word, got " + shown(value));
            } else {
                map.put(name, value.asText());
            }
        }
        return map;
    }

    /** A key that is refused with {@code instead} as the advice (moved, or planned and not read yet). */
    void retired(String key, String instead) {
        retired.put(key, instead);
    }

    /** Refuses every key that no reader asked for. */
    void finish() {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (retired.containsKey(key)) {
                problems.add(at(key), retired.get(key));
            } else if (!known.contains(key)) {
                problems.add(at(key), "is not a known setting (known here: " + String.join(", ", known) + ")");
            }
        }
    }

    /** Notes a problem and reads the value as absent. */
    private <T> T invalid(String at, String message) {
        problems.add(at, message);
        return null;
    }

    static String shown(JsonNode value) {
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
