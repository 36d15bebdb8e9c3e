package io.queuedeck.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * docs/configuration.md, the default file and the reader say the same: every key of the default
 * file is in the doc's table, every key of the table is written in the default file (set or shown
 * in a comment), and each section accepts exactly the keys the table lists for it.
 */
class ConfigurationDocTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md");
    /** A table row's first cell: {@code | `server.port` | …}. */
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9_.\\[\\]<>]+)` \\|", Pattern.MULTILINE);
    private static final Pattern KNOWN = Pattern.compile("known here: ([a-z0-9_, ]+)\\)");

    @TempDir
    Path dir;

    private static Set<String> documented() throws Exception {
        Set<String> keys = new TreeSet<>();
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int start = doc.indexOf("\n## Keys\n");
        assertThat(start).as("the doc has a Keys section").isNotNegative();
        int end = doc.indexOf("\n## ", start + 1);
        // only the Keys table: the planned sections' table names keys no version reads yet
        Matcher m = ROW.matcher(doc.substring(start, end < 0 ? doc.length() : end));
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }

    @Test
    void everyKeyOfTheDefaultFile_isDocumented() throws Exception {
        JsonNode root = new YAMLMapper().readTree(Files.readString(ServeConfigTest.DEFAULT_FILE));
        Set<String> inFile = new TreeSet<>();
        leaves(root, "", inFile);

        assertThat(inFile).isNotEmpty();
        assertThat(documented()).containsAll(inFile);
    }

    @Test
    void everyDocumentedKey_isWrittenInTheDefaultFile_setOrInAComment() throws Exception {
        String file = Files.readString(ServeConfigTest.DEFAULT_FILE);
        Set<String> sections = new TreeSet<>();
        new YAMLMapper().readTree(file).fieldNames().forEachRemaining(sections::add);

        for (String key : documented()) {
            String[] parts = key.replace("[]", "").split("\\.");
            assertThat(sections).as(key + ": its section is in the default file").contains(parts[0]);
            String last = parts[parts.length - 1];
            if (!last.startsWith("<")) {
                assertThat(Pattern.compile("^[ #]*(- )?" + Pattern.quote(last) + ":", Pattern.MULTILINE).matcher(file).find())
                        .as(key + " is written in the default file").isTrue();
            }
        }
    }

    /** Each section's keys as the reader knows them (from its refusal of an unknown key), against the doc's table. */
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                          | bogus: 1
            server.                     | server: {bogus: 1}
            engine.                     | engine: {bogus: 1}
            executor.                   | executor: {bogus: 1}
            policy.                     | policy: {bogus: 1}
            clients[].                  | clients: [{name: a, token_env: T, bogus: 1}]
            tenants.                    | tenants: {bogus: 1}
            tenants.default.            | tenants: {default: {requests_per_second: 1, bogus: 1}}
            tenants.rates.<tenant>.     | tenants: {rates: {acme: {requests_per_second: 1, bogus: 1}}}
            tiers.<tier>.               | tiers: {core: {bogus: 1}}
            tiers.<tier>.max_queue.     | tiers: {core: {max_queue: {bogus: 1}}}
            tiers.<tier>.retries.       | tiers: {core: {retries: {bogus: 1}}}
            callbacks.                  | callbacks: {bogus: 1}
            store.                      | store: {bogus: 1}
            store.node.                 | store: {type: redis, uri: 'redis://h:1', node: {name: a, bogus: 1}}
            priority_rules[].           | priority_rules: [{name: a, priority: 1, bogus: 1}]
            priority_rules[].match.     | priority_rules: [{name: a, priority: 1, match: {bogus: 1}}]
            alerts.                     | alerts: {bogus: 1}
            """)
    void everySection_acceptsExactlyTheDocumentedKeys(String prefix, String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("q.yaml"), yaml);
        String known = null;
        try {
            ServeConfig.load(file, Map.of("T", "t".repeat(32))::get);
        } catch (ConfigException e) {
            for (String problem : e.problems()) {
                Matcher m = KNOWN.matcher(problem);
                if (problem.contains("bogus is not a known setting") && m.find()) {
                    known = m.group(1);
                }
            }
        }
        assertThat(known).as("refusal of the unknown key in " + yaml).isNotNull();
        Set<String> documentedHere = new LinkedHashSet<>();
        for (String key : documented()) {
            if (key.startsWith(prefix)) {
                String rest = key.substring(prefix.length());
                documentedHere.add(rest.split("[.\\[]")[0]);
            }
        }
        assertThat(List.of(known.split(", "))).containsExactlyInAnyOrderElementsOf(documentedHere);
    }

    /** Key paths of the values set in {@code node}: list entries as {@code []}, empty lists and mappings as keys. */
    private static void leaves(JsonNode node, String path, Set<String> out) {
        if (node.isObject() && !node.isEmpty()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                leaves(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), out);
            }
        } else if (node.isArray() && !node.isEmpty() && node.get(0).isObject()) {
            node.forEach(entry -> leaves(entry, path + "[]", out));
        } else if (!node.isNull()) {
            out.add(path);
        }
    }
}
