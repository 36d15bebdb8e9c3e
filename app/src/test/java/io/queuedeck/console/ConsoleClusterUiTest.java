package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.console.gateway.ClusterState;
import io.queuedeck.engine.testing.RedisServer;
import io.queuedeck.engine.CompletionFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.audit.AuditQuery;
import io.queuedeck.engine.cluster.ClusterNode;
import io.queuedeck.engine.cluster.SharedQueue;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.TaskSpec;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The console with {@code --redis} as one node of a shared queue on a real redis-server, beside a
 * second node (an engine with simulated GPUs in this JVM): the GPUs screen's cluster section shows
 * both nodes and the cluster's levels, and a tier paused there is paused for every node.
 */
class ConsoleClusterUiTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String QUEUE = "ui";

    static ConsoleApp app;
    static Stage stage;
    static Engine otherEngine;
    static SharedQueue otherQueue;
    static ClusterNode other;
    static CompletionFeed otherFeed;
    static ScheduledExecutorService otherThread;
    final FxRobot robot = new FxRobot();

    @BeforeAll
    static void start() throws Exception {
        otherEngine = Engine.builder().executor(new SimulatedGpuExecutor(2, Engine.Builder.DEFAULT_MODEL,
                GpuProfile.LLAMA2_7B_H100)).build();
        otherQueue = SharedQueue.redis(REDIS.uri(), QUEUE, "gpu-b", Duration.ofSeconds(30), 3, Duration.ofHours(1));
        otherThread = Executors.newSingleThreadScheduledExecutor();
        other = ClusterNode.builder(otherEngine, otherQueue, otherThread).build();
        otherFeed = new CompletionFeed(otherEngine, otherThread).onFinished(other::finished);
        otherEngine.start();
        otherFeed.start(2);
        other.start();

        stage = FxToolkit.registerPrimaryStage();
        app = (ConsoleApp) FxToolkit.setupApplication(ConsoleApp.class, "--redis", REDIS.uri(), "--node", "console-a",
                "--queue", QUEUE, "--gpus", "2", "--screen", "gpus", "--api-port", "0");
        await().atMost(TIMEOUT).until(() -> app.system() != null && new FxRobot().lookup("#cluster-nodes").tryQuery().isPresent());
    }

    @AfterAll
    static void stop() throws Exception {
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
        other.close();
        otherFeed.close();
        otherEngine.close();
        otherThread.shutdownNow();
    }

    private static TaskSpec task(String id, int priority) {
        return TaskSpec.of(Engine.Builder.DEFAULT_MODEL, "hello", priority, 16).withTaskId(id);
    }

    @Test
    @SuppressWarnings("unchecked")
    void clusterSection_showsBothNodes_andAPauseThereHoldsOnEveryNode() throws Exception {
        TableView<ClusterState.NodeRow> nodes = robot.lookup("#cluster-nodes").queryAs(TableView.class);
        await().atMost(TIMEOUT).until(() -> WaitForAsyncUtils.asyncFx(() -> nodes.getItems().stream()
                .map(ClusterState.NodeRow::name).toList()).get(), names -> names.containsAll(List.of("console-a", "gpu-b")));
        // each node announced its two simulated GPUs with its heartbeat
        await().atMost(TIMEOUT).until(() -> WaitForAsyncUtils.asyncFx(() -> nodes.getItems().stream()
                .allMatch(n -> n.instances() == 2 && n.ageMillis() < 30_000)).get());

        robot.clickOn("#cluster-pause-normal");
        await().atMost(TIMEOUT).until(() -> otherQueue.levels().tiers().get(1).paused());

        // submitted through the other node: the paused tier's tasks wait in Redis; a core task after them runs
        for (int i = 0; i < 5; i++) {
            other.submit(task("n" + i, 5)).join();
        }
        other.submit(task("core", 1)).join();
        await().atMost(TIMEOUT).until(() -> "succeeded".equals(otherQueue.task("core").get("state")));
        assertThat(otherQueue.levels().tiers().get(1).waiting()).isEqualTo(5);
        ListView<io.queuedeck.console.cluster.ClusterViewModel.TaskRow> waiting =
                robot.lookup("#cluster-waiting").queryAs(ListView.class);
        await().atMost(TIMEOUT).until(() -> WaitForAsyncUtils.asyncFx(() -> waiting.getItems().size()).get() == 5);
        await().atMost(TIMEOUT).until(() -> WaitForAsyncUtils.asyncFx(() -> robot.lookup("#cluster-tier-normal")
                .queryLabeled().getText()).get().contains("paused"));
        // the pause is in the audit trail like the console's other actions
        assertThat(app.system().engine().audit().find(AuditQuery.all()).entries())
                .anyMatch(e -> e.action().equals("tier.paused") && e.target().equals("cluster tier 1"));

        robot.clickOn("#cluster-resume-normal");
        await().atMost(TIMEOUT).until(() -> {
            for (int i = 0; i < 5; i++) {
                if (!"succeeded".equals(otherQueue.task("n" + i).get("state"))) {
                    return false;
                }
            }
            return true;
        });
        assertThat(otherQueue.levels().tiers().get(1).paused()).isFalse();
    }
}
