package io.queuedeck.console.cluster;

import io.queuedeck.console.gateway.ClusterLink;
import java.util.List;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.SplitPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * The Lanes screen's shared-queue strip in distributed mode: one column per tier with its waiting
 * tasks in the order nodes claim them (the first {@value ClusterLink#SHOWN}, as the GPUs screen's
 * cluster section reads them), where dragging a task onto another puts it just before that one and
 * the buttons move it a priority up or down, for every node. This node's own lanes stay below.
 * FX thread.
 */
public final class SharedLanesPane {
    private static final List<String> TIERS = List.of("core", "normal", "batch");

    private final VBox root = new VBox(6);

    public SharedLanesPane(ClusterViewModel model) {
        root.setPadding(new Insets(8));
        root.setId("shared-lanes");
        HBox columns = new HBox(8);
        for (String tier : TIERS) {
            ObservableList<ClusterViewModel.TaskRow> rows = FXCollections.observableArrayList();
            Runnable refill = () -> {
                List<ClusterViewModel.TaskRow> mine = model.waiting().stream().filter(t -> t.tier().equals(tier)).toList();
                if (!mine.equals(rows)) {
                    rows.setAll(mine);
                }
            };
            model.waiting().addListener((ListChangeListener<ClusterViewModel.TaskRow>) c -> refill.run());
            refill.run();
            ListView<ClusterViewModel.TaskRow> list = new ListView<>(rows);
            list.setId("shared-lane-" + tier);
            list.setPlaceholder(new Label("Nothing waiting"));
            list.setCellFactory(l -> new ClusterPane.TaskCell(model));
            list.getSelectionModel().selectedItemProperty().addListener((o, a, task) -> {
                if (task != null) {
                    model.inspect(task);
                }
            });
            Button up = ClusterPane.button("shared-raise-" + tier, "Raise", () -> ClusterPane.selected(list, model::raise));
            Button down = ClusterPane.button("shared-lower-" + tier, "Lower", () -> ClusterPane.selected(list, model::lower));
            VBox column = new VBox(4, new Label(tier), list, new HBox(6, up, down));
            VBox.setVgrow(list, Priority.ALWAYS);
            HBox.setHgrow(column, Priority.ALWAYS);
            columns.getChildren().add(column);
        }
        Label inspector = new Label();
        inspector.setId("shared-inspector");
        inspector.textProperty().bind(model.inspectedProperty());
        inspector.setWrapText(true);
        root.getChildren().addAll(new Label("Shared queue: waiting tasks of every node by tier, in claim order (first "
                + ClusterLink.SHOWN + " per tier); drag onto a task to put it before; changes apply on every node"), columns,
                inspector);
        VBox.setVgrow(columns, Priority.ALWAYS);
    }

    public Parent root() {
        return root;
    }

    /** The shared queue's strip above this node's own lanes. */
    public Parent above(Parent lanes) {
        SplitPane split = new SplitPane(root, lanes);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.35);
        return split;
    }
}
