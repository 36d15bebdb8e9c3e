package io.queuedeck.console.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.console.gateway.ClusterLink;
import io.queuedeck.console.gateway.ClusterSettings;
import io.queuedeck.engine.testing.RedisServer;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.cluster.SharedQueue;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSpec;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.ListCell;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Lanes screen's shared-queue strip in a real window (headless under Monocle) over a real
 * redis-server: tasks another node ("b") queued show per tier in claim order; the robot drags one
 * onto another and clicks Raise, and the shared queue changes for every node.
 */
class SharedLanesUiTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static Engine engine;
    private static ClusterLink link;
    private static SharedQueue other;
    private static ClusterViewModel model;
    private static final List<String> failures = new CopyOnWriteArrayList<>();
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void showScreen() throws Exception {
        engine = Engine.builder().build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join(); // this node claims nothing it would run
        link = ClusterLink.join(engine, new ClusterSettings(REDIS.uri(), "console", "lanes"));
        other = SharedQueue.redis(REDIS.uri(), "lanes", "b", Duration.ofMinutes(5), 3, Duration.ofHours(1));
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(s -> {
            model = new ClusterViewModel(link, (action, error) -> failures.add(action + ": " + error.getMessage()));
            s.setScene(new Scene(new SharedLanesPane(model).root(), 1280, 600));
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterAll
    static void close() throws Exception {
        FxToolkit.cleanupStages();
        link.close();
        other.close();
        engine.close();
    }

    /** Reads the shared queue and shows it, as the console does on each update. */
    private void refresh() throws Exception {
        var state = link.refresh().join();
        WaitForAsyncUtils.asyncFx(() -> model.apply(state)).get();
    }

    private List<String> waiting(int tier) {
        return other.list(SharedQueue.Listing.WAITING, tier, 0, 10, false).tasks().stream().map(SharedQueue.Listed::id).toList();
    }

    private Node cell(String lane, String id) throws Exception {
        await().atMost(TIMEOUT).until(() -> {
            refresh();
            return robot.lookup("#shared-lane-" + lane + " .cluster-task-cell").queryAll().stream()
                    .anyMatch(n -> ((ListCell<?>) n).getText() != null && ((ListCell<?>) n).getText().endsWith(" " + id));
        });
        return robot.lookup("#shared-lane-" + lane + " .cluster-task-cell").queryAll().stream()
                .filter(n -> ((ListCell<?>) n).getText() != null && ((ListCell<?>) n).getText().endsWith(" " + id))
                .findFirst().orElseThrow();
    }

    /** A cell as last shown, without reading the shared queue again. */
    private Node shown(String lane, String id) {
        return robot.lookup("#shared-lane-" + lane + " .cluster-task-cell").queryAll().stream()
                .filter(n -> ((ListCell<?>) n).getText() != null && ((ListCell<?>) n).getText().endsWith(" " + id))
                .findFirst().orElseThrow();
    }

    private String inspector() throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> robot.lookup("#shared-inspector").queryAs(javafx.scene.control.Label.class)
                .getText()).get();
    }

    @Test
    void inspector_showsASharedTasksStateHolderAttemptsAndLease_asRedisHasItNow() throws Exception {
        other.enqueue("i1", TaskSpec.of("m", "x", 1, 8).withTenant("acme")); // core tier: claimed first
        other.enqueue("i2", TaskSpec.of("m", "x", 1, 8));
        cell("core", "i2");

        robot.clickOn(shown("core", "i1"));
        await().atMost(TIMEOUT).until(this::inspector, t -> t.equals("i1: waiting, P1, tenant acme, 0 attempts, 0 deliveries"));

        assertThat(other.claim(1)).extracting(SharedQueue.Claim::id).containsExactly("i1"); // node b holds it now
        robot.clickOn(shown("core", "i2")); // the strip still shows i1 (not read again): selecting it reads its record anew
        robot.clickOn(shown("core", "i1"));
        await().atMost(TIMEOUT).until(this::inspector,
                t -> t.matches("i1: leased, P1, tenant acme, held by node b, 0 attempts, 1 delivery, lease \\d+\\.\\d s left"));
        assertThat(failures).isEmpty();
    }

    @Test
    void dragAndRaise_reorderTheSharedQueue_forEveryNode() throws Exception {
        for (String id : List.of("a", "b", "c")) {
            other.enqueue(id, TaskSpec.of("m", "x", 5, 8)); // normal tier, in arrival order
        }
        other.enqueue("z", TaskSpec.of("m", "x", 8, 8)); // batch tier
        cell("batch", "z");
        assertThat(robot.lookup("#shared-lane-normal .cluster-task-cell").queryAll().stream()
                .map(n -> ((ListCell<?>) n).getText()).filter(t -> t != null).toList())
                .containsExactly("normal  P5  a", "normal  P5  b", "normal  P5  c");

        io.queuedeck.console.MonocleDrags.forgetLastDragWindow();
        robot.drag(cell("normal", "c")).dropTo(cell("normal", "a"));
        await().atMost(TIMEOUT).until(() -> waiting(1).equals(List.of("c", "a", "b")));
        cell("normal", "c");
        await().atMost(TIMEOUT).until(() -> {
            refresh();
            return robot.lookup("#shared-lane-normal .cluster-task-cell").queryAll().stream()
                    .map(n -> ((ListCell<?>) n).getText()).filter(t -> t != null).toList()
                    .equals(List.of("normal  P5  c", "normal  P5  a", "normal  P5  b"));
        });

        robot.clickOn(cell("batch", "z"));
        robot.clickOn("#shared-raise-batch");
        await().atMost(TIMEOUT).until(() -> "7".equals(other.task("z").get("prio")));
        cell("batch", "z"); // P7: still the batch tier, one step more urgent
        assertThat(failures).isEmpty();
    }
}
