package io.queuedeck.engine.store;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis CPU per finished record the Redis store writes, with the finished index (decision 0071) and
 * without (the same records with no expiry), alternating in one run on one server. Not part of the
 * test suite (no Test suffix): run with -Dtest=RedisIndexCostBench.
 */
class RedisIndexCostBench {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();

    @Test
    void measure() {
        try (RedisClient client = RedisClient.create(REDIS.uri()); StatefulRedisConnection<String, String> raw = client.connect()) {
            int n = 40_000, batch = 100;
            for (int round = 0; round < 6; round++) {
                boolean indexed = round % 2 == 1;
                try (TaskStore store = RedisTaskStore.open(REDIS.uri(), "bench" + round)) {
                    double before = cpu(raw);
                    for (int from = 0; from < n; from += batch) {
                        List<StoreWrite> writes = new ArrayList<>(batch);
                        for (int i = from; i < from + batch; i++) {
                            StoredTask t = TaskStoreContract.task("r" + round + "-" + i, TaskState.SUCCEEDED,
                                    indexed ? Instant.parse("2026-12-05T00:00:00Z").plusMillis(i) : null);
                            writes.add(new StoreWrite.PutTask(new StoredTask(t.id(), t.spec(), t.state(), t.priority(),
                                    round * 1_000_000L + i, t.rank(), t.outputTokens(), t.attempts(), t.error(), t.output(),
                                    t.expiresAt(), false, t.arrivedAt(), null, null)));
                        }
                        store.write(writes);
                    }
                    double after = cpu(raw);
                    System.out.printf("BENCH round=%d %s redis_cpu_us_per_record=%.2f%n", round,
                            indexed ? "finished(putf, indexed)" : "baseline(put, no expiry)", (after - before) * 1e6 / n);
                }
            }
        }
    }

    private static double cpu(StatefulRedisConnection<String, String> raw) {
        double total = 0;
        for (String line : raw.sync().info("cpu").split("\r?\n")) {
            if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
                total += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return total;
    }
}
