package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Per-tenant submission rates: the limiter on a hand-moved clock, then the real server. */
class TenantRateTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(42 * SECOND);
    private Engine engine;

    @BeforeEach
    void start() {
        engine = Engine.builder().snapshotInterval(Duration.ofMillis(20)).build();
        engine.start();
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private static String task(String id, String tenant) {
        return "{\"task_id\":\"" + id + "\",\"model\":\"llama-2-7b\",\"input\":\"hi\",\"max_tokens\":4"
                + (tenant == null ? "" : ",\"tenant\":\"" + tenant + "\"") + "}";
    }

    // ---------------------------------------------------------------- the limiter, on a fake clock

    @Test
    void limiter_burstThenRefillAtTheRate() {
        TenantLimiter limiter = new TenantLimiter(Map.of("acme", new RateLimit(2, 3)), null, now::get);

        assertThat(limiter.acquire("acme", 1)).isZero();
        assertThat(limiter.acquire("acme", 2)).isZero();
        assertThat(limiter.acquire("acme", 1)).as("burst of 3 spent: wait 1 s at 2/s").isEqualTo(1);

        now.addAndGet(SECOND / 2); // half a second at 2/s: one submission back
        assertThat(limiter.acquire("acme", 1)).isZero();
        assertThat(limiter.acquire("acme", 2)).as("2 more need 1 s at 2/s").isEqualTo(1);

        now.addAndGet(10 * SECOND); // a long pause refills only up to the burst
        assertThat(limiter.acquire("acme", 3)).isZero();
        assertThat(limiter.acquire("acme", 1)).isEqualTo(1);
    }

    @Test
    void limiter_slowRate_retryAfterRoundsUpToWholeSeconds() {
        TenantLimiter limiter = new TenantLimiter(Map.of("slow", new RateLimit(0.25, 1)), null, now::get);

        assertThat(limiter.acquire("slow", 1)).isZero();
        assertThat(limiter.acquire("slow", 1)).isEqualTo(4);
        now.addAndGet(3 * SECOND);
        assertThat(limiter.acquire("slow", 1)).isEqualTo(1);
        now.addAndGet(SECOND);
        assertThat(limiter.acquire("slow", 1)).isZero();
    }

    @Test
    void limiter_defaultRate_givesEachUnlistedTenantItsOwnBucket() {
        TenantLimiter limiter = new TenantLimiter(Map.of("big", new RateLimit(100, 100)), new RateLimit(1, 1), now::get);

        assertThat(limiter.acquire("a", 1)).isZero();
        assertThat(limiter.acquire("b", 1)).as("b does not share a's bucket").isZero();
        assertThat(limiter.acquire("a", 1)).isEqualTo(1);
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.acquire("big", 1)).isZero();
        }
        assertThat(new TenantLimiter(Map.of(), null, now::get).acquire("anyone", 1000)).isZero();
    }

    @Test
    void limiter_manyQuietTenants_areSweptAway() {
        TenantLimiter limiter = new TenantLimiter(Map.of(), new RateLimit(1, 1), now::get);
        for (int i = 0; i < TenantLimiter.SWEEP_AT; i++) {
            limiter.acquire("t" + i, 1);
        }
        now.addAndGet(SECOND); // every bucket full again

        assertThat(limiter.acquire("newcomer", 1)).isZero();
        assertThat(limiter.acquire("newcomer", 1)).as("the newcomer's bucket survived the sweep").isEqualTo(1);
    }

    @Test
    void limiter_manyBusyTenants_neverHoldsMoreThanItsCap() {
        TenantLimiter limiter = new TenantLimiter(Map.of(), new RateLimit(0.001, 5), now::get); // refills take hours
        for (int i = 0; i < TenantLimiter.MAX_BUCKETS + 5_000; i++) {
            limiter.acquire("t" + i, 1);
            if (limiter.buckets() > TenantLimiter.MAX_BUCKETS) {
                throw new AssertionError("buckets grew to " + limiter.buckets());
            }
        }
    }

    @Test
    void batch_refusedForOneTenant_costsTheOtherTenantsNothing() {
        try (ApiServer server = ApiServer.builder(engine).port(0).tenantRate("a", new RateLimit(0.001, 2))
                .tenantRate("b", new RateLimit(0.001, 1)).build().start()) {
            Http http = new Http(server.baseUri());
            assertThat(http.post("/v1/tasks", task("b1", "b")).status()).isEqualTo(202); // b's one token is gone

            Http.Response refused = http.post("/v1/tasks:batch", "{\"tasks\":[" + task("a1", "a") + "," + task("a2", "a") + ","
                    + task("b2", "b") + "]}");

            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.errorField()).isEqualTo("tasks[2].tenant");
            assertThat(http.post("/v1/tasks:batch", "{\"tasks\":[" + task("a1", "a") + "," + task("a2", "a") + "]}").status())
                    .as("a's two tokens were given back").isEqualTo(200);
        }
    }

    @Test
    void builder_refusesASecondRateForATenant_andBadRates() {
        ApiServer.Builder builder = ApiServer.builder(engine).tenantRate("acme", new RateLimit(1, 1));

        assertThatThrownBy(() -> builder.tenantRate("acme", new RateLimit(2, 2)))
                .isInstanceOf(IllegalStateException.class).hasMessage("tenant 'acme' was already given a rate");
        assertThatThrownBy(() -> new RateLimit(0, 1)).hasMessage("requests per second must be above 0, got 0.0");
        assertThatThrownBy(() -> new RateLimit(1, 0)).hasMessage("burst must be at least 1, got 0");
    }

    // ---------------------------------------------------------------- the real server

    @Test
    void submit_tenantOverItsRate_is429WithRetryAfter_thenAcceptedAfterWaiting() {
        try (ApiServer server = ApiServer.builder(engine).port(0).tenantRate("acme", new RateLimit(2, 2)).build().start()) {
            Http http = new Http(server.baseUri());
            assertThat(http.post("/v1/tasks", task("a1", "acme")).status()).isEqualTo(202);
            assertThat(http.post("/v1/tasks", task("a2", "acme")).status()).isEqualTo(202);

            Http.Response limited = http.post("/v1/tasks", task("a3", "acme"));

            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.errorCode()).isEqualTo("tenant_rate_limited");
            assertThat(limited.errorField()).isEqualTo("tenant");
            assertThat(limited.json().path("error").path("message").asText())
                    .isEqualTo("tenant 'acme' is over its rate of 2 submissions/s (burst 2); retry in 1 s");
            assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(limited.body()).doesNotContain("Exception").doesNotContain("at io.");
            assertThat(http.post("/v1/tasks", task("other", "globex")).status()).as("other tenants unaffected").isEqualTo(202);
            assertThat(http.post("/v1/tasks", task("none", null)).status()).as("no tenant, no tenant rate").isEqualTo(202);

            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> http.post("/v1/tasks", task("a3", "acme")).status() == 202);
        }
    }

    @Test
    void batch_takesOneSubmissionPerTask_andNamesTheTenantsFirstTask() {
        try (ApiServer server = ApiServer.builder(engine).port(0).defaultTenantRate(new RateLimit(0.5, 3)).build().start()) {
            Http http = new Http(server.baseUri());
            String two = "{\"tasks\":[" + task("b1", "acme") + "," + task("b2", "beta") + "," + task("b3", "acme") + "]}";
            assertThat(http.post("/v1/tasks:batch", two).status()).isEqualTo(200);

            Http.Response limited = http.post("/v1/tasks:batch",
                    "{\"tasks\":[" + task("b4", "beta") + "," + task("b5", "acme") + "," + task("b6", "acme") + "]}");

            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.errorCode()).isEqualTo("tenant_rate_limited");
            assertThat(limited.errorField()).isEqualTo("tasks[1].tenant");
            assertThat(limited.headers().firstValue("Retry-After")).hasValue("2");

            Http.Response tooBig = http.post("/v1/tasks:batch", "{\"tasks\":[" + task("c1", "z") + "," + task("c2", "z") + ","
                    + task("c3", "z") + "," + task("c4", "z") + "]}");
            assertThat(tooBig.status()).isEqualTo(400);
            assertThat(tooBig.errorField()).isEqualTo("tasks[0].tenant");
        }
    }
}
