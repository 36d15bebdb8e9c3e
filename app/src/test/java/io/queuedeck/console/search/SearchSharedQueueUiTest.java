package io.queuedeck.console.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.console.gateway.ClusterLink;
import io.queuedeck.console.gateway.ClusterSettings;
import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.engine.testing.RedisServer;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.cluster.SharedQueue;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSpec;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;
import java.time.Duration;

/**
 * Search on a console that is a node of a queue shared in a real redis-server: an id its own
 * engine does not know is looked up in the shared queue, where another node ("b") queued and holds
 * it. The robot types the id and presses Enter, as an operator does.
 */
class SearchSharedQueueUiTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static Engine engine;
    private static ClusterLink link;
    private static SharedQueue other;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void showScreen() throws Exception {
        engine = Engine.builder().build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join(); // this node claims nothing it would run
        link = ClusterLink.join(engine, new ClusterSettings(REDIS.uri(), "console", "search"));
        other = SharedQueue.redis(REDIS.uri(), "search", "b", Duration.ofMinutes(5), 3, Duration.ofHours(1));
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(s -> {
            EngineGateway gateway = new EngineGateway(engine, Platform::runLater, failure -> { });
            SearchViewModel model = new SearchViewModel(gateway, gateway);
            // as the console wires it (ClusterWiring.search): answered on the FX thread
            model.lookUpInSharedQueue(id -> link.describe(id).thenApplyAsync(found -> found, Platform::runLater));
            s.setScene(new Scene(new SearchView(model).root(), 1280, 800));
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

    private String message() throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> robot.lookup("#search-message").queryAs(Label.class).getText()).get();
    }

    @Test
    void anIdAnotherNodeHolds_isFoundInTheSharedQueue_andAnUnknownOneIsSaidToBeNowhere() throws Exception {
        other.enqueue("far-1", new TaskSpec(null, "m", "hi", 5, null, "acme", null, null, 8, null, null));
        other.enqueue("far-2", new TaskSpec(null, "m", "hi", 8, null, "zeta", null, null, 8, null, null));
        assertThat(other.claim(1)).extracting(SharedQueue.Claim::id).containsExactly("far-1");

        robot.clickOn("#search-id").write("far-1").type(KeyCode.ENTER);
        await().atMost(TIMEOUT).until(this::message,
                m -> m.matches("Task far-1 is in the shared queue: leased, P5, tenant acme, held by node b, 0 attempts,"
                        + " 1 delivery, lease \\d+\\.\\d s left"));

        robot.clickOn("#search-id").push(KeyCode.END).eraseText(5).write("far-2").type(KeyCode.ENTER);
        await().atMost(TIMEOUT).until(this::message, m -> m.startsWith("Task far-2 is in the shared queue: waiting, P8, tenant zeta"));

        robot.clickOn("#search-id").push(KeyCode.END).eraseText(5).write("nowhere").type(KeyCode.ENTER);
        await().atMost(TIMEOUT).until(this::message,
                m -> m.equals("No task with id 'nowhere' exists on this node or in the shared queue"));
    }
}
