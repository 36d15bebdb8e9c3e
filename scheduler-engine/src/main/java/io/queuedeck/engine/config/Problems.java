package io.queuedeck.engine.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything wrong with one config file, each problem with its key path and the line it is on:
 * {@code queuedeck.yaml: clients[1].max_priority must be between 0 and 9, got 12 (line 12)}.
 */
final class Problems {
    private final String file;
    private final Map<String, Integer> lines;
    private final List<Found> found = new ArrayList<>();

    /** One problem; {@code line} is {@link Integer#MAX_VALUE} when it has none. */
    private record Found(int line, String message) {}

    private Problems(String file, Map<String, Integer> lines) {
        this.file = file;
        this.lines = lines;
    }

    /**
     * Collects the problems of {@code text}, whose key paths are found on their lines by reading it
     * once more as a stream of tokens: Jackson's tree keeps no positions.
     */
    static Problems of(String file, JsonParser parser) throws IOException {
        Map<String, Integer> lines = new HashMap<>();
        if (parser.nextToken() != null) {
            walk(parser, "", lines);
        }
        return new Problems(file, lines);
    }

    void add(String at, String message) {
        Integer line = lineOf(at);
        found.add(new Found(line == null ? Integer.MAX_VALUE : line, said(at, message)));
    }

    /** The problem {@code message} at {@code at} as {@link #add} words it, with its line; nothing is added. */
    String said(String at, String message) {
        Integer line = lineOf(at);
        // a key is the file's text: a 900 KB key made a 3.6 MB refusal, written to the log too
        String shown = at.length() <= 100 ? at : at.substring(0, 100) + "…";
        return file + ": " + shown + " " + message + (line == null ? "" : " (line " + line + ")");
    }

    int count() {
        return found.size();
    }

    /** Every problem found so far, in the order of their lines, each once (a key read by several sections is told once). */
    List<String> messages() {
        return found.stream().sorted(Comparator.comparingInt(Found::line)).map(Found::message).distinct().toList();
    }

    /** Throws every problem found, if there is one, in the order of their lines (the order found within a line). */
    void throwIfAny() {
        if (!found.isEmpty()) {
            throw new ConfigException(messages());
        }
    }

    /** The line of {@code at}, else of the nearest enclosing key (a missing key is reported at its section). */
    private Integer lineOf(String at) {
        String path = at;
        while (!path.isEmpty()) {
            Integer line = lines.get(path);
            if (line != null) {
                return line;
            }
            int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
            path = cut < 0 ? "" : path.substring(0, cut);
        }
        return null;
    }

    /** Records the line of every key and list entry under the value at the parser's current token. */
    private static void walk(JsonParser p, String path, Map<String, Integer> lines) throws IOException {
        JsonToken token = p.currentToken();
        if (token == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = path.isEmpty() ? p.currentName() : path + "." + p.currentName();
                lines.putIfAbsent(key, p.currentTokenLocation().getLineNr());
                p.nextToken();
                walk(p, key, lines);
            }
        } else if (token == JsonToken.START_ARRAY) {
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String entry = path + "[" + i++ + "]";
                lines.putIfAbsent(entry, p.currentTokenLocation().getLineNr());
                walk(p, entry, lines);
            }
        }
    }
}
