package io.queuedeck.engine.config;

/**
 * A config file that cannot be used, with one message naming the file and the exact key path:
 * {@code queuedeck.yaml: clients[1].max_priority must be between 0 and 9, got 12}.
 */
public final class ConfigException extends IllegalArgumentException {
    ConfigException(String message) {
        super(message);
    }
}
