package io.queuedeck.engine.control.plane;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A config text with its top-level {@code policy} block replaced, the rest of the file (its
 * comments too) as written: how a policy switch made outside the config (the console's header)
 * becomes a version of it.
 */
final class PolicyText {
    private PolicyText() {}

    /** {@code text} with {@code policy: {name, parameters}}; the block is added at the end when it had none. */
    static String withPolicy(String text, String name, Map<String, String> parameters) {
        List<String> block = new ArrayList<>();
        block.add("policy:");
        block.add("  name: " + name);
        if (parameters.isEmpty()) {
            block.add("  parameters: {}");
        } else {
            block.add("  parameters:");
            parameters.forEach((key, value) -> block.add("    " + key + ": " + quoted(value)));
        }
        List<String> lines = new ArrayList<>(io.queuedeck.engine.config.ConfigChange.editable(text).lines().toList());
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("policy:")) {
                start = i;
                break;
            }
        }
        if (start < 0) {
            lines.add("");
            lines.addAll(block);
        } else {
            int end = start + 1; // the block runs to the next line at column 0 (a key, or a comment before one)
            while (end < lines.size() && (lines.get(end).isEmpty() || lines.get(end).startsWith(" ") || lines.get(end).startsWith("\t"))) {
                end++;
            }
            while (end > start + 1 && lines.get(end - 1).isBlank()) {
                end--; // keep the blank lines that part the sections
            }
            lines.subList(start, end).clear();
            lines.addAll(start, block);
        }
        return String.join("\n", lines) + "\n";
    }

    private static String quoted(String value) {
        return value.matches("[A-Za-z0-9_.-]+") ? value : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
