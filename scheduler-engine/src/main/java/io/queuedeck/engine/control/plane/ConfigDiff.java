package io.queuedeck.engine.control.plane;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.config.DurationText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What changed between two config trees, key path by key path (lists compared whole). A key left
 * out of a file has the documented default's value (resources/config/queuedeck.yaml), so a file
 * that leaves out what another spelled at its default changes nothing there.
 */
public final class ConfigDiff {
    /** The documented default, flattened: what a key left out of a file means. */
    private static final Map<String, JsonNode> DEFAULTS = defaults();
    /** Sections in the order a change is told: what decides scheduling first. */
    private static final List<String> FIRST = List.of("policy", "tiers", "priority_rules", "tenants", "alerts");

    private ConfigDiff() {}

    /**
     * One changed key.
     *
     * @param path the key path ({@code policy.name}, {@code priority_rules})
     * @param from its value before, null when it was not set
     * @param to   its value now, null when it is not set any more
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Change(String path, JsonNode from, JsonNode to) {}

    static List<Change> between(JsonNode before, JsonNode after) {
        Map<String, JsonNode> a = new TreeMap<>();
        Map<String, JsonNode> b = new TreeMap<>();
        flatten(before, "", a);
        flatten(after, "", b);
        TreeMap<String, Boolean> paths = new TreeMap<>();
        a.keySet().forEach(k -> paths.put(k, true));
        b.keySet().forEach(k -> paths.put(k, true));
        List<Change> changes = new ArrayList<>();
        for (String path : paths.keySet()) {
            JsonNode x = a.getOrDefault(path, defaultOf(path));
            JsonNode y = b.getOrDefault(path, defaultOf(path));
            if (x == null ? y != null : !same(x, y)) {
                changes.add(new Change(path, x, y));
            }
        }
        changes.sort(java.util.Comparator.comparingInt(ConfigDiff::rank)); // stable: alphabetical within a section
        return changes;
    }

    /** A key's documented default; a tenant's weight, a key of its own, is 1 unless given. */
    private static JsonNode defaultOf(String path) {
        return path.startsWith("tenants.weights.") ? com.fasterxml.jackson.databind.node.IntNode.valueOf(1) : DEFAULTS.get(path);
    }

    private static int rank(Change change) {
        for (int i = 0; i < FIRST.size(); i++) {
            if (change.path().equals(FIRST.get(i)) || change.path().startsWith(FIRST.get(i) + ".")
                    || change.path().startsWith(FIRST.get(i) + "[")) {
                return i;
            }
        }
        return FIRST.size();
    }

    private static Map<String, JsonNode> defaults() {
        try (java.io.InputStream in = ConfigDiff.class.getResourceAsStream(io.queuedeck.engine.config.ServeConfig.DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the default config " + io.queuedeck.engine.config.ServeConfig.DEFAULT_RESOURCE
                        + " is missing from the classpath");
            }
            Map<String, JsonNode> flat = new TreeMap<>();
            flatten(new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(in), "", flat);
            return Map.copyOf(flat);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Equal values, a duration written two ways ({@code 300s}, {@code 5m}) included. */
    private static boolean same(JsonNode x, JsonNode y) {
        if (x.equals(y)) {
            return true;
        }
        if (y != null && x.isNumber() && y.isNumber()) { // 1 and 1.0
            return x.decimalValue().compareTo(y.decimalValue()) == 0;
        }
        if (y == null || !x.isTextual() || !y.isTextual()) {
            return false;
        }
        try {
            Optional<Duration> a = DurationText.parse(x.asText());
            return a.isPresent() && a.equals(DurationText.parse(y.asText()));
        } catch (ArithmeticException e) { // too long to be a config's duration: compared as written
            return false;
        }
    }

    /** A short label for the change: its paths, a few of them. */
    static String label(List<Change> changes) {
        if (changes.isEmpty()) {
            return "no change";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(3, changes.size()); i++) {
            Change c = changes.get(i);
            out.append(i == 0 ? "" : ", ").append(c.path());
            if (c.to() != null && c.to().isValueNode()) {
                out.append(" → ").append(c.to().asText());
            }
        }
        return changes.size() > 3 ? out + " and " + (changes.size() - 3) + " more" : out.toString();
    }

    private static void flatten(JsonNode node, String path, Map<String, JsonNode> out) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        if (node.isObject() && !node.isEmpty()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), out);
            }
        } else if (!(node.isContainerNode() && node.isEmpty())) {
            out.put(path, node); // an empty list or mapping sets nothing, as the key left out
        }
    }
}
