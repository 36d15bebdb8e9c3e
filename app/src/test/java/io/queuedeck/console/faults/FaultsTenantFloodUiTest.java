package io.queuedeck.console.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.CommandFailure;
import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.console.testing.FakeLoad;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.audit.AuditEntry;
import io.queuedeck.engine.audit.AuditQuery;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultClock;
import io.queuedeck.engine.fault.FaultKind;
import io.queuedeck.engine.task.TaskQuery;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.ListView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The Faults screen's tenant flood, clicked and typed: the flood goes through the console's fault
 * catalogue with the tenant as its blast radius and the duration typed, is listed under Active
 * faults while it acts, floods the engine with that tenant's tasks, is audited, and is cleared by
 * selecting it and clicking Clear selected; a bad field and the kill switch are refused with why.
 */
class FaultsTenantFloodUiTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static Engine engine;
    private static ScheduledExecutorService timers;
    private static FaultCatalogue faults;
    private static final List<CommandFailure> refused = new CopyOnWriteArrayList<>();
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void showScreen() throws Exception {
        engine = Engine.builder()
                .executor(new SimulatedGpuExecutor(2, Engine.Builder.DEFAULT_MODEL, GpuProfile.LLAMA2_7B_H100))
                .build();
        engine.start();
        timers = Executors.newSingleThreadScheduledExecutor();
        faults = new FaultCatalogue(engine, FaultClock.live(timers, engine.clock()::nanos), () -> 0);
        EngineGateway gateway = new EngineGateway(engine, Platform::runLater, refused::add);
        gateway.gateFaults(faults::armed);
        Stage stage = FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(s -> {
            FaultsViewModel model = new FaultsViewModel(gateway, new FakeLoad(), new ChangeLog(Clock.systemUTC()),
                    new CatalogueFaults(faults, Platform::runLater, gateway::reportFailure));
            s.setScene(new Scene(new FaultsView(model).root(), 1280, 900));
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(stage.isShowing()).isTrue();
    }

    @AfterAll
    static void close() throws Exception {
        FxToolkit.cleanupStages();
        timers.shutdownNow();
        engine.close();
    }

    @BeforeEach
    void noFaults() {
        faults.arm();
        faults.clearAll();
        refused.clear();
    }

    private void typeInto(String id, String text) {
        robot.doubleClickOn(id).eraseText(30).write(text);
    }

    private ListView<FaultsViewModel.ActiveFault> activeList() {
        return robot.lookup("#faults-active").queryListView();
    }

    @Test
    void tenantFlood_typedAndClicked_isListedAuditedFloodsAndIsClearedBySelectingIt() {
        typeInto("#faults-flood-tenant", "acme");
        typeInto("#faults-flood-rate", "10");
        typeInto("#faults-flood-seconds", "120");

        robot.clickOn("#faults-flood");

        await().atMost(TIMEOUT).until(() -> faults.active().size() == 1);
        var flood = faults.active().getFirst();
        assertThat(flood.spec().kind()).isEqualTo(FaultKind.TENANT_FLOOD);
        assertThat(flood.spec().radius().toString()).isEqualTo("tenant:acme");
        assertThat(flood.spec().parameter("rate")).isEqualTo(10.0);
        assertThat(flood.spec().duration()).isEqualTo(Duration.ofSeconds(120));
        await().atMost(TIMEOUT).until(() -> activeList().getItems().stream().anyMatch(f -> flood.id().equals(f.faultId())));
        assertThat(activeList().getItems()).anySatisfy(f -> {
            assertThat(f.target()).isEqualTo("tenant:acme");
            assertThat(f.fault()).contains("tenant_flood").contains("ends ").doesNotContain("tenant:acme"); // the target is shown once, after the kind
        });
        await().atMost(TIMEOUT).until(() -> !engine.send(new Command.ListTasks(new TaskQuery(null, "acme", -1, 10)))
                .join().tasks().isEmpty());
        assertThat(engine.audit().find(AuditQuery.all()).entries()).extracting(AuditEntry::action).contains("fault.inject");

        robot.clickOn("#faults-active .list-cell");
        robot.clickOn("#faults-clear-selected");

        await().atMost(TIMEOUT).until(() -> faults.active().isEmpty());
        await().atMost(TIMEOUT).until(() -> activeList().getItems().stream().noneMatch(f -> f.faultId() != null));
        assertThat(engine.audit().find(AuditQuery.all()).entries()).extracting(AuditEntry::action).contains("fault.clear");
        assertThat(refused).isEmpty();
    }

    @Test
    void tenantFlood_withoutATenant_isRefusedNamingTheField() {
        typeInto("#faults-flood-tenant", " ");

        robot.clickOn("#faults-flood");

        await().atMost(TIMEOUT).until(() -> !refused.isEmpty());
        assertThat(refused.getFirst().action()).isEqualTo("tenant flood");
        assertThat(refused.getFirst().reason()).startsWith("tenant:");
        assertThat(faults.active()).isEmpty();
    }

    @Test
    void tenantFlood_whileDisarmed_isRefusedByTheKillSwitch() {
        faults.disarm();
        typeInto("#faults-flood-tenant", "acme");

        robot.clickOn("#faults-flood");

        await().atMost(TIMEOUT).until(() -> !refused.isEmpty());
        assertThat(refused.getFirst().reason()).contains("disarmed by the kill switch");
        assertThat(faults.active()).isEmpty();
    }
}
