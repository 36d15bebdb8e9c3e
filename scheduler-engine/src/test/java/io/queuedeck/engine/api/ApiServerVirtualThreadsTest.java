package io.queuedeck.engine.api;

import org.junit.jupiter.api.Nested;

/** Every endpoint, error shape and body refusal again, with requests on virtual threads (serve's default on JDK 24+). */
class ApiServerVirtualThreadsTest {
    @Nested
    class Endpoints extends ApiServerTest {
        @Override
        ApiServer.Builder configure(ApiServer.Builder builder) {
            return builder.virtualThreads();
        }
    }

    @Nested
    class Bodies extends ApiServerBodyTest {
        @Override
        ApiServer.Builder configure(ApiServer.Builder builder) {
            return builder.virtualThreads();
        }
    }
}
