package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.console.gateway.ClusterLink;
import io.queuedeck.console.gateway.ClusterSettings;
import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.console.search.SearchView;
import io.queuedeck.console.search.SearchViewModel;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.cluster.SharedQueue;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.testing.RedisServer;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;
import java.time.Duration;
import java.util.List;

/**
 * The Search screen of a console that is a node of a queue shared in a real redis-server (decision
 * 0083a): with Whole cluster on (the default in distributed mode) a filter finds the tasks another
 * node ("b") queued and holds, a row opened says who holds it and for how long, and bulk
 * reprioritize and cancel change them for every node. The robot types, clicks and picks, as an operator does.
 */
class SharedSearchUiTest {
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
        link = ClusterLink.join(engine, new ClusterSettings(REDIS.uri(), "console", "bulk"));
        other = SharedQueue.redis(REDIS.uri(), "bulk", "b", Duration.ofMinutes(5), 3, Duration.ofHours(1));
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(s -> {
            EngineGateway gateway = new EngineGateway(engine, Platform::runLater, failure -> { });
            SearchViewModel model = new SearchViewModel(gateway, gateway);
            model.searchSharedQueue(new SharedSearchAdapter(link)); // as ClusterWiring.search wires it
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

    @SuppressWarnings("unchecked")
    private List<String> rows() throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> robot.lookup("#search-results").queryAs(TableView.class).getItems().stream()
                .map(row -> ((io.queuedeck.engine.task.TaskView) row).id()).toList()).get();
    }

    @Test
    void aTenantsTasksOfEveryNode_areFound_opened_reprioritizedAndCancelled_forEveryNode() throws Exception {
        other.enqueue("acme-1", TaskSpec.of("m", "x", 1, 8).withTenant("acme")); // core: b claims it below
        other.enqueue("acme-2", TaskSpec.of("m", "x", 5, 8).withTenant("acme"));
        other.enqueue("acme-3", TaskSpec.of("m", "x", 6, 8).withTenant("acme"));
        other.enqueue("beta-1", TaskSpec.of("m", "x", 5, 8).withTenant("beta"));
        assertThat(other.claim(1)).extracting(SharedQueue.Claim::id).containsExactly("acme-1");

        robot.clickOn("#search-tenant").write("acme");
        robot.clickOn("#search-run");
        await().atMost(TIMEOUT).until(this::message, m -> m.equals("3 tasks of the shared queue match; 1–3 shown"));
        assertThat(rows()).containsExactly("acme-2", "acme-3", "acme-1"); // waiting tiers in claim order, then leased

        robot.clickOn("acme-1");
        await().atMost(TIMEOUT).until(this::message, m -> m.matches("Task acme-1 in the shared queue: leased, P1, tenant acme,"
                + " held by node b, 0 attempts, 1 delivery, lease \\d+\\.\\d s left"));

        // the bulk bar's default action is Reprioritize to P2
        robot.clickOn("#bulk-preview");
        await().atMost(TIMEOUT).until(this::message,
                m -> m.equals("Reprioritize to P2 would apply to 3 tasks of the shared queue, on every node"));
        robot.clickOn("#bulk-apply");
        await().atMost(TIMEOUT).until(() -> "2".equals(other.task("acme-3").get("prio")));
        await().atMost(TIMEOUT).until(this::message, m -> m.equals("Reprioritize to P2: 2 tasks changed on every node;"
                + " refused by their state: 1 leased. 3 tasks of the shared queue match; 1–3 shown"));
        assertThat(other.task("acme-2")).containsEntry("prio", "2");
        assertThat(other.task("beta-1")).containsEntry("prio", "5");

        robot.clickOn("#bulk-action").clickOn("cancel");
        robot.clickOn("#bulk-preview");
        await().atMost(TIMEOUT).until(this::message, m -> m.equals("Cancel would apply to 3 tasks of the shared queue, on every node"));
        robot.clickOn("#bulk-apply");
        await().atMost(TIMEOUT).until(() -> "cancelled".equals(other.task("acme-2").get("state")));
        assertThat(other.task("acme-3")).containsEntry("state", "cancelled");
        assertThat(other.beat(List.of("acme-1")).cancel()).containsExactly("acme-1"); // its holder is asked to stop it
        assertThat(other.task("beta-1")).containsEntry("state", "waiting");
        await().atMost(TIMEOUT).until(this::message, m -> m.startsWith("Cancel: 3 tasks changed on every node (1 running:"));
        assertThat(rows()).containsExactly("acme-1"); // still leased until its holder acknowledges it
    }
}
