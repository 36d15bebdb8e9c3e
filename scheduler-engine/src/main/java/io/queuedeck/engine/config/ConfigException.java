package io.queuedeck.engine.config;

import java.util.List;

/**
 * A config file that cannot be used, with every problem found in it, each on its own line naming
 * the file, the exact key path and the line: {@code queuedeck.yaml: clients[1].max_priority must
 * be between 0 and 9, got 12 (line 12)}.
 */
public final class ConfigException extends IllegalArgumentException {
    private final List<String> problems;

    ConfigException(String problem) {
        this(List.of(problem));
    }

    ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem, in the order of their lines in the file. */
    public List<String> problems() {
        return problems;
    }
}
