package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.queuedeck.engine.CompletionFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.callback.CallbackDispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Callback dead letters by scope: a tenant's clients see and replay their own; admin sees all. */
class TenantDeadLettersTest {
    private static final String ACME_READ = "acme-read-token-0123456789abcdef0123456";
    private static final String ACME_OPERATE = "acme-operate-token-0123456789abcdef0123";
    private static final String ACME_SUBMIT = "acme-submit-token-0123456789abcdef01234";
    private static final String ADMIN = "admin-token-0123456789abcdef0123456789ab";

    private ScheduledExecutorService feedThread;
    private Engine engine;
    private CompletionFeed feed;
    private CallbackDispatcher callbacks;
    private ApiServer server;
    private MockWebServer receiver;

    @BeforeEach
    void start() throws Exception {
        receiver = new MockWebServer();
        receiver.start(InetAddress.getLoopbackAddress(), 0);
        for (int i = 0; i < 4; i++) {
            receiver.enqueue(new MockResponse.Builder().code(500).build());
        }
        feedThread = Executors.newSingleThreadScheduledExecutor();
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        callbacks = CallbackDispatcher.builder(engine.clock(), feedThread).maxAttempts(1)
                .allowedHosts(java.util.Set.of("127.0.0.1:" + receiver.getPort(), "localhost:" + receiver.getPort())).build();
        feed = new CompletionFeed(engine, feedThread).onFinished(callbacks::deliver);
        engine.start();
        feed.start(1);
        server = ApiServer.builder(engine).port(0).callbacks(callbacks)
                .client(ACME_READ, ClientPolicy.scoped("acme-read", "acme", EnumSet.of(Scope.READ)))
                .client(ACME_OPERATE, ClientPolicy.scoped("acme-operate", "acme", EnumSet.of(Scope.OPERATE)))
                .client(ACME_SUBMIT, ClientPolicy.scoped("acme-submit", "acme", EnumSet.of(Scope.SUBMIT)))
                .client(ADMIN, ClientPolicy.scoped("admin", null, EnumSet.of(Scope.ADMIN)))
                .build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        feed.close();
        engine.close();
        callbacks.close();
        feedThread.shutdownNow();
        receiver.close();
    }

    private Http as(String token) {
        return new Http(server.baseUri(), token);
    }

    private static List<String> ids(Http.Response response) {
        List<String> ids = new ArrayList<>();
        for (JsonNode letter : response.json().get("dead_letters")) {
            ids.add(letter.get("task_id").asText());
        }
        return ids;
    }

    @Test
    void deadLetters_areShownAndReplayedWithinTheCallersTenant() {
        for (String tenant : List.of("acme", "globex")) {
            assertThat(as(ADMIN).post("/v1/tasks", "{\"task_id\":\"dl-" + tenant + "\",\"model\":\"llama-2-7b\","
                    + "\"input\":\"hi\",\"max_tokens\":4,\"tenant\":\"" + tenant + "\",\"callback_url\":\""
                    + receiver.url("/hook") + "\"}").status()).isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> callbacks.deadLetters().size() == 2);

        assertThat(ids(as(ADMIN).get("/v1/callbacks/dead-letters"))).containsExactlyInAnyOrder("dl-acme", "dl-globex");
        assertThat(ids(as(ACME_READ).get("/v1/callbacks/dead-letters"))).containsExactly("dl-acme");
        assertThat(as(ACME_SUBMIT).get("/v1/callbacks/dead-letters").status()).isEqualTo(403);
        // a filter the list does not have was ignored, and a tenant's filter looked as if it held
        assertThat(as(ADMIN).get("/v1/callbacks/dead-letters?tenant=acme").status()).isEqualTo(400);
        // paged: limit and offset were ignored, and the whole list came back whatever was asked
        JsonNode first = as(ADMIN).get("/v1/callbacks/dead-letters?limit=1").json();
        JsonNode second = as(ADMIN).get("/v1/callbacks/dead-letters?limit=1&offset=" + first.path("next_offset").asInt()).json();
        assertThat(first.path("dead_letters")).hasSize(1);
        assertThat(first.path("total").asInt()).isEqualTo(2);
        assertThat(second.path("dead_letters")).hasSize(1);
        assertThat(second.has("next_offset")).isFalse();
        assertThat(List.of(first.at("/dead_letters/0/task_id").asText(), second.at("/dead_letters/0/task_id").asText()))
                .containsExactlyInAnyOrder("dl-acme", "dl-globex");
        assertThat(as(ADMIN).get("/v1/callbacks/dead-letters?limit=0").errorField()).isEqualTo("limit");
        assertThat(as(ADMIN).get("/v1/callbacks/dead-letters?limit=abc").status()).isEqualTo(400);
        Http.Response theirs = as(ACME_OPERATE).post("/v1/callbacks/dead-letters/dl-globex/replay", "");
        Http.Response unknown = as(ACME_OPERATE).post("/v1/callbacks/dead-letters/dl-nobody/replay", "");
        assertThat(theirs.status()).isEqualTo(404);
        assertThat(theirs.body()).isEqualTo(unknown.body().replace("dl-nobody", "dl-globex"));
        assertThat(as(ACME_READ).post("/v1/callbacks/dead-letters/dl-acme/replay", "").status()).isEqualTo(403);
        assertThat(as(ACME_OPERATE).post("/v1/callbacks/dead-letters/dl-acme/replay", "").status()).isEqualTo(202);
    }
}
