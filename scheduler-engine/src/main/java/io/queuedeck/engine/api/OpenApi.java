package io.queuedeck.engine.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The OpenAPI document of this API, served at {@code /v1/openapi.json}; docs/api/openapi.json is a copy. */
final class OpenApi {
    static final String RESOURCE = "/io/queuedeck/engine/api/openapi.json";
    private static final byte[] DOCUMENT = load();

    private OpenApi() {}

    static byte[] document() {
        return DOCUMENT;
    }

    private static byte[] load() {
        try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
