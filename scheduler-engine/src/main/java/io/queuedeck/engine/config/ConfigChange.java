package io.queuedeck.engine.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A new version of a running config, checked whole before anything of it applies: it must be a
 * valid config file, and it may change only the sections that apply while the engine runs
 * ({@link #RELOADABLE}). Every problem is listed with its key path and line (decision 0032).
 */
public final class ConfigChange {
    /** The top-level sections a running engine takes without a restart. */
    public static final List<String> RELOADABLE = List.of("policy", "priority_rules", "tiers", "tenants.weights", "alerts");
    private static final YAMLMapper YAML = new YAMLMapper();

    private ConfigChange() {}

    /**
     * {@code text} in a form whose top-level sections can be replaced line by line (a policy switch,
     * the console's alerts form): a text whose top level is a flow mapping, as a JSON body of
     * {@code PUT /v1/config} is, is written out again in block style; any other text is returned as
     * it is, comments and all. A section written after a flow mapping made the text invalid.
     */
    public static String editable(String text) {
        String first = text.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")
                && !line.equals("---")).findFirst().orElse("");
        if (!first.startsWith("{")) {
            return text;
        }
        try {
            JsonNode root = YAML.readTree(text);
            if (root == null || !root.isObject()) {
                return text;
            }
            return BLOCK.writeValueAsString(root);
        } catch (IOException e) {
            return text; // not YAML at all: the change that follows says so with its line
        }
    }

    private static final YAMLMapper BLOCK = YAMLMapper.builder()
            .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build();

    /**
     * Reads {@code text} as the next version of {@code running}.
     *
     * @param name   how messages name the text (the file, or {@code PUT /v1/config})
     * @param folder what relative paths in it are resolved against
     * @throws ConfigException with every problem: the file's own, and each change to a section that
     *                         needs a restart
     */
    public static ServeConfig read(String name, String text, Path folder, Function<String, String> env, ServeConfig running) {
        return read(name, text, folder, env, running, null);
    }

    /**
     * As {@link #read(String, String, Path, Function, ServeConfig)}; when {@code text} has problems
     * of its own, its changes to sections that need a restart are listed too, found by comparing it
     * key by key with {@code runningText} (null: not compared), so one refusal names everything.
     */
    public static ServeConfig read(String name, String text, Path folder, Function<String, String> env, ServeConfig running,
                                   String runningText) {
        return read(name, text, folder, env, running, runningText, false);
    }

    /**
     * Reads {@code text}, a version kept from before a restart, against {@code file}, the config file
     * the engine has just started with. As {@link #read(String, String, Path, Function, ServeConfig)},
     * but a setting that needs a restart and differs is told as what it is at start-up: the file's,
     * which was changed while that version ran. ("cannot change while the engine runs; restart to
     * apply it" was said at the restart itself.)
     *
     * @throws ConfigException with every problem: the text's own, and each such setting
     */
    public static ServeConfig readKept(String name, String text, Path folder, Function<String, String> env, ServeConfig file) {
        return read(name, text, folder, env, file, null, true);
    }

    private static ServeConfig read(String name, String text, Path folder, Function<String, String> env, ServeConfig running,
                                    String runningText, boolean atStart) {
        ServeConfig next;
        try {
            next = ConfigReader.read(name, text, folder, env);
        } catch (ConfigException e) {
            Map<String, String> textual = runningText == null ? Map.of() : textualChanges(name, text, runningText);
            if (textual.isEmpty()) {
                throw e;
            }
            List<String> all = new ArrayList<>(e.problems());
            for (Map.Entry<String, String> change : textual.entrySet()) { // a key whose value is wrong is told that, not also that it needs a restart
                String key = change.getKey();
                if (e.problems().stream().noneMatch(p -> p.startsWith(name + ": " + key + " ") || p.startsWith(name + ": " + key + "."))) {
                    all.add(change.getValue());
                }
            }
            if (all.size() == e.problems().size()) {
                throw e;
            }
            throw new ConfigException(all);
        }
        Problems problems;
        try (JsonParser parser = YAML.createParser(text)) {
            problems = Problems.of(name, parser);
        } catch (IOException e) { // it was just read: cannot happen
            throw new ConfigException(name + ": " + e.getMessage());
        }
        Wording wording = atStart ? Wording.AT_START : Wording.LIVE;
        compare(problems, "server", running.server(), next.server(), wording);
        compare(problems, "engine", running.engine(), next.engine(), wording);
        compare(problems, "executor", running.executor(), next.executor(), wording);
        compare(problems, "clients", running.clients(), next.clients(), wording);
        compare(problems, "tenants", running.tenants(), next.tenants(), wording);
        compare(problems, "callbacks", running.callbacks(), next.callbacks(), wording);
        compare(problems, "store", running.store(), next.store(), wording);
        // tiers and tenants.weights apply on the loop (decision 0050); the tier table itself at a restart (decision 0061)
        if (!running.flow().table().equals(next.flow().table())) {
            problems.add("tiers", atStart ? "the tier table is " + next.flow().table() + " here but "
                    + running.flow().table() + " in the config file, and a setting that needs a restart is the file's at start-up"
                    : "the tier table (names, order, priorities) cannot change while the engine runs ("
                    + running.flow().table() + " → " + next.flow().table() + "): tasks, paused tiers and counters are"
                    + " kept by tier; restart to apply it (limits of the same tiers reload live)");
        }
        problems.throwIfAny();
        // what the text leaves out of the sections that need a restart still runs as it did: say so
        return new ServeConfig(kept(running.server(), next.server()), kept(running.engine(), next.engine()),
                kept(running.executor(), next.executor()), next.policy(), next.clients(), kept(running.tenants(), next.tenants()),
                kept(running.callbacks(), next.callbacks()), kept(running.store(), next.store()), next.flow(),
                next.priorityRules());
    }

    /** A key not given: null, or an empty list or map (which is how the reader gives an absent one). */
    private static boolean leftOut(Object value) {
        return value == null || value instanceof java.util.Collection<?> c && c.isEmpty() || value instanceof Map<?, ?> m && m.isEmpty();
    }

    /** {@code now} with every component it leaves out taken from {@code was}. */
    @SuppressWarnings("unchecked")
    private static <T extends Record> T kept(T was, T now) {
        RecordComponent[] components = was.getClass().getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            Object given = value(components[i], now);
            values[i] = leftOut(given) ? value(components[i], was) : given;
            types[i] = components[i].getType();
        }
        try {
            return (T) was.getClass().getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Each key of a non-reloadable section written differently in {@code text} than in
     * {@code runningText}, with its problem; none if either is not YAML.
     */
    private static Map<String, String> textualChanges(String name, String text, String runningText) {
        JsonNode was;
        JsonNode now;
        Problems problems;
        try (JsonParser parser = YAML.createParser(text)) {
            was = YAML.readTree(runningText);
            now = YAML.readTree(text);
            problems = Problems.of(name, parser);
        } catch (IOException e) {
            return Map.of();
        }
        if (was == null || now == null || !was.isObject() || !now.isObject()) {
            return Map.of();
        }
        Map<String, String> changes = new TreeMap<>();
        for (String section : List.of("server", "engine", "executor", "clients", "tenants", "callbacks", "store")) {
            Map<String, JsonNode> a = new TreeMap<>();
            Map<String, JsonNode> b = new TreeMap<>();
            flatten(was.get(section), section, a);
            flatten(now.get(section), section, b);
            Set<String> keys = new TreeSet<>(a.keySet());
            keys.addAll(b.keySet());
            for (String key : keys) {
                boolean reloads = key.equals("tenants.weights") || key.startsWith("tenants.weights.");
                if (!reloads && b.containsKey(key) && !Objects.equals(a.get(key), b.get(key))) {
                    changes.put(key, problems.said(key, "cannot change while the engine runs; restart to apply it (reloadable: "
                            + String.join(", ", RELOADABLE) + ")"));
                }
            }
        }
        return changes;
    }

    /** Leaf key paths of a tree; lists are compared whole. */
    private static void flatten(JsonNode node, String path, Map<String, JsonNode> out) {
        if (node == null || node.isNull()) {
            return;
        }
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> flatten(e.getValue(), path + "." + e.getKey(), out));
        } else if (!(node.isArray() && node.isEmpty())) {
            out.put(path, node);
        }
    }

    /** How a setting that needs a restart and differs is told: as a live change, or as the file's at start-up. */
    private enum Wording {
        LIVE, AT_START;

        String of(String key, Object was, Object now, boolean secret) {
            if (this == AT_START) { // at a restart "restart to apply it" asked for what had just happened
                return (secret ? "differs from the config file's" : "is " + shown(now) + " here but " + shown(was) + " in the config file")
                        + ", and a setting that needs a restart is the file's at start-up";
            }
            return "cannot change while the engine runs" + (secret || key == null ? "" : " (" + shown(was) + " → " + shown(now) + ")")
                    + "; restart to apply it (reloadable: " + String.join(", ", RELOADABLE) + ")";
        }
    }

    /** One problem per changed key of a record section; one for the whole of a list or map section. */
    private static void compare(Problems problems, String section, Object was, Object now, Wording wording) {
        if (was instanceof Record && now instanceof Record && was.getClass() == now.getClass()) {
            for (RecordComponent c : was.getClass().getRecordComponents()) {
                Object a = value(c, was);
                Object b = value(c, now);
                if (!leftOut(b) && !same(a, b)) { // a key left out changes nothing: the running value stays
                    String key = section + "." + snake(c.getName());
                    problems.add(key, wording.of(key, a, b, c.getName().equals("secret")));
                }
            }
        } else if (!same(was, now)) { // a list (clients): told whole, without its values (tokens)
            problems.add(section, wording == Wording.AT_START ? "differ from the config file's, and a setting that needs a"
                    + " restart is the file's at start-up" : wording.of(null, was, now, true));
        }
    }

    private static Object value(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean same(Object a, Object b) {
        return a instanceof byte[] x && b instanceof byte[] y ? Arrays.equals(x, y) : Objects.equals(a, b);
    }

    /** A value as the file writes it: backends by their URLs, never a record's own text (it named which had keys). */
    private static String shown(Object value) {
        return switch (value) {
            case null -> "default";
            case java.util.Collection<?> c when c.isEmpty() -> "none";
            case java.util.List<?> l when l.getFirst() instanceof io.queuedeck.engine.exec.openai.Backend ->
                    l.stream().map(b -> (io.queuedeck.engine.exec.openai.Backend) b).map(b -> b.baseUrl() + " (" + b.slots() + " slots)").toList().toString();
            case io.queuedeck.engine.task.TenantByteShares shares -> shares.fallback()
                    + (shares.own().isEmpty() ? "" : ", own " + new java.util.TreeMap<>(shares.own()));
            default -> value.toString();
        };
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT)
                .replace("max_in_flight", "max_inflight").replace("redis_uri", "uri")
                .replace("byte_shares", "max_queued_share");
    }
}
