package io.queuedeck.console.cluster;

import io.queuedeck.console.gateway.ClusterState;
import java.util.Locale;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * The cluster section under the GPUs screen's cards: nodes with their instances and heartbeat
 * age; each tier's levels with pause, drain and resume for every node; the first waiting tasks
 * (drag one onto another to put it just before it; raise, lower, cancel) and the dead letters
 * (retry). Binds and forwards to {@link ClusterViewModel}.
 */
public final class ClusterPane {
    public static final String SECTION_CLASS = "cluster-section";
    /** Redis lost the shared queue's data (decision 0130): the sentence in the danger colour. */
    public static final String ALERT_CLASS = "cluster-alert";

    private final ClusterViewModel model;
    private final VBox root = new VBox(8);
    private final VBox tierRows = new VBox(4);

    public ClusterPane(ClusterViewModel model) {
        this.model = model;
        root.getStyleClass().add(SECTION_CLASS);
        root.setId("cluster-section");
        root.setPadding(new Insets(10));

        Label title = new Label("Cluster");
        title.getStyleClass().add("title-4");
        Label summary = new Label();
        summary.setId("cluster-summary");
        summary.textProperty().bind(model.summaryProperty());
        summary.setWrapText(true);
        Label alert = new Label();
        alert.setId("cluster-alert");
        alert.getStyleClass().add(ALERT_CLASS);
        alert.setWrapText(true);
        alert.textProperty().bind(model.alertProperty());
        alert.visibleProperty().bind(model.alertProperty().isNotEmpty());
        alert.managedProperty().bind(alert.visibleProperty());

        TableView<ClusterState.NodeRow> nodes = new TableView<>(model.nodes());
        nodes.setId("cluster-nodes");
        nodes.setPrefHeight(130);
        nodes.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        nodes.getColumns().add(column("Node", ClusterState.NodeRow::name));
        nodes.getColumns().add(column("Heartbeat", n -> String.format(Locale.ROOT, "%.1f s ago", n.ageMillis() / 1000.0)));
        nodes.getColumns().add(column("Instances", n -> Integer.toString(n.instances())));
        nodes.getColumns().add(column("Running / slots", n -> n.running() + " / " + n.batch()));
        nodes.getColumns().add(column("States", ClusterState.NodeRow::states));
        nodes.setPlaceholder(new Label("No node has announced itself yet"));
        // a dead node's leases now rather than at their expiry; refused (and said) while the node is alive
        Button reclaim = button("cluster-reclaim", "Reclaim leases", () -> {
            ClusterState.NodeRow node = nodes.getSelectionModel().getSelectedItem();
            if (node != null) {
                model.reclaim(node);
            }
        });

        model.tiers().addListener((ListChangeListener<ClusterViewModel.TierRow>) c -> showTiers());
        showTiers();

        ListView<ClusterViewModel.TaskRow> waiting = new ListView<>(model.waiting());
        waiting.setId("cluster-waiting");
        waiting.setPlaceholder(new Label("Nothing waiting in the shared queue"));
        waiting.setCellFactory(list -> new TaskCell(model));
        Button raise = button("cluster-raise", "Raise priority", () -> selected(waiting, model::raise));
        Button lower = button("cluster-lower", "Lower priority", () -> selected(waiting, model::lower));
        Button cancel = button("cluster-cancel", "Cancel", () -> selected(waiting, model::cancel));
        VBox waitingBox = new VBox(4, new Label("Waiting (first " + io.queuedeck.console.gateway.ClusterLink.SHOWN
                + " per tier; drag onto a task to put it before)"), waiting, new HBox(6, raise, lower, cancel));
        VBox.setVgrow(waiting, Priority.ALWAYS);

        ListView<ClusterViewModel.TaskRow> dead = new ListView<>(model.dead());
        dead.setId("cluster-dead");
        dead.setPlaceholder(new Label("No dead letters"));
        dead.setCellFactory(list -> new ListCell<>() {
            @Override
            protected void updateItem(ClusterViewModel.TaskRow item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : "P" + item.priority() + "  " + item.id() + "  (" + item.attempts()
                        + " expired leases)");
            }
        });
        Button retry = button("cluster-retry", "Retry", () -> selected(dead, model::retry));
        VBox deadBox = new VBox(4, new Label("Dead letters"), dead, retry);
        VBox.setVgrow(dead, Priority.ALWAYS);

        HBox lists = new HBox(12, waitingBox, deadBox);
        HBox.setHgrow(waitingBox, Priority.ALWAYS);
        HBox.setHgrow(deadBox, Priority.ALWAYS);
        lists.setPrefHeight(220);
        root.getChildren().addAll(title, alert, summary, nodes, reclaim, tierRows, lists);
        VBox.setVgrow(lists, Priority.ALWAYS);
    }

    /** The GPUs screen's cards above, this section below. */
    public Parent around(Parent gpus) {
        SplitPane split = new SplitPane(gpus, root);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.45);
        return split;
    }

    public Parent root() {
        return root;
    }

    private void showTiers() {
        if (tierRows.getChildren().size() != model.tiers().size()) {
            tierRows.getChildren().clear();
            for (ClusterViewModel.TierRow row : model.tiers()) {
                Label text = new Label();
                text.setId("cluster-tier-" + row.name());
                text.setMinWidth(320);
                tierRows.getChildren().add(new HBox(6, text,
                        button("cluster-pause-" + row.name(), "Pause", () -> model.pause(row.tier())),
                        button("cluster-drain-" + row.name(), "Drain", () -> model.drain(row.tier())),
                        button("cluster-resume-" + row.name(), "Resume", () -> model.resume(row.tier()))));
            }
        }
        for (int i = 0; i < model.tiers().size(); i++) {
            ClusterViewModel.TierRow row = model.tiers().get(i);
            Label text = (Label) ((HBox) tierRows.getChildren().get(i)).getChildren().getFirst();
            text.setText(String.format(Locale.ROOT, "%s: %,d waiting · %,d leased · %s", row.name(), row.waiting(),
                    row.leased(), row.mode()));
        }
    }

    /** Runs {@code action} on the list's selected item, if there is one (the cluster section and the shared lanes). */
    static <T> void selected(ListView<T> list, java.util.function.Consumer<T> action) {
        T item = list.getSelectionModel().getSelectedItem();
        if (item != null) {
            action.accept(item);
        }
    }

    static Button button(String id, String text, Runnable action) {
        Button button = new Button(text);
        button.setId(id);
        button.setOnAction(e -> action.run());
        return button;
    }

    private static <S> TableColumn<S, String> column(String title, java.util.function.Function<S, String> text) {
        TableColumn<S, String> column = new TableColumn<>(title);
        column.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(text.apply(cell.getValue())));
        column.setSortable(false);
        return column;
    }

    /** A waiting task; dragged onto another, it goes just before that one in the shared queue. */
    static final class TaskCell extends ListCell<ClusterViewModel.TaskRow> {
        TaskCell(ClusterViewModel model) {
            getStyleClass().add("cluster-task-cell");
            setOnDragDetected(e -> {
                if (getItem() != null) {
                    ClipboardContent content = new ClipboardContent();
                    content.putString(getItem().id());
                    startDragAndDrop(TransferMode.MOVE).setContent(content);
                    e.consume();
                }
            });
            setOnDragOver(e -> {
                if (getItem() != null && e.getDragboard().hasString()) {
                    e.acceptTransferModes(TransferMode.MOVE);
                }
                e.consume();
            });
            setOnDragDropped(e -> {
                String dragged = e.getDragboard().getString();
                ClusterViewModel.TaskRow target = getItem();
                if (target != null && dragged != null) {
                    getListView().getItems().stream().filter(t -> t.id().equals(dragged)).findFirst()
                            .ifPresent(task -> model.place(task, target));
                }
                e.setDropCompleted(true);
                e.consume();
            });
        }

        @Override
        protected void updateItem(ClusterViewModel.TaskRow item, boolean empty) {
            super.updateItem(item, empty);
            setText(empty || item == null ? null : item.tier() + "  P" + item.priority() + "  " + item.id()
                    + (item.attempts() > 0 ? "  (" + item.attempts() + " expired leases)" : ""));
        }
    }
}
