package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A started engine and its REST API on a free port, with a plain HTTP client, shared by the API
 * server's tests: started before each test, closed after it.
 */
abstract class ApiServerFixture {
    static final String TASK = "{\"task_id\":\"%s\",\"model\":\"llama-2-7b\",\"input\":\"hello\",\"priority\":%d,\"max_tokens\":16}";

    Engine engine;
    ApiServer server;
    Http http;

    @BeforeEach
    void start() {
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        engine.start();
        server = configure(ApiServer.builder(engine).port(0)).build().start();
        http = new Http(server.baseUri());
    }

    /** Subclasses run every test on another configuration of the same API. */
    ApiServer.Builder configure(ApiServer.Builder builder) {
        return builder;
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
    }

    static String task(String id, int priority) {
        return TASK.formatted(id, priority);
    }

    static void assertMalformed(Http.Response response, String field, String ending) {
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorCode()).isEqualTo("malformed_json");
        assertThat(response.json().at("/error/message").asText()).endsWith(ending);
        if (field == null) {
            assertThat(response.json().path("error").has("field")).isFalse();
        } else {
            assertThat(response.json().at("/error/field").asText()).isEqualTo(field);
        }
    }
}
