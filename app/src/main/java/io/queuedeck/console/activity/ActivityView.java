package io.queuedeck.console.activity;

import io.queuedeck.engine.audit.AuditEntry;
import java.io.File;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.stage.FileChooser;

/** The Activity screen: a search box, the audit trail as a table, export buttons. Binds and forwards only. */
public final class ActivityView {
    public static final String ROOT_CLASS = "qd-activity";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final ActivityViewModel model;
    private final BorderPane root = new BorderPane();

    public ActivityView(ActivityViewModel model) {
        this.model = model;
        root.getStyleClass().add(ROOT_CLASS);
        root.setPadding(new Insets(8));
        TextField search = new TextField();
        search.setId("activity-search");
        search.setPromptText("Search: who, what, task id, tenant …");
        search.setTooltip(new Tooltip("Text in the actor, action, target or detail, ignoring case"));
        search.textProperty().bindBidirectional(model.queryProperty());
        search.setPrefWidth(420);
        search.setMinWidth(200);
        Button csv = exportButton("Export CSV", "csv");
        Button json = exportButton("Export JSON", "json");
        // the message takes what the field and the buttons leave: after an export the buttons moved ~290 px
        Label message = new Label();
        message.setId("activity-message");
        message.textProperty().bind(model.messageProperty());
        message.setPrefWidth(0);
        message.setMinWidth(0);
        message.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(message, Priority.ALWAYS);
        Tooltip messageTip = new Tooltip();
        messageTip.textProperty().bind(model.messageProperty());
        message.setTooltip(messageTip);
        HBox top = new HBox(8, search, csv, json, message);
        top.setAlignment(Pos.CENTER_LEFT);
        top.setPadding(new Insets(0, 0, 8, 0));
        root.setTop(top);

        TableView<AuditEntry> table = new TableView<>(model.entries());
        table.setId("activity-table");
        table.setPlaceholder(new Label("No operator action recorded yet"));
        table.getColumns().add(column("When", e -> TIME.format(e.at()), 185)); // 150 cut the seconds at 1280 px
        table.getColumns().add(column("Who", AuditEntry::actor, 195)); // "anonymous@127.0.0.1" whole: 160 cut it
        table.getColumns().add(column("From", AuditEntry::source, 70));
        table.getColumns().add(column("What", AuditEntry::action, 150)); // "fault.poison_task", "task.reprioritize" whole
        TableColumn<AuditEntry, String> target = column("Target", e -> e.target() == null ? "" : e.target(), 290);
        // "<task id> to P1" at 1600 px; at 1280 it gives way to the actor, whole in its tooltip, and loses the id's middle,
        // not its end: cut at the end, "df2be012-4065-4765-a150-4611340…" hid where the task went
        target.setCellFactory(cutInTheMiddle(target.getCellFactory()));
        table.getColumns().add(target);
        // a pause or a config change names no tasks: "0" read as "it held none" beside a tier of thousands
        table.getColumns().add(column("Tasks", e -> e.tasks() == 0 ? "–" : String.format("%,d", e.tasks()), 60));
        table.getColumns().add(column("Detail", e -> e.detail() == null ? "" : e.detail(), 70)); // the rest of the width
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        // in a narrow window the target gives way (its cells keep their text in a tooltip) and the rest keep their
        // words: at 1024 x 700 the policy shrank every column alike, to "2026-12-07 15:2…", "con…" and "T…";
        // the least widths hold "instance.drain_end" and the headers "Tasks" and "Detail" (at 55 and 50, "Ta…" and "D…")
        double[] least = {185, 100, 70, 160, 120, 66, 68};
        for (int i = 0; i < least.length; i++) {
            table.getColumns().get(i).setMinWidth(least[i]);
        }
        io.queuedeck.console.widgets.DesignedColumns.keep(table); // made wide again, the actor was left cut
        root.setCenter(table);
    }

    private Button exportButton(String text, String extension) {
        Button button = new Button(text);
        button.setId("activity-export-" + extension);
        button.setTooltip(new Tooltip("Write the entries matching the search to a ." + extension + " file"));
        button.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setInitialFileName("queuedeck-activity." + extension);
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(extension.toUpperCase(), "*." + extension));
            File file = chooser.showSaveDialog(root.getScene().getWindow());
            if (file != null) {
                model.export(file.toPath());
            }
        });
        return button;
    }

    private static TableColumn<AuditEntry, String> column(String title, Function<AuditEntry, String> value, double width) {
        TableColumn<AuditEntry, String> column = new TableColumn<>(title);
        column.setPrefWidth(width);
        column.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(value.apply(cell.getValue())));
        column.setCellFactory(c -> new TableCell<>() { // a value cut at its column's width is whole in its tooltip
            private final Tooltip whole = new Tooltip();

            @Override
            protected void updateItem(String text, boolean empty) {
                super.updateItem(text, empty);
                boolean blank = empty || text == null || text.isEmpty();
                setText(blank ? null : text);
                whole.setText(blank ? "" : text);
                setTooltip(blank ? null : whole);
            }
        });
        return column;
    }

    private static javafx.util.Callback<TableColumn<AuditEntry, String>, TableCell<AuditEntry, String>> cutInTheMiddle(
            javafx.util.Callback<TableColumn<AuditEntry, String>, TableCell<AuditEntry, String>> cells) {
        return c -> {
            TableCell<AuditEntry, String> cell = cells.call(c);
            cell.setTextOverrun(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS);
            return cell;
        };
    }

    public Parent root() {
        return root;
    }
}
