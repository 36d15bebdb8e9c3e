package io.queuedeck.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ApiServer;
import io.queuedeck.engine.api.ClientPolicy;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.control.PriorityRule;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.control.RuleSet;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.testing.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Priority rules in distributed mode (decision 0121): the node a task arrives at classifies it, as
 * a single engine does, capped by its client's allowance; the node that claims it keeps the
 * priority and the rule that chose it. A real redis-server; the REST API of the node of arrival.
 */
class SharedPriorityRulesTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final AtomicInteger QUEUES = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String CAPPED = "capped-token-0123456789abcdef0123456789";
    private static final String FREE = "free-token-0123456789abcdef0123456789ab";
    private static final RuleSet RULES = new RuleSet(List.of(
            new PriorityRule("payments", Set.of("pay"), null, null, null, null, 1)));

    private final String queue = "rules" + QUEUES.incrementAndGet();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private SharedQueue arrival;
    private ApiServer api;

    @BeforeEach
    void start() {
        Engine engine = Engine.builder().classifier(new ReleaseClassifier(RULES)).build();
        engine.start();
        opened.add(engine);
        arrival = SharedQueue.redis(REDIS.uri(), queue, "arrival", Duration.ofMinutes(5), 3, Duration.ofHours(1));
        opened.add(arrival);
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        opened.add(thread::shutdownNow);
        ClusterNode node = ClusterNode.builder(engine, arrival, thread).build(); // takes submissions, claims nothing
        api = ApiServer.builder(engine).port(0).intake(node::submit)
                .client(CAPPED, new ClientPolicy("capped", 3, 0, 0)).client(FREE, new ClientPolicy("free", 0, 0, 0))
                .build().start();
        opened.add(api);
    }

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private HttpResponse<String> submit(String token, String id, String businessClass) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api.baseUri() + "/v1/tasks"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"task_id\":\"" + id + "\",\"model\":\"" + Engine.Builder.DEFAULT_MODEL
                        + "\",\"input\":\"hi\",\"business_class\":\"" + businessClass + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTaskWithoutPriority_isQueuedAtItsRulesPriority_andTheClaimingNodeKeepsTheRule() throws Exception {
        assertThat(submit(FREE, "pay-1", "pay").statusCode()).isEqualTo(202);
        assertThat(submit(FREE, "other-1", "reports").statusCode()).isEqualTo(202);

        assertThat(arrival.task("pay-1")).containsEntry("prio", "1");
        assertThat(new ClusterTasks(arrival).find("pay-1").orElseThrow().priorityRule()).isEqualTo("payments"); // GET on any node
        assertThat(arrival.task("other-1")).containsEntry("prio", String.valueOf(TaskSpec.DEFAULT_PRIORITY));
        assertThat(submit(FREE, "pay-1", "pay").statusCode()).as("the same request again").isEqualTo(200);

        // a node without rules of its own claims it: the rule that chose its priority is still told
        Engine runner = Engine.builder().build();
        runner.start();
        opened.add(runner);
        SharedQueue shared = SharedQueue.redis(REDIS.uri(), queue, "runner", Duration.ofMinutes(5), 3, Duration.ofHours(1));
        opened.add(shared);
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        opened.add(thread::shutdownNow);
        ClusterNode node = ClusterNode.builder(runner, shared, thread).build().start();
        opened.add(node);
        await().atMost(Duration.ofSeconds(10)).until(() -> runner.send(new Command.FindTask("pay-1")).join().isPresent());
        Optional<TaskView> claimed = runner.send(new Command.FindTask("pay-1")).join();
        assertThat(claimed.orElseThrow().priority()).isEqualTo(1);
        assertThat(claimed.orElseThrow().spec().classification().rule()).isEqualTo("payments");
    }

    @Test
    void aClientWithAPriorityCap_getsTheRulesChoiceCappedAtIt() throws Exception {
        assertThat(submit(CAPPED, "pay-capped", "pay").statusCode()).isEqualTo(202);

        assertThat(arrival.task("pay-capped")).containsEntry("prio", "3");
    }
}
