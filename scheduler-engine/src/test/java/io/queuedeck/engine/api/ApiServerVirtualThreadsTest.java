package io.queuedeck.engine.api;

/** Every endpoint and error shape again, with requests on virtual threads (serve's default on JDK 24+). */
class ApiServerVirtualThreadsTest extends ApiServerTest {
    @Override
    ApiServer.Builder configure(ApiServer.Builder builder) {
        return builder.virtualThreads();
    }
}
