package io.queuedeck.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * A config file written to a fresh folder and loaded, and the problems it is refused for, shared by
 * the config's tests.
 */
abstract class ServeConfigFixture {
    /** The documented default file the repository ships (tests run in scheduler-engine/). */
    static final Path DEFAULT_FILE = Path.of("..", "resources", "config", "queuedeck.yaml");
    static final Map<String, String> ENV = Map.of("QUEUEDECK_TOKEN_INTERACTIVE", "tok-interactive-0123456789abcdef012345",
            "QUEUEDECK_TOKEN_BATCH", "tok-batch-0123456789abcdef0123456789abc", "QUEUEDECK_CALLBACK_SECRET", "s3cret");

    @TempDir
    Path dir;

    Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("queuedeck.yaml"), yaml, StandardCharsets.UTF_8);
    }

    ServeConfig load(String yaml) throws Exception {
        return ServeConfig.load(write(yaml), ENV::get);
    }

    /** The one problem of {@code yaml}, without the file's name and the line (tests of lines are below). */
    String refusal(String yaml) throws Exception {
        List<String> problems = problems(yaml);
        assertThat(problems).as("problems of:\n" + yaml).hasSize(1);
        return problems.getFirst().replaceFirst(" \\(line \\d+\\)$", "");
    }

    /** Every problem of {@code yaml}, each without the file's name. */
    List<String> problems(String yaml) throws Exception {
        Path file = write(yaml);
        try {
            ServeConfig.load(file, ENV::get);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems()));
            return e.problems().stream().peek(p -> assertThat(p).startsWith(file + ": "))
                    .map(p -> p.substring(file.toString().length() + 2)).toList();
        }
        throw new AssertionError("loaded without complaint:\n" + yaml);
    }
}
