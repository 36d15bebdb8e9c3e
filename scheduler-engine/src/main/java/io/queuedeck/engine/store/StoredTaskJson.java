package io.queuedeck.engine.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A {@link StoredTask} as the JSON every store keeps: text in Redis, UTF-8 bytes in the embedded files. */
final class StoredTaskJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder().addModule(new JavaTimeModule()).build();

    private StoredTaskJson() {}

    static String encode(StoredTask task) {
        try {
            return MAPPER.writeValueAsString(task);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] toBytes(StoredTask task) {
        try {
            return MAPPER.writeValueAsBytes(task);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws IllegalArgumentException when {@code json} is not a task record */
    static StoredTask fromBytes(byte[] json) {
        try {
            return MAPPER.readValue(json, StoredTask.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException when {@code json} is not a task record */
    static StoredTask decode(String json) {
        try {
            return MAPPER.readValue(json, StoredTask.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
