package io.queuedeck.engine.cli;

import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.CompletionFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.cluster.ClusterNode;
import io.queuedeck.engine.cluster.SharedQueue;
import io.queuedeck.engine.config.ConfigChange;
import io.queuedeck.engine.config.ServeConfig;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.control.plane.ConfigPlane;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** A live reload of {@code tiers} reaches the shared queue's cluster-wide caps, as serve wires it. */
class ClusterTierReloadTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();

    private static final String CAP_1 = "tiers:\n  core: {max_concurrency: 1}\n";
    private static final String CAP_3 = "tiers:\n  core: {max_concurrency: 3}\n";

    @Test
    void tiersReload_raisesTheClusterWideCap_theNodeClaimsUpToTheNewOne() throws Exception {
        Path folder = Path.of("").toAbsolutePath();
        ServeConfig first = ConfigChange.read("test", CAP_1, folder, k -> null, ServeConfig.EMPTY);
        ReleaseClassifier classifier = new ReleaseClassifier(first.priorityRules());
        // long tasks on eight slots: only the cap holds the node back
        Engine engine = Engine.builder().executor(new SimulatedGpuExecutor(1, Engine.Builder.DEFAULT_MODEL,
                GpuProfile.LLAMA2_7B_H100)).flow(first.flow()).classifier(classifier).build();
        ClusterOptions options = new ClusterOptions();
        options.node = "a";
        options.queue = "reload";
        options.settle(null);
        ScheduledExecutorService feedThread = Executors.newSingleThreadScheduledExecutor();
        SharedQueue other = SharedQueue.redis(REDIS.uri(), "reload", "b", Duration.ofMinutes(5), 3, Duration.ofHours(1));
        options.connect(REDIS.uri(), Duration.ofHours(1), first.flow());
        ClusterNode node = options.open(engine);
        CompletionFeed feed = new CompletionFeed(engine, feedThread).onFinished(node::finished);
        try {
            ConfigPlane plane = new ConfigPlane(engine, classifier, first, CAP_1, "test", folder, k -> null, "priority");
            plane.onApplied(config -> options.capTiers(config.flow()));
            engine.start();
            feed.start(2);
            node.start();
            for (int i = 0; i < 5; i++) {
                other.enqueue("c" + i, TaskSpec.of(Engine.Builder.DEFAULT_MODEL, "x", 1, 4_000));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> other.levels().tiers().getFirst().leased() == 1);

            plane.apply(CAP_3, "test");

            await().atMost(Duration.ofSeconds(20)).until(() -> other.levels().tiers().getFirst().leased() == 3);
        } finally {
            node.close();
            feed.close();
            engine.close();
            feedThread.shutdownNow();
            other.close();
        }
    }
}
