package io.queuedeck.console.search;

import io.queuedeck.engine.bulk.OperationStatus;
import io.queuedeck.engine.command.BulkAction;
import io.queuedeck.engine.task.TaskSort;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.task.VisibleText;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.util.StringConverter;

/**
 * The Search screen: filters, the sorted page of matches, the opened task, and the bulk bar. Only
 * binds and forwards to {@link SearchViewModel}; built in code (a form and a table, nothing an
 * FXML file would make clearer).
 */
public final class SearchView {
    public static final String ROOT_CLASS = "qd-search";
    public static final String BULK_BAR_CLASS = "qd-bulk-bar";
    /** A column header that does not sort (console.css sets it in plain weight). */
    public static final String UNSORTABLE = "qd-unsortable";

    private final SearchViewModel model;
    private final BorderPane root = new BorderPane();
    final TextField idField = new TextField();
    final TableView<TaskView> table = new TableView<>();
    final TextField confirmField = new TextField();
    final Button applyButton = new Button("Apply");
    /**
     * Where to export, by extension ("csv", "json"); empty when the operator cancels. The native
     * FileChooser cannot be driven under Monocle, so UI tests replace this and still click the buttons.
     */
    Function<String, Optional<Path>> chooseFile = this::chooseWithDialog;

    public SearchView(SearchViewModel model) {
        this.model = model;
        root.getStyleClass().add(ROOT_CLASS);
        root.setPadding(new Insets(8));
        root.setTop(filters());
        root.setCenter(results());
        root.setRight(details());
        root.setBottom(bulkBar());
    }

    private Parent filters() {
        idField.setId("search-id");
        idField.setPromptText("Task id or its start");
        idField.setTooltip(new Tooltip("Enter on a full id opens the task, or says that it does not exist"));
        idField.textProperty().bindBidirectional(model.idProperty());
        idField.setOnAction(e -> {
            model.search(); // the id as a prefix lists its neighbours; the look-up answers last
            model.openId();
        });
        TextField text = field("search-text", "Text in metadata", model.textProperty(), "Text a metadata key or value contains");
        TextField tenant = field("search-tenant", "Tenant", model.tenantProperty(), "Only this tenant's tasks");
        TextField taskModel = field("search-model", "Model", model.modelProperty(), "Only tasks for this model");
        TextField klass = field("search-class", "Business class", model.businessClassProperty(), "Only this business class");
        ComboBox<TaskState> state = new io.queuedeck.console.widgets.SteadyComboBox<>(); // a state chosen moved the buttons beside it
        state.getItems().setAll(TaskState.values());
        state.getItems().addFirst(null);
        state.setId("search-state");
        state.setPromptText("Any state");
        state.setConverter(named(s -> s == null ? "Any state" : s.name().toLowerCase(Locale.ROOT)));
        state.valueProperty().bindBidirectional(model.stateProperty());
        state.setTooltip(new Tooltip("Only tasks in this state"));
        ComboBox<Integer> min = priorityBox("Min P", model.minPriorityProperty(), "Most urgent priority to include");
        ComboBox<Integer> max = priorityBox("Max P", model.maxPriorityProperty(), "Least urgent priority to include");
        min.setId("search-min-priority");
        max.setId("search-max-priority");
        Button search = new Button("Search");
        search.setId("search-run");
        search.setTooltip(new Tooltip("Search every task the engine knows, not only the rows a lane shows"));
        search.setOnAction(e -> model.search());
        for (TextField field : new TextField[] {text, tenant, taskModel, klass}) {
            field.setOnAction(e -> model.search()); // Enter searches
        }
        // beside Search, not in the pager: there they squeezed Previous and Next to "N…" at 1280 px
        javafx.scene.control.CheckBox whole = new javafx.scene.control.CheckBox("Whole cluster");
        whole.setId("search-cluster");
        whole.selectedProperty().bindBidirectional(model.clusterScopeProperty());
        whole.visibleProperty().bind(model.clusterAvailableProperty());
        whole.managedProperty().bind(whole.visibleProperty());
        whole.setTooltip(new Tooltip("Search and bulk actions over the shared queue of every node (in claim order;"
                + " waiting, running and dead-lettered tasks); clear it for this node's engine"));
        // two rows at every width, deliberately: the text fields share the first, the choices and buttons the
        // second (a flow of all twelve put "Export JSON" on a third row of its own at 1024 px, and elsewhere
        // at 1280 and 1600 px)
        TextField[] texts = {idField, text, tenant, taskModel, klass};
        for (TextField field : texts) {
            field.setMinWidth(FIELD_LEAST);
            field.setMaxWidth(Double.MAX_VALUE);
            HBox.setHgrow(field, Priority.ALWAYS);
        }
        for (Region control : new Region[] {state, min, max, whole, search}) {
            control.setMinWidth(Region.USE_PREF_SIZE);
        }
        HBox fields = new HBox(8, texts);
        HBox choices = new HBox(8, state, min, max, whole, search, exportButton("Export CSV", "csv"), exportButton("Export JSON", "json"));
        choices.setAlignment(Pos.CENTER_LEFT);
        VBox rows = new VBox(6, fields, choices);
        rows.setId("search-filters");
        rows.setPadding(new Insets(0, 0, 8, 0));
        return rows;
    }

    /** The least a text field gives way to; in a 1024 px window the five share the row at about 155 px, their prompts whole. */
    private static final double FIELD_LEAST = 140;

    /** The details' widest useful width: a 36-character task id and its padding. */
    private static final double DETAILS_WIDTH = 330;

    /** Width left for the vertical scroll bar and the table's border, so that filling the width never scrolls sideways. */
    private static final double SCROLL_BAR_ROOM = 20;
    /** The widest a tenant, model or class column gets for its values, so one long value does not push the rest out of view. */
    private static final double VALUE_MOST = 200;
    /** The task ids' least width: below it, at 1024 px, the table scrolls sideways. */
    private static final double ID_LEAST = 160;
    /** A column header's padding either side of its words. */
    private static final double HEADER_ROOM = 20;

    private Parent results() {
        table.setId("search-results");
        table.setItems(model.results());
        // after a search that matched nothing, "Search to list tasks" read as if Enter had done nothing
        Label placeholder = new Label();
        placeholder.setId("search-placeholder");
        placeholder.textProperty().bind(javafx.beans.binding.Bindings.when(model.answeredProperty())
                .then("No task matches these filters").otherwise("Search to list tasks"));
        table.setPlaceholder(placeholder);
        // wide enough for each header with its sort arrow ("Waited ▼" read "Wai…" at 80 px and "Waite..." at 100 on an X display), and all of
        // them together (660 px at their least) beside the details at 1280 px
        // "Task" sorts by submission: the order ids were taken in (what "Waited" once claimed to sort by, wrongly)
        TableColumn<TaskView, String> ids = column("Task", TaskView::id, TaskSort.SUBMITTED, ID_LEAST);
        table.getColumns().add(ids);
        table.getColumns().add(column("State", v -> v.state().name().toLowerCase(Locale.ROOT), TaskSort.STATE, 90));
        table.getColumns().add(column("P", v -> "P" + v.priority(), TaskSort.PRIORITY, 60)); // "P ▲" read "…" at 50
        TableColumn<TaskView, String> tenant = column("Tenant", v -> orDash(v.spec().tenant()), TaskSort.TENANT, 90);
        TableColumn<TaskView, String> modelColumn = column("Model", v -> orDash(v.spec().model()), TaskSort.MODEL, 110);
        // Class and Waited do not sort: no arrow needs room in their headers (80 px holds "Waited" whole, 62.8 px in the theme's font, and "3600.0 s")
        TableColumn<TaskView, String> klass = column("Class", v -> orDash(v.spec().businessClass()), null, 70);
        TableColumn<TaskView, String> waited = column("Waited", SearchView::waited, null, 80);
        table.getColumns().addAll(List.of(tenant, modelColumn, klass, waited));
        // columns keep their widths and the table scrolls sideways: squeezed, every header was cut at 1280 px
        table.setColumnResizePolicy(TableView.UNCONSTRAINED_RESIZE_POLICY);
        // a tenant, model, class or wait as wide as its longest on the page, up to VALUE_MOST ("interactive" read "inter…" at
        // 70 px), out of the room the ids leave at ID_LEAST: any wider would push Class and Waited out of view at
        // 1280 px; room to spare then goes to the ids (they were cut with 200 px empty beside them at 1600 px)
        Map<TableColumn<TaskView, String>, Double> designed = Map.of(tenant, 90.0, modelColumn, 110.0, klass, 70.0, waited, 80.0);
        Runnable fit = () -> {
            Map<TableColumn<TaskView, String>, Double> more = new java.util.HashMap<>();
            designed.forEach((column, least) -> more.put(column,
                    Math.max(0, io.queuedeck.console.widgets.ColumnValues.need(table, column, VALUE_MOST) - least)));
            double fixed = table.getColumns().stream().filter(c -> c != ids && !designed.containsKey(c)).mapToDouble(TableColumn::getPrefWidth).sum()
                    + designed.values().stream().mapToDouble(Double::doubleValue).sum();
            // never less than its header: "Task, oldest first" read "Task, oldest fi…" at 160 px (1024 px)
            double idLeast = Math.max(ID_LEAST, Math.ceil(((Label) ids.getGraphic()).prefWidth(-1)) + HEADER_ROOM);
            double spare = Math.max(0, table.getWidth() - SCROLL_BAR_ROOM - idLeast - fixed);
            double wanted = more.values().stream().mapToDouble(Double::doubleValue).sum();
            double share = wanted <= spare ? 1 : spare / wanted; // short of room, each gets the same part of what it wants
            designed.forEach((column, least) -> {
                double width = Math.floor(least + more.get(column) * share);
                if (width != column.getPrefWidth()) { // set only when it changes: a set asks for another layout
                    column.setPrefWidth(width);
                }
            });
            double others = table.getColumns().stream().filter(c -> c != ids).mapToDouble(TableColumn::getPrefWidth).sum();
            double idWidth = Math.max(idLeast, table.getWidth() - others - SCROLL_BAR_ROOM);
            if (idWidth != ids.getPrefWidth()) {
                ids.setPrefWidth(idWidth);
            }
        };
        table.needsLayoutProperty().addListener((o, was, needs) -> {
            if (!needs) {
                fit.run(); // after a layout: the page's cells, and their font, are there to measure
            }
        });
        table.widthProperty().addListener((o, was, width) -> fit.run());
        table.getSelectionModel().selectedItemProperty().addListener((o, a, task) -> {
            if (task != null) {
                model.open(task);
            }
        });
        Button previous = new Button("◀ Previous");
        previous.setTooltip(new Tooltip("The previous page of matches"));
        previous.setOnAction(e -> model.previousPage());
        previous.disableProperty().bind(model.offsetProperty().isEqualTo(0));
        Button next = new Button("Next ▶");
        next.setTooltip(new Tooltip("The next page of matches"));
        next.setOnAction(e -> model.nextPage());
        next.disableProperty().bind(model.offsetProperty().add(SearchViewModel.PAGE).greaterThanOrEqualTo(model.totalProperty()));
        Label message = new Label();
        message.setId("search-message");
        message.textProperty().bind(model.messageProperty());
        message.setWrapText(true);
        // the buttons keep their words; a long message (an export's path) wraps instead
        previous.setMinWidth(Region.USE_PREF_SIZE);
        next.setMinWidth(Region.USE_PREF_SIZE);
        message.setMinWidth(0);
        HBox.setHgrow(message, Priority.ALWAYS);
        HBox pager = new HBox(8, previous, next, message);
        pager.setAlignment(Pos.CENTER_LEFT);
        pager.setPadding(new Insets(6, 0, 6, 0));
        VBox box = new VBox(table, pager);
        VBox.setVgrow(table, Priority.ALWAYS);
        return box;
    }

    private Button exportButton(String text, String extension) {
        Button button = new Button(text);
        button.setId("search-export-" + extension);
        button.setMinWidth(Region.USE_PREF_SIZE);
        button.setTooltip(new Tooltip("Write every task matching the last search's filter now (not only this page; at most "
                + String.format(Locale.ROOT, "%,d", io.queuedeck.engine.task.TaskSearch.MAX_DEPTH)
                + "), in the current order, to a ." + extension + " file"));
        button.setOnAction(e -> chooseFile.apply(extension).ifPresent(model::export));
        return button;
    }

    private Optional<Path> chooseWithDialog(String extension) {
        FileChooser chooser = new FileChooser();
        chooser.setInitialFileName("queuedeck-tasks." + extension);
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(extension.toUpperCase(Locale.ROOT), "*." + extension));
        File file = chooser.showSaveDialog(root.getScene().getWindow());
        return Optional.ofNullable(file).map(File::toPath);
    }

    private Parent details() {
        TextArea details = new TextArea();
        details.setId("search-details");
        details.setEditable(false);
        details.setTooltip(new Tooltip("The task opened from the results or by its id: every field the engine keeps"));
        details.setWrapText(true);
        details.setPrefColumnCount(28);
        details.textProperty().bind(model.openedProperty().map(SearchViewModel::details).orElse("Select a task, or type its id and press Enter"));
        Button close = new Button("Close");
        close.setTooltip(new Tooltip("Close this task's details"));
        close.setOnAction(e -> model.closeTask());
        close.disableProperty().bind(model.openedProperty().isNull());
        VBox box = new VBox(6, new Label("Task"), details, close);
        VBox.setVgrow(details, Priority.ALWAYS);
        box.setPadding(new Insets(0, 0, 0, 8));
        // a fixed 28 columns left the results 635 px at 1280: every column but the last two scrolled out
        // and no wider than a task id's line needs: at 1600 px the spare width went here while the ids were cut
        box.prefWidthProperty().bind(root.widthProperty().multiply(0.3).map(w -> Math.min(w.doubleValue(), DETAILS_WIDTH)));
        return box;
    }

    private Parent bulkBar() {
        ComboBox<BulkAction> action = new ComboBox<>(FXCollections.observableArrayList(BulkAction.values()));
        action.setId("bulk-action");
        action.setConverter(named(a -> a == null ? "" : a.key()));
        action.valueProperty().bindBidirectional(model.actionProperty());
        action.setTooltip(new Tooltip("What to do to every task the last search matched"));
        // every control of the bar keeps its place whatever is picked, counted or asked: Apply moved under the pointer
        action.setPrefWidth(150);
        action.setMinWidth(Region.USE_PREF_SIZE);
        ComboBox<Integer> priority = priorityBox("To P", model.targetPriorityProperty(), "The new priority, or the lane to move to");
        priority.getItems().remove(null); // a filter's "any"; a target needs a priority ("Reprioritize to Pnull")
        priority.disableProperty().bind(model.actionProperty().isEqualTo(BulkAction.CANCEL)
                .or(model.actionProperty().isEqualTo(BulkAction.RETRY)));
        ComboBox<String> position = new ComboBox<>(FXCollections.observableArrayList(null, "front", "back"));
        position.setConverter(named(p -> p == null ? "keep order" : p));
        position.valueProperty().bindBidirectional(model.positionProperty());
        position.disableProperty().bind(model.actionProperty().isNotEqualTo(BulkAction.MOVE));
        position.setTooltip(new Tooltip("A move: to the front or back of the lane, or keeping arrival order"));
        Button preview = new Button("Preview");
        preview.setId("bulk-preview");
        preview.setTooltip(new Tooltip("Count the tasks the action would change; nothing changes"));
        preview.setOnAction(e -> model.preview());
        Label count = new Label();
        count.setId("bulk-count");
        count.textProperty().bind(model.affectedProperty().map(n -> n.intValue() < 0 ? "" : SearchViewModel.tasks(n.intValue())));
        count.setPrefWidth(110); // "200,000 tasks"
        count.setMinWidth(Region.USE_PREF_SIZE);
        confirmField.setId("bulk-confirm");
        confirmField.setPromptText("type the count");
        confirmField.setPrefColumnCount(8);
        confirmField.visibleProperty().bind(model.confirmationRequiredProperty()); // its room is kept while hidden
        confirmField.setTooltip(new Tooltip("A destructive action over more than " + SearchViewModel.CONFIRM_ABOVE
                + " tasks: type their number to confirm"));
        applyButton.setId("bulk-apply");
        applyButton.disableProperty().bind(model.affectedProperty().lessThan(1));
        applyButton.setTooltip(new Tooltip("Apply to the counted tasks, in slices; progress below"));
        applyButton.setOnAction(e -> {
            if (model.apply(confirmField.getText())) {
                confirmField.clear();
            }
        });
        confirmField.setOnAction(e -> applyButton.fire()); // Enter after typing the count, as a click on Apply (never while it is off)
        ProgressBar progress = new ProgressBar(0);
        progress.setId("bulk-progress");
        progress.progressProperty().bind(model.operationProperty().map(SearchView::fraction).orElse(0.0));
        Button undo = new Button("Undo");
        undo.setId("bulk-undo");
        undo.setTooltip(new Tooltip("Put every task the last reprioritize or move changed back where it was"));
        undo.disableProperty().bind(model.operationProperty().map(op -> !op.undoable()).orElse(true));
        undo.setOnAction(e -> model.undo());
        Label name = new Label("Bulk");
        for (Region control : List.of(name, priority, position, preview, applyButton, undo)) {
            control.setMinWidth(Region.USE_PREF_SIZE); // at the window's least width they read "…", "kee…", "P…"
        }
        // groups that wrap as wholes: in a narrow window the later ones go below, and nothing is cut
        javafx.scene.layout.FlowPane bar = new javafx.scene.layout.FlowPane(24, 6, group(name, action, priority, position),
                group(preview, count, confirmField, applyButton), group(progress, undo));
        bar.getStyleClass().add(BULK_BAR_CLASS);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6, 0, 0, 0));
        return bar;
    }

    private static HBox group(Node... nodes) {
        HBox group = new HBox(8, nodes);
        group.setAlignment(Pos.CENTER_LEFT);
        return group;
    }

    private static double fraction(OperationStatus op) {
        if (op.finished()) {
            return 1.0;
        }
        return op.matched() <= 0 ? -1.0 : (double) op.processed() / op.matched(); // -1: indeterminate
    }

    /** A shared queue's task has no wait this node measured (negative): a dash, not a zero. */
    private static String waited(TaskView v) {
        return v.waitedNanos() < 0 ? "—" : String.format(Locale.ROOT, "%.1f s", v.waitedNanos() / 1e9);
    }

    private TableColumn<TaskView, String> column(String title, Function<TaskView, String> value, TaskSort sort, double width) {
        TableColumn<TaskView, String> column = new TableColumn<>();
        Label header = new Label(title);
        column.setGraphic(header);
        column.setSortable(false); // the engine sorts every match, not the page on screen
        column.setPrefWidth(width);
        column.setMinWidth(Math.min(width, 60));
        // client text shows its invisible characters by their code (decision 0135, 13)
        column.setCellValueFactory(cell -> new ReadOnlyObjectWrapper<>(VisibleText.of(value.apply(cell.getValue()))));
        if (sort != null) {
            header.setTooltip(new Tooltip("Sort every match by " + (sort == TaskSort.SUBMITTED ? "submission, oldest first"
                    : title.toLowerCase(Locale.ROOT)) + "; again to reverse"));
            header.setOnMouseClicked(e -> model.sortBy(sort));
            // "Task ▲" over ids out of alphabetical order read as a broken sort: say what it sorts by
            ObservableValue<String> arrow = model.sortProperty().flatMap(s -> model.descendingProperty()
                    .map(d -> s != sort ? title : sort == TaskSort.SUBMITTED ? title + (d ? ", newest first" : ", oldest first")
                            : title + (d ? " ▼" : " ▲")));
            header.textProperty().bind(arrow);
        } else { // "Waited" froze at the search's moment, and a click on it did nothing, unsaid
            header.getStyleClass().add(UNSORTABLE); // plain weight: it looks like what it is, a label, not a button
            header.setTooltip(new Tooltip(title.equals("Waited") ? "How long each task had waited when the search ran (search again"
                    + " to refresh); not sortable" : "Not sortable: the headers with a tooltip that says so sort every match"));
        }
        return column;
    }

    private static TextField field(String id, String prompt, javafx.beans.property.StringProperty property, String tip) {
        TextField field = new TextField();
        field.setId(id);
        field.setPromptText(prompt);
        field.setPrefColumnCount(10);
        field.setTooltip(new Tooltip(tip));
        field.textProperty().bindBidirectional(property);
        return field;
    }

    private static ComboBox<Integer> priorityBox(String prompt, javafx.beans.property.ObjectProperty<Integer> property, String tip) {
        // steady: a priority chosen in Min P widened it and pushed Max P onto the next row, away from the pointer
        ComboBox<Integer> box = new io.queuedeck.console.widgets.SteadyComboBox<>();
        box.getItems().setAll(java.util.Arrays.asList(null, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        box.setPromptText(prompt);
        box.setConverter(named(p -> p == null ? prompt : "P" + p));
        box.valueProperty().bindBidirectional(property);
        box.setTooltip(new Tooltip(tip));
        return box;
    }

    private static <T> StringConverter<T> named(Function<T, String> name) {
        return new StringConverter<>() {
            @Override
            public String toString(T value) {
                return name.apply(value);
            }

            @Override
            public T fromString(String text) {
                throw new UnsupportedOperationException("choices only");
            }
        };
    }

    private static String orDash(String text) {
        return text == null ? "—" : text;
    }

    public Parent root() {
        return root;
    }
}
