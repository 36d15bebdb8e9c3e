package io.queuedeck.engine.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;

/**
 * A YAML text as the readers take it: its tree, and the line of every key for their messages. A
 * key given twice is an error, not a silent overwrite.
 *
 * @param root     the document's root; null or missing for an empty text
 * @param problems where a reader collects problems with their key paths and lines
 */
record YamlText(JsonNode root, Problems problems) {
    private static final YAMLMapper YAML = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    /**
     * @param name how messages name the text
     * @param what what it is, for the message when it cannot be read ("config file", "drill file")
     * @throws ConfigException when it is not valid YAML, naming the line and column
     */
    static YamlText parse(String name, String text, String what) {
        try {
            refuseWhatWouldReadOtherwise(name, text);
            JsonNode root = YAML.readTree(text);
            try (JsonParser parser = YAML.createParser(text)) {
                return new YamlText(root, Problems.of(name, parser));
            }
        } catch (JsonProcessingException e) {
            // a limit of the reader (nesting too deep, a document too long) has no location
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + keyPath(e);
            throw new ConfigException(name + ": not valid YAML" + where + ": " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException("cannot read " + what + " " + name + ": " + e.getMessage());
        }
    }

    /** " (key a.b.c)" for the key whose value could not be read (such as {@code .nan}), or "". */
    private static String keyPath(JsonProcessingException e) {
        if (!(e.getProcessor() instanceof JsonParser parser) || parser.getParsingContext() == null) {
            return "";
        }
        String pointer = parser.getParsingContext().pathAsPointer().toString();
        return pointer.isEmpty() ? "" : " (key " + shown(pointer.substring(1).replace('/', '.')) + ")";
    }

    /**
     * Refuses what Jackson would read otherwise than written: an alias (it reads the anchor's name,
     * not its value) and a second document (it reads the first only). Anchors alone are harmless.
     */
    private static void refuseWhatWouldReadOtherwise(String name, String text) throws IOException {
        try (YAMLParser parser = (YAMLParser) YAML.createParser(text)) {
            int depth = 0;
            boolean rootRead = false;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                int line = parser.currentLocation().getLineNr();
                if (rootRead) {
                    throw new ConfigException(name + ": YAML document 2 begins at line " + line + ": a file here is one"
                            + " document; remove the second '---' and what follows, or apply it on its own");
                }
                if (parser.isCurrentAlias()) {
                    String alias = parser.getText();
                    throw new ConfigException(name + ": YAML alias *" + shown(alias)
                            + " at line " + line + " is not read: write the value out (aliases are refused)");
                }
                String tag = parser.getTypeId();
                if (tag != null) { // Jackson reads past a tag as if it were not there
                    throw new ConfigException(name + ": YAML tag !" + shown(tag) + " at line " + line
                            + " is not read: remove it (tags are refused)");
                }
                if (token.isStructStart()) {
                    depth++;
                } else if (token.isStructEnd()) {
                    depth--;
                }
                rootRead = depth == 0;
            }
        }
    }

    private static String shown(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    /** The reader's reason without where in the reader it comes from ("(1000, from `StreamReadConstraints…`)"). */
    private static String firstLine(String message) {
        String line = message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
        java.util.regex.Matcher key = NOT_A_KEY.matcher(line);
        if (key.find()) { // the reader names its parser's event classes
            return "a key must be a plain name, got " + switch (key.group(1)) {
                case "SequenceStart" -> "a list";
                case "MappingStart" -> "a mapping";
                default -> "something else";
            };
        }
        if (message != null && message.contains("that cannot start any token") && message.contains("TAB")) {
            return "a tab where YAML takes only spaces for indentation";
        }
        if (message != null && (message.contains("expected '<document start>'") || message.contains("expected <block end>"))) {
            // what the reader says where a block ended, or went on, by a wrong indent
            return "a key here does not fit the keys around it: check its indent and the lines above it (every key of a"
                    + " section starts in the same column, and nothing follows a mapping written in braces)";
        }
        return line.replaceAll(",? from `[^`]*`", "").strip();
    }

    private static final java.util.regex.Pattern NOT_A_KEY =
            java.util.regex.Pattern.compile("^Expected a field name .*got this instead: <[\\w.]*\\.(\\w+?)Event");
}
