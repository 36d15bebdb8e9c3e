package io.queuedeck.console.widgets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import javafx.geometry.Bounds;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The label left of a right-aligned combo box keeps its place whichever item it shows, as the
 * header's "Policy" label and the alert banner beside it must. The value is set as the engine
 * sets it (a switch made on the Policy screen, a tier paused over the API), with no click on this
 * box: a box whose list was never opened is as wide as the item it shows.
 */
class SteadyComboBoxUiTest {
    private static SteadyComboBox<String> box;
    private static Label label;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void show() throws Exception {
        FxToolkit.registerPrimaryStage();
        // the console's theme: under it a combo box is as wide as the item it shows
        FxToolkit.setupFixture(() -> javafx.application.Application.setUserAgentStylesheet(
                new atlantafx.base.theme.PrimerDark().getUserAgentStylesheet()));
        FxToolkit.setupStage(stage -> {
            box = new SteadyComboBox<>();
            box.setId("steady");
            box.getItems().setAll("fifo", "priority", "mlfq", "weighted", "srpt-oracle");
            box.setValue("fifo");
            label = new Label("Policy");
            Region spacer = new Region();
            HBox.setHgrow(spacer, Priority.ALWAYS);
            stage.setScene(new Scene(new HBox(8, spacer, label, box), 700, 300));
            stage.show();
        });
    }

    @AfterAll
    static void close() throws Exception {
        FxToolkit.cleanupStages();
    }

    @Test
    void eachItemChosen_theLabelBesideStaysPut() throws Exception {
        List<Bounds> places = new ArrayList<>();
        for (String item : List.of("srpt-oracle", "mlfq", "priority", "fifo")) {
            robot.interact(() -> box.setValue(item));
            assertThat(WaitForAsyncUtils.asyncFx(box::getValue).get()).isEqualTo(item);
            places.add(WaitForAsyncUtils.asyncFx(() -> label.localToScene(label.getBoundsInLocal())).get());
        }

        assertThat(places).allSatisfy(place -> assertThat(place).isEqualTo(places.getFirst()));
    }
}
