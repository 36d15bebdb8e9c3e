package io.queuedeck.engine.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A new version of a running config, checked whole before anything of it applies: it must be a
 * valid config file, and it may change only the sections that apply while the engine runs
 * ({@link #RELOADABLE}). Every problem is listed with its key path and line (decision 0032).
 */
public final class ConfigChange {
    /** The top-level sections a running engine takes without a restart. */
    public static final List<String> RELOADABLE = List.of("policy", "priority_rules");
    private static final YAMLMapper YAML = new YAMLMapper();

    private ConfigChange() {}

    /**
     * Reads {@code text} as the next version of {@code running}.
     *
     * @param name   how messages name the text (the file, or {@code PUT /v1/config})
     * @param folder what relative paths in it are resolved against
     * @throws ConfigException with every problem: the file's own, and each change to a section that
     *                         needs a restart
     */
    public static ServeConfig read(String name, String text, Path folder, Function<String, String> env, ServeConfig running) {
        ServeConfig next = ConfigReader.read(name, text, folder, env);
        Problems problems;
        try (JsonParser parser = YAML.createParser(text)) {
            problems = Problems.of(name, parser);
        } catch (IOException e) { // it was just read: cannot happen
            throw new ConfigException(name + ": " + e.getMessage());
        }
        compare(problems, "server", running.server(), next.server());
        compare(problems, "engine", running.engine(), next.engine());
        compare(problems, "executor", running.executor(), next.executor());
        compare(problems, "clients", running.clients(), next.clients());
        compare(problems, "tenants", running.tenants(), next.tenants());
        compare(problems, "callbacks", running.callbacks(), next.callbacks());
        compare(problems, "store", running.store(), next.store());
        problems.throwIfAny();
        return next;
    }

    /** One problem per changed key of a record section; one for the whole of a list or map section. */
    private static void compare(Problems problems, String section, Object was, Object now) {
        if (was instanceof Record && now instanceof Record && was.getClass() == now.getClass()) {
            for (RecordComponent c : was.getClass().getRecordComponents()) {
                Object a = value(c, was);
                Object b = value(c, now);
                if (!same(a, b)) {
                    String key = section + "." + snake(c.getName());
                    boolean secret = c.getName().equals("secret");
                    problems.add(key, "cannot change while the engine runs" + (secret ? "" : " (" + shown(a) + " → " + shown(b) + ")")
                            + "; restart to apply it (reloadable: " + String.join(", ", RELOADABLE) + ")");
                }
            }
        } else if (!same(was, now)) {
            problems.add(section, "cannot change while the engine runs; restart to apply it (reloadable: "
                    + String.join(", ", RELOADABLE) + ")");
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

    private static String shown(Object value) {
        return value == null ? "default" : value instanceof java.util.Collection<?> c && c.isEmpty() ? "none" : value.toString();
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT)
                .replace("max_in_flight", "max_inflight").replace("redis_uri", "uri");
    }
}
