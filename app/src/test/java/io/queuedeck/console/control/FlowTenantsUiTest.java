package io.queuedeck.console.control;

import static io.queuedeck.console.testing.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.control.plane.ConfigPlane;
import io.queuedeck.engine.snapshot.FlowStats;
import io.queuedeck.engine.tier.Tier;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javafx.application.Platform;
import javafx.geometry.Bounds;
import javafx.scene.Scene;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Flow tab's tenant names in a real window (headless under Monocle): at the column's old 120 px
 * "research-batch-nightly-eu-west" read "research-b…", and an operator could not tell the row's tenant.
 */
class FlowTenantsUiTest {
    private static final String NIGHTLY = "research-batch-nightly-eu-west";
    /** Longer than any column should be for it: it loses its middle, never its end. */
    private static final String RUNAWAY = "research-batch-nightly-eu-west-reprocessing-of-the-2025-archive-shard-0042";
    private static Engine engine;
    private static ExecutorService calls;
    private static FlowViewModel flow;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void showScreen() throws Exception {
        ControlRig rig = ControlRig.started();
        engine = rig.engine();
        ConfigPlane plane = rig.plane();
        calls = Executors.newSingleThreadExecutor();
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(s -> {
            ControlViewModel model = new ControlViewModel(plane, calls, Platform::runLater, "robot", change -> { });
            flow = new FlowViewModel(() -> plane.current().config().flow());
            Scene scene = new Scene(new ControlView(model, flow, new AlertsForm(plane.current().config().flow().table())).root(), 1080, 800);
            scene.getStylesheets().add(FlowTenantsUiTest.class.getResource("/io/queuedeck/console/console.css").toExternalForm());
            s.setScene(scene); // the scene before show(): see JAVAFX-NOTES
            s.setMinWidth(0);
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterAll
    static void close() throws Exception {
        FxToolkit.cleanupStages();
        calls.shutdownNow();
        engine.close();
    }

    private String shown(TableView<?> table, String name) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> table.lookupAll(".table-row-cell .table-cell").stream()
                .map(TableCell.class::cast).filter(c -> name.equals(c.getText()))
                .map(c -> ((javafx.scene.text.Text) c.lookup(".text")).getText()).findFirst().orElseThrow()).get();
    }

    private void tenants(List<FlowStats.TenantFlow> rows) {
        robot.interact(() -> flow.apply(snapshot().flow(new FlowStats(true, 16, List.of(), rows)).build()));
    }

    /** Each window width less the navigation, as the console gives the screen; both themes. */
    @Test
    void tenantNames_readWhole_at1024_1280And1600_inBothThemes_aRunawayNameLosesItsMiddleOnly() throws Exception {
        robot.clickOn("#control-tab-flow");
        Stage stage = (Stage) robot.lookup("#flow-tenants").query().getScene().getWindow();
        TableView<?> table = robot.lookup("#flow-tenants").queryAs(TableView.class);
        for (var theme : List.of(new atlantafx.base.theme.PrimerDark(), new atlantafx.base.theme.PrimerLight())) {
            robot.interact(() -> javafx.application.Application.setUserAgentStylesheet(theme.getUserAgentStylesheet()));
            for (double room : new double[] {1024 - 200, 1280 - 200, 1600 - 200}) {
                robot.interact(() -> stage.setWidth(room));
                tenants(List.of(new FlowStats.TenantFlow(Tier.NORMAL, "acme", 1, 2, 10, 0, 0, 120, 900)));
                WaitForAsyncUtils.waitForFxEvents();
                // the long names arrive after the table was fitted at this width, as a new tenant's first task does
                tenants(List.of(new FlowStats.TenantFlow(Tier.NORMAL, NIGHTLY, 1, 4, 10, 0, 0, 120, 900),
                        new FlowStats.TenantFlow(Tier.NORMAL, "acme", 1, 2, 10, 0, 0, 120, 900),
                        new FlowStats.TenantFlow(Tier.BATCH, RUNAWAY, 1, 1, 3, 0, 0, 120, 900)));
                WaitForAsyncUtils.waitForFxEvents();
                WaitForAsyncUtils.waitForFxEvents(); // the least widths follow the first layout with them
                String at = theme.getName() + " at " + (room + 200) + " px";

                assertThat(shown(table, NIGHTLY)).as(at).isEqualTo(NIGHTLY);
                assertThat(shown(table, "acme")).as(at).isEqualTo("acme");
                String runaway = shown(table, RUNAWAY);
                assertThat(runaway).as(at).contains("...").startsWith("research-").endsWith("shard-0042");
                Bounds cell = WaitForAsyncUtils.asyncFx(() -> {
                    TableCell<?, ?> c = table.lookupAll(".table-row-cell .table-cell").stream()
                            .map(TableCell.class::cast).filter(n -> NIGHTLY.equals(n.getText())).findFirst().orElseThrow();
                    return c.localToScene(c.getBoundsInLocal());
                }).get();
                assertThat(cell.getMaxX()).as("the name in view without scrolling, " + at).isLessThanOrEqualTo(room);
                if (room > 1024 - 200) { // at 1024 px the 360 px runaway name leaves the others too little: the table scrolls
                    double columns = WaitForAsyncUtils.asyncFx(() -> table.getVisibleLeafColumns().stream().mapToDouble(c -> c.getWidth()).sum()).get();
                    double inside = WaitForAsyncUtils.asyncFx(() -> table.getWidth() - table.snappedLeftInset() - table.snappedRightInset()).get();
                    assertThat(columns).as("every column in view, " + at).isLessThanOrEqualTo(inside + 1);
                }
            }
        }
    }
}
