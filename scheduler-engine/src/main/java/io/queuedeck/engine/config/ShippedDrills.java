package io.queuedeck.engine.config;

import io.queuedeck.engine.drill.Drill;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The drills shipped in {@code resources/drills/} (inside the jar under {@code queuedeck/drills/}).
 * A jar cannot be listed, so the names are kept here; ShippedDrillsTest checks they match the files.
 */
public final class ShippedDrills {
    private static final List<String> NAMES = List.of("gpu-crash-under-load", "hung-gpu", "slow-gpu", "kv-exhaustion",
            "callback-outage", "burst-3x", "poison-storm", "priority-inversion", "store-full",
            "redis-outage", "tenant-flood", "gpu-flap", "oom-large-prompts", "preemption-storm",
            "preemption-storm-mlfq", "backend-5xx-and-stall");

    private ShippedDrills() {}

    /** The shipped drills' names (file names without {@code .yaml}), in the order of docs/faults.md. */
    public static List<String> names() {
        return NAMES;
    }

    /** The text of shipped drill {@code name}. */
    public static String text(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("name: no shipped drill '" + name + "'; shipped: " + NAMES);
        }
        try (InputStream in = ShippedDrills.class.getResourceAsStream("/queuedeck/drills/" + name + ".yaml")) {
            if (in == null) {
                throw new IllegalStateException("queuedeck/drills/" + name + ".yaml is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Shipped drill {@code name}, read. */
    public static Drill read(String name) {
        return DrillReader.read(name + ".yaml", text(name));
    }
}
