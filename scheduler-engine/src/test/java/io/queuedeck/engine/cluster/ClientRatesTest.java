package io.queuedeck.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.api.ApiServer;
import io.queuedeck.engine.api.ClientPolicy;
import io.queuedeck.engine.fault.TcpFaultProxy;
import io.queuedeck.engine.testing.RedisServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client's {@code requests_per_second} across nodes (decision 0120): two nodes' REST APIs over one
 * real redis-server, a client sending to both as fast as it can, the sum within one bucket.
 */
class ClientRatesTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final AtomicInteger QUEUES = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String TOKEN = "a-token-long-enough-for-the-config-rules-0123456789";

    private final String queue = "clients" + QUEUES.incrementAndGet();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private SharedQueue queue(String node) {
        SharedQueue q = SharedQueue.redis(REDIS.uri(), queue, node, Duration.ofMinutes(5), 3, Duration.ofHours(1));
        opened.add(q);
        return q;
    }

    /** A node's REST API with one client at {@code rate} requests/s, its rate counted in {@code shared}. */
    private ApiServer node(SharedQueue shared, double rate, int burst) {
        Engine engine = Engine.builder().build();
        engine.start();
        opened.add(engine);
        ApiServer server = ApiServer.builder(engine).port(0).client(TOKEN, new ClientPolicy("acme-app", 0, rate, burst))
                .sharedTasks(new ClusterTasks(shared)).build().start();
        opened.add(server);
        return server;
    }

    private static HttpResponse<String> get(ApiServer server) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUri() + "/v1/queues"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aClientSendingToTwoNodes_getsItsRateOnce_notOncePerNode() throws Exception {
        double rate = 5;
        int burst = 5;
        List<ApiServer> nodes = List.of(node(queue("a"), rate, burst), node(queue("b"), rate, burst));
        int served = 0, limited = 0;
        long start = System.nanoTime();
        for (int i = 0; System.nanoTime() - start < Duration.ofSeconds(2).toNanos(); i++) {
            HttpResponse<String> answer = get(nodes.get(i % 2));
            if (answer.statusCode() == 200) {
                served++;
            } else {
                assertThat(answer.statusCode()).isEqualTo(429);
                assertThat(answer.body()).contains("rate_limited");
                assertThat(Long.parseLong(answer.headers().firstValue("Retry-After").orElseThrow())).isEqualTo(1);
                limited++;
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;

        // each node alone would have let burst + rate × elapsed through: together they let that through once
        assertThat(served).isLessThanOrEqualTo((int) Math.ceil(burst + rate * elapsed));
        assertThat(served).isGreaterThanOrEqualTo(burst + (int) rate);
        assertThat(limited).isPositive();
    }

    @Test
    void aRefusalAcrossTheCluster_saysSo_andTheBucketRefillsOnRedissClock() throws Exception {
        SharedQueue shared = queue("a");
        ApiServer server = node(shared, 0.5, 1);
        // another node took the only token: this node's own bucket is full, the cluster's empty
        assertThat(shared.takeRequest("acme-app", 0.5, 1)).isZero();

        HttpResponse<String> refused = get(server);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).contains("over its rate of 0.5 requests/s across the cluster's nodes");
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 2L);
        assertThat(shared.takeRequest("acme-app", 0.5, 1)).isBetween(1L, 2_000L); // the refusal took no token
    }

    /** A Redis that holds its answers (a partition without a reset) costs a request half a second, not ten. */
    @Test
    void aStalledRedis_holdsARequestUpHalfASecond_thenThisNodesOwnBucketCounts() throws Exception {
        try (TcpFaultProxy proxy = new TcpFaultProxy(new InetSocketAddress("127.0.0.1", REDIS.port()),
                Thread.ofVirtual().factory())) {
            SharedQueue shared = SharedQueue.redis("redis://127.0.0.1:" + proxy.port(), queue, "a", Duration.ofMinutes(5), 3,
                    Duration.ofHours(1));
            opened.add(shared);
            ApiServer server = node(shared, 0.01, 1);
            proxy.set(new TcpFaultProxy.Toxics(0, 0, 0, true, false, false)); // bytes held, nothing answered

            long start = System.nanoTime();
            assertThat(get(server).statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(400), Duration.ofSeconds(3));
            assertThat(get(server).statusCode()).isEqualTo(429); // this node's own bucket: one request, then 0.01/s
            proxy.set(TcpFaultProxy.Toxics.NONE);
        }
    }

    @Test
    void whileRedisCannotBeReached_thisNodesOwnBucketCounts() throws Exception {
        SharedQueue shared = queue("a");
        ApiServer server = node(shared, 0.01, 2);
        REDIS.kill();
        try {
            assertThat(get(server).statusCode()).isEqualTo(200);
            assertThat(get(server).statusCode()).isEqualTo(200);
            HttpResponse<String> third = get(server);
            assertThat(third.statusCode()).isEqualTo(429);
            assertThat(third.body()).contains("over its rate of 0.01 requests/s\"");
        } finally {
            REDIS.start();
        }
    }
}
