package io.queuedeck.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ApiServer;
import io.queuedeck.engine.api.ClientPolicy;
import io.queuedeck.engine.api.Scope;
import io.queuedeck.engine.cluster.ClusterTasks;
import io.queuedeck.engine.cluster.SharedQueue;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;

/**
 * Decision 0075 in distributed mode, on a real redis-server: a bound client's ids are read in its
 * tenant's namespace in the shared queue too, and another tenant's task answers as an unknown one.
 * Node "b" stands for another process holding the tasks.
 */
class SharedTenantIdsTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACME = "acme-token-0123456789abcdef0123456789abc";
    private static final String GLOBEX = "globex-token-0123456789abcdef0123456789a";

    private Engine engine;
    private SharedQueue a;
    private SharedQueue b;
    private ApiServer server;

    @BeforeEach
    void start() {
        engine = Engine.builder().build();
        engine.start();
        a = SharedQueue.redis(REDIS.uri(), "ids", "a", Duration.ofMinutes(5), 3, Duration.ofHours(1));
        b = SharedQueue.redis(REDIS.uri(), "ids", "b", Duration.ofMinutes(5), 3, Duration.ofHours(1));
        EnumSet<Scope> all = EnumSet.of(Scope.SUBMIT, Scope.READ, Scope.OPERATE);
        server = ApiServer.builder(engine).port(0).sharedTasks(new ClusterTasks(a))
                .client(ACME, ClientPolicy.scoped("acme-app", "acme", all))
                .client(GLOBEX, ClientPolicy.scoped("globex-app", "globex", all))
                .build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
        a.close();
        b.close();
    }

    private HttpResponse<String> send(String token, String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUri() + path))
                .header("Authorization", "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static TaskSpec spec(String tenant) {
        return new TaskSpec(null, "m", "secret of " + tenant, 5, null, tenant, null, null, 8, null, null);
    }

    @Test
    void boundClients_readAndCancelInTheirNamespace_anotherTenantsIdIsUnknown() throws Exception {
        b.enqueue("acme:order-1", spec("acme"));
        b.enqueue("globex:order-1", spec("globex"));
        b.enqueue("plain", spec("acme")); // an id an unbound client chose for acme

        HttpResponse<String> acmeOwn = send(ACME, "GET", "/v1/tasks/order-1");
        HttpResponse<String> globexOwn = send(GLOBEX, "GET", "/v1/tasks/order-1");
        HttpResponse<String> acmePlain = send(ACME, "GET", "/v1/tasks/plain");
        HttpResponse<String> theirs = send(GLOBEX, "GET", "/v1/tasks/acme:order-1");
        HttpResponse<String> ghost = send(GLOBEX, "GET", "/v1/tasks/acme:order-2");
        HttpResponse<String> theirPlain = send(GLOBEX, "GET", "/v1/tasks/plain");
        HttpResponse<String> globexCancelsAcmes = send(GLOBEX, "DELETE", "/v1/tasks/acme:order-1");

        assertThat(JSON.readTree(acmeOwn.body()).path("task_id").asText()).isEqualTo("acme:order-1");
        assertThat(JSON.readTree(globexOwn.body()).path("task_id").asText()).isEqualTo("globex:order-1");
        assertThat(JSON.readTree(acmePlain.body()).path("task_id").asText()).isEqualTo("plain");
        assertThat(theirs.statusCode()).isEqualTo(404);
        assertThat(theirs.body()).doesNotContain("secret").isEqualTo(ghost.body().replace("order-2", "order-1"));
        assertThat(theirPlain.statusCode()).isEqualTo(404);
        assertThat(globexCancelsAcmes.statusCode()).isEqualTo(404);
        assertThat(a.task("acme:order-1").get("state")).isEqualTo("waiting");

        HttpResponse<String> cancelled = send(ACME, "DELETE", "/v1/tasks/order-1");
        JsonNode listed = JSON.readTree(send(GLOBEX, "GET", "/v1/tasks?id=order-1").body());

        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(a.task("acme:order-1").get("state")).isEqualTo("cancelled");
        assertThat(listed.path("tasks")).hasSize(1);
        assertThat(listed.path("tasks").get(0).path("task_id").asText()).isEqualTo("globex:order-1");
    }
}
