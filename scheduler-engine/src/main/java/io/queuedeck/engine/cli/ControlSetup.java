package io.queuedeck.engine.cli;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.control.plane.ConfigPlane;
import io.queuedeck.engine.control.plane.ConfigWatcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/** {@code serve}'s control plane: the running config's versions over the API, and the watched config file. */
final class ControlSetup {
    private ControlSetup() {}

    /**
     * The plane over the config file as written (flags are not part of it: a reload compares file
     * with file, so a {@code --port} flag is not a change).
     *
     * @param file the config file, or null for the built-in defaults (then nothing is watched)
     */
    static ConfigPlane plane(Engine engine, ReleaseClassifier classifier, Path file, Function<String, String> env,
                             String defaultPolicy) {
        String text = file == null ? ServeConfig.defaultText() : io.queuedeck.engine.config.ConfigFiles.read(file);
        ServeConfig asWritten = file == null ? ServeConfig.defaults(env) : ServeConfig.load(file, env);
        Path folder = file == null ? Path.of("").toAbsolutePath() : file.toAbsolutePath().getParent();
        return new ConfigPlane(engine, classifier, asWritten, text, file == null ? "built-in defaults" : file.toString(),
                folder, env, defaultPolicy);
    }

    /** Watches {@code file} for changes; null when there is no file. */
    static ConfigWatcher watch(ConfigPlane plane, Path file) {
        if (file == null) {
            return null;
        }
        try {
            return ConfigWatcher.start(plane, file, Thread.ofPlatform().name("queuedeck-config-watch").daemon().factory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch the config file " + file, e);
        }
    }
}
