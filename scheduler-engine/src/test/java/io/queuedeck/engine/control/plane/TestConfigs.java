package io.queuedeck.engine.control.plane;

import io.queuedeck.engine.config.ServeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Config texts read as files are, for tests. */
final class TestConfigs {
    private TestConfigs() {}

    static ServeConfig parse(String text) {
        try {
            Path file = Files.createTempFile("queuedeck", ".yaml");
            try {
                Files.writeString(file, text);
                return ServeConfig.load(file, Map.<String, String>of()::get);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
