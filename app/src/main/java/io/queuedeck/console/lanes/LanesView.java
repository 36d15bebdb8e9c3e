package io.queuedeck.console.lanes;

import io.queuedeck.console.lanes.LanesViewModel.Lane;
import io.queuedeck.console.lanes.LanesViewModel.TaskRow;
import io.queuedeck.console.ui.Fxml;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javafx.fxml.FXML;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.Tooltip;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.DragEvent;
import javafx.scene.input.Dragboard;
import javafx.scene.input.KeyCode;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import atlantafx.base.controls.CustomTextField;
import atlantafx.base.theme.Styles;

/**
 * One virtualized list per priority (no node per task: a 100,000-task queue costs a screenful
 * of cells), and one of the dead letters. Drag tasks onto another lane to reprioritize them, or
 * onto a row to put them just above it; Alt+arrows move them within their lane; multi-select
 * with Shift/Ctrl for bulk moves, cancels and retries.
 */
public final class LanesView {
    /** Key in each lane ListView's properties: the {@code Consumer<List<String>>} a drop calls. */
    public static final String DROP_HANDLER = "qd.lane.drop";
    /** Key in each lane ListView's properties: the {@code BiConsumer<List<String>, String>} a drop onto a row calls (ids, row's id). */
    public static final String ROW_DROP_HANDLER = "qd.lane.rowDrop";
    private static final javafx.css.PseudoClass DROP_BEFORE = javafx.css.PseudoClass.getPseudoClass("drop-before");
    private static final javafx.css.PseudoClass DROP_TARGET = javafx.css.PseudoClass.getPseudoClass("drop-target");
    public static final String LANE_CLASS = "qd-lane";

    private final LanesViewModel model;
    private final Parent root;
    private final List<ListView<TaskRow>> lists = new ArrayList<>();
    private ListView<TaskRow> focused;
    @FXML
    private GridPane laneGrid;
    @FXML
    private HBox toolbar;
    @FXML
    private MenuButton moveButton;
    @FXML
    private Button cancelButton;
    @FXML
    private Label hint;
    @FXML
    private HBox tierBar;
    @FXML
    private VBox inspector;
    @FXML
    private Button closeInspector;
    @FXML
    private Label inspectorSummary;
    @FXML
    private ListView<String> timeline;

    public LanesView(LanesViewModel model) {
        this.model = model;
        this.root = Fxml.load(this, "Lanes");

        // AtlantaFX's field: ControlsFX's clearable field brings Modena lookups the theme lacks
        CustomTextField search = new CustomTextField();
        Button clear = new Button("✕");
        clear.getStyleClass().addAll(Styles.BUTTON_ICON, Styles.FLAT, Styles.SMALL);
        clear.setTooltip(new Tooltip("Clear the filter"));
        clear.setOnAction(e -> search.clear());
        clear.visibleProperty().bind(search.textProperty().isNotEmpty());
        search.setRight(clear);
        search.setId("lanes-search");
        search.setPromptText("Filter by id, model, tenant, state · Enter: look up an id");
        search.setPrefWidth(300);
        search.setTooltip(new Tooltip("Show only tasks whose id, model, tenant or state contains this text"));
        model.filterProperty().bind(search.textProperty());
        // Enter looks the text up as a task id in the whole engine, beyond the tasks listed here
        search.setOnAction(e -> {
            if (!search.getText().isBlank()) {
                model.inspect(search.getText().trim());
            }
        });
        String defaultHint = hint.getText();
        model.noticeProperty().addListener((o, a, v) -> hint.setText(v.isEmpty() ? defaultHint : v));
        toolbar.getChildren().add(0, search);

        moveButton.setTooltip(new Tooltip("Move the selected tasks within their lane, or to another priority (or drag them)"));
        for (LanesViewModel.Shift shift : LanesViewModel.Shift.values()) {
            MenuItem item = new MenuItem(switch (shift) {
                case UP -> "Up one (Alt+↑)";
                case DOWN -> "Down one (Alt+↓)";
                case FRONT -> "To the front of the lane (Alt+Home)";
                case BACK -> "To the back of the lane (Alt+End)";
            });
            item.setId("lanes-shift-" + shift.name().toLowerCase(Locale.ROOT));
            item.disableProperty().bind(model.laneOrderKeptProperty().not());
            item.setOnAction(e -> model.shift(selectedIds(), shift));
            moveButton.getItems().add(item);
        }
        moveButton.getItems().add(new javafx.scene.control.SeparatorMenuItem());
        for (int p = 0; p < LanesViewModel.LANES; p++) {
            int priority = p;
            MenuItem item = new MenuItem("to P" + p);
            item.setId("lanes-move-to-" + p);
            item.setOnAction(e -> model.move(selectedIds(), priority));
            moveButton.getItems().add(item);
        }
        for (io.queuedeck.engine.tier.Tier tier : List.of(io.queuedeck.engine.tier.Tier.CORE,
                io.queuedeck.engine.tier.Tier.NORMAL, io.queuedeck.engine.tier.Tier.BATCH)) {
            tierBar.getChildren().add(tierControl(tier));
        }
        javafx.scene.control.ToggleButton levelButton = new javafx.scene.control.ToggleButton("By policy level");
        levelButton.setId("lanes-by-level");
        levelButton.setTooltip(new Tooltip("Show one lane per level of the live policy (MLFQ) instead of per priority"));
        levelButton.disableProperty().bind(model.levelsProperty().lessThan(2));
        levelButton.selectedProperty().addListener((o, a, v) -> model.setByLevel(v));
        model.byLevelProperty().addListener((o, a, v) -> levelButton.setSelected(v));
        toolbar.getChildren().add(toolbar.getChildren().indexOf(cancelButton) + 1, levelButton);
        for (javafx.scene.Node node : toolbar.getChildren()) {
            if (node instanceof javafx.scene.control.ButtonBase || node instanceof MenuButton) {
                ((Region) node).setMinWidth(Region.USE_PREF_SIZE); // the hint gives way, not the buttons
            }
        }
        search.setMinWidth(220);
        Label tierHint = new Label("paused: tasks stay queued · draining: no new submissions, empties");
        tierHint.getStyleClass().add("lanes-hint");
        tierBar.getChildren().add(tierHint);
        cancelButton.setTooltip(new Tooltip("Cancel the selected tasks (Delete)"));
        cancelButton.setOnAction(e -> model.cancel(selectedIds()));

        closeInspector.setTooltip(new Tooltip("Close the inspector"));
        closeInspector.setOnAction(e -> showInspector(null));
        model.inspectedProperty().addListener((o, a, details) -> showInspector(details));

        for (Lane lane : model.lanes()) {
            VBox box = laneBox(lane);
            int p = lane.priority();
            laneGrid.add(box, p % 5, p / 5);
        }
        laneGrid.add(deadLetterBox(), 5, 0, 1, 2);
    }

    /** The dead letters: multi-select, Retry (or R) queues them again, double-click inspects. */
    private VBox deadLetterBox() {
        Label title = new Label("Dead letters");
        title.getStyleClass().add("lane-title");
        Label count = new Label("0");
        count.getStyleClass().add("lane-count");
        count.setId("lane-dead-count");
        Runnable showCount = () -> {
            int shown = model.deadLetters().size();
            int total = Math.max(shown, model.deadLetterTotalProperty().get());
            count.setText(shown < total ? String.format(Locale.ROOT, "%,d of %,d", shown, total)
                    : String.format(Locale.ROOT, "%,d", total));
        };
        model.deadLetters().addListener((javafx.collections.ListChangeListener<TaskRow>) c -> showCount.run());
        model.deadLetterTotalProperty().addListener((o, a, v) -> showCount.run());
        showCount.run();
        ListView<TaskRow> list = taskList(model.deadLetters(), "lane-dead", "none", null);
        Button retry = new Button("Retry selected");
        retry.setMaxWidth(Double.MAX_VALUE);
        retry.setId("lanes-retry");
        retry.getStyleClass().add(Styles.SMALL);
        retry.setTooltip(new Tooltip("Queue the selected dead letters again, each with a fresh set of attempts (R)"));
        retry.disableProperty().bind(javafx.beans.binding.Bindings.isEmpty(list.getSelectionModel().getSelectedItems()));
        Runnable retrySelected = () -> model.retry(list.getSelectionModel().getSelectedItems().stream().map(TaskRow::id).toList());
        retry.setOnAction(e -> retrySelected.run());
        list.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.R) {
                retrySelected.run();
            } else if (e.getCode() == KeyCode.ENTER && list.getSelectionModel().getSelectedItem() != null) {
                model.inspect(list.getSelectionModel().getSelectedItem().id());
            }
        });
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox head = new HBox(6, title, spacer, count);
        head.setAlignment(Pos.CENTER_LEFT);
        VBox.setVgrow(list, Priority.ALWAYS);
        VBox box = new VBox(6, head, list, retry);
        box.getStyleClass().addAll(LANE_CLASS, "dead-lane");
        box.setMinWidth(0); // the grid's percentages decide, never the lane's contents
        GridPane.setHgrow(box, Priority.ALWAYS);
        GridPane.setVgrow(box, Priority.ALWAYS);
        return box;
    }

    /** A multi-select list of task rows; double-click inspects. {@code rowDrop}: see {@link TaskCell}. */
    private ListView<TaskRow> taskList(javafx.collections.ObservableList<TaskRow> rows, String id, String placeholder,
                                       java.util.function.BiConsumer<List<String>, String> rowDrop) {
        ListView<TaskRow> list = new ListView<>(rows);
        list.setId(id);
        list.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        list.setPlaceholder(new Label(placeholder));
        list.setFixedCellSize(44);
        list.setCellFactory(l -> {
            TaskCell cell = new TaskCell(rowDrop, model.byLevelProperty());
            cell.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && cell.getItem() != null) {
                    model.inspect(cell.getItem().id());
                }
            });
            return cell;
        });
        return list;
    }

    /** "⋮": pause, drain or resume this one lane. */
    private MenuButton laneMenu(Lane lane) {
        MenuButton menu = new MenuButton("⋮");
        menu.setId("lane-" + lane.priority() + "-menu");
        menu.getStyleClass().addAll(Styles.FLAT, Styles.SMALL, atlantafx.base.theme.Tweaks.NO_ARROW, "lane-menu");
        menu.setTooltip(new Tooltip("Pause, drain or resume lane P" + lane.priority() + " on its own"));
        for (io.queuedeck.engine.tier.TierMode mode : io.queuedeck.engine.tier.TierMode.values()) {
            MenuItem item = new MenuItem(switch (mode) {
                case ACTIVE -> "Resume lane";
                case PAUSED -> "Pause lane (tasks stay queued)";
                case DRAINING -> "Drain lane (no new submissions)";
            });
            item.setId("lane-" + lane.priority() + "-" + mode.name().toLowerCase(Locale.ROOT));
            item.setOnAction(e -> model.setLaneMode(lane.priority(), mode));
            menu.getItems().add(item);
        }
        menu.disableProperty().bind(model.byLevelProperty());
        return menu;
    }

    public Parent root() {
        return root;
    }

    /** "core: [active ▾]": pause, drain or reactivate one tier's lanes. */
    private HBox tierControl(io.queuedeck.engine.tier.Tier tier) {
        String name = tier.name().toLowerCase(Locale.ROOT);
        Label label = new Label(name);
        label.getStyleClass().addAll("tier-label", "tier-" + name);
        javafx.scene.control.ComboBox<io.queuedeck.engine.tier.TierMode> box = new javafx.scene.control.ComboBox<>();
        box.setId("lanes-tier-" + name);
        box.getItems().setAll(io.queuedeck.engine.tier.TierMode.values());
        box.setValue(io.queuedeck.engine.tier.TierMode.ACTIVE);
        box.setTooltip(new Tooltip("The " + name + " tier (" + switch (tier) {
            case CORE -> "P0-P2";
            case NORMAL -> "P3-P6";
            default -> "P7-P9";
        } + "): ACTIVE dispatches; PAUSED keeps its tasks queued; DRAINING refuses new submissions and empties it"));
        boolean[] fromEngine = {false};
        box.valueProperty().addListener((o, a, v) -> {
            if (!fromEngine[0] && v != null) {
                model.setTierMode(tier, v);
            }
        });
        model.tierModesProperty().addListener((o, a, modes) -> {
            io.queuedeck.engine.tier.TierMode live = modes.get(tier);
            if (live != null && live != box.getValue()) {
                fromEngine[0] = true; // the engine's truth, not a new command
                box.setValue(live);
                fromEngine[0] = false;
            }
        });
        HBox control = new HBox(4, label, box);
        control.setAlignment(Pos.CENTER_LEFT);
        return control;
    }

    private VBox laneBox(Lane lane) {
        Label title = new Label();
        title.textProperty().bind(lane.titleProperty());
        title.getStyleClass().add("lane-title");
        title.setMinWidth(32); // a narrow lane shortens its title ("P5…"), never its count
        title.getStyleClass().add("tier-" + io.queuedeck.engine.tier.Tier.of(lane.priority()).name().toLowerCase(Locale.ROOT));
        Label count = new Label();
        count.getStyleClass().add("lane-count");
        count.setId("lane-" + lane.priority() + "-count");
        count.setMinWidth(Region.USE_PREF_SIZE);
        lane.totalProperty().addListener((o, a, v) -> count.setText(countText(lane)));
        lane.tasks().addListener((javafx.collections.ListChangeListener<TaskRow>) c -> count.setText(countText(lane)));
        count.setText(countText(lane));
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Label mode = new Label();
        mode.getStyleClass().add("lane-mode");
        mode.setId("lane-" + lane.priority() + "-mode");
        mode.setVisible(false);
        lane.modeProperty().addListener((o, a, m) -> {
            boolean active = m == io.queuedeck.engine.tier.TierMode.ACTIVE;
            mode.setVisible(!active);
            mode.setText(active ? "" : m.name().toLowerCase(Locale.ROOT));
        });
        HBox head = new HBox(6, title, mode, spacer, count, laneMenu(lane));
        head.setAlignment(Pos.CENTER_LEFT);

        java.util.function.BiConsumer<List<String>, String> rowDrop = (ids, beforeId) -> model.drop(ids, lane.priority(), beforeId);
        ListView<TaskRow> list = taskList(lane.tasks(), "lane-" + lane.priority(), "empty", rowDrop);
        list.getProperties().put(ROW_DROP_HANDLER, rowDrop);
        list.focusedProperty().addListener((o, a, f) -> {
            if (f) {
                focused = list;
            }
        });
        list.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.DELETE) {
                model.cancel(selectedIds());
            } else if (e.getCode() == KeyCode.ENTER && list.getSelectionModel().getSelectedItem() != null) {
                model.inspect(list.getSelectionModel().getSelectedItem().id());
            } else if (e.isAltDown() && shiftFor(e.getCode()) != null) {
                model.shift(selectedIds(), shiftFor(e.getCode()));
                e.consume(); // not the list's own selection move
            }
        });
        Consumer<List<String>> drop = ids -> model.drop(ids, lane.priority());
        list.getProperties().put(DROP_HANDLER, drop);
        list.setOnDragOver(e -> {
            if (!model.byLevelProperty().get() && e.getDragboard().hasString()
                    && e.getGestureSource() instanceof TaskCell cell && cell.getListView() != list) {
                e.acceptTransferModes(TransferMode.MOVE);
                list.pseudoClassStateChanged(DROP_TARGET, true);
            }
            e.consume();
        });
        list.setOnDragExited(e -> list.pseudoClassStateChanged(DROP_TARGET, false));
        list.setOnDragDropped(e -> onDrop(e, drop));
        VBox.setVgrow(list, Priority.ALWAYS);
        lists.add(list);

        VBox box = new VBox(6, head, list);
        box.getStyleClass().add(LANE_CLASS);
        box.setMinWidth(0); // the grid's percentages decide, never the lane's contents: a wide lane would push the window's header off screen
        GridPane.setHgrow(box, Priority.ALWAYS);
        GridPane.setVgrow(box, Priority.ALWAYS);
        return box;
    }

    private void showInspector(TaskDetails d) {
        boolean show = d != null;
        inspector.setVisible(show);
        inspector.setManaged(show);
        if (!show) {
            return;
        }
        inspectorSummary.setText(String.format(Locale.ROOT,
                "id        %s%nmodel     %s%ntenant    %s%npriority  P%d%nstate     %s%ninstance  %s%n"
                        + "attempts  %d   preemptions %d%ntokens    %d prompt, %d/%d generated%n"
                        + "waited    %s%nTTFT      %s%ne2e       %s%s",
                d.id(), d.model(), d.tenant().isEmpty() ? "–" : d.tenant(), d.priority(), d.state(),
                d.instance() < 0 ? "–" : "GPU " + d.instance(), d.attempts(), d.preemptions(), d.promptTokens(),
                d.generatedTokens(), d.outputTokens(), ms(d.waitMs()), ms(d.ttftMs()), ms(d.e2eMs()),
                d.error() == null ? "" : "%nerror     ".formatted() + d.error()));
        timeline.getItems().setAll(d.timeline());
        if (!d.score().isEmpty()) {
            timeline.getItems().add("");
            timeline.getItems().add("Score (weighted policy):");
            timeline.getItems().addAll(d.score());
        }
    }

    private static String ms(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%,.0f ms", value);
    }

    private static void onDrop(DragEvent e, Consumer<List<String>> drop) {
        Dragboard board = e.getDragboard();
        boolean done = false;
        if (board.hasString()) {
            drop.accept(draggedIds(board));
            done = true;
        }
        e.setDropCompleted(done);
        e.consume();
    }

    private static String countText(Lane lane) {
        int total = lane.totalProperty().get();
        int shown = lane.tasks().size();
        return shown < total && shown > 0 ? String.format(Locale.ROOT, "%,d of %,d", shown, total) : String.format(Locale.ROOT, "%,d", total);
    }

    private static LanesViewModel.Shift shiftFor(KeyCode code) {
        return switch (code) {
            case UP -> LanesViewModel.Shift.UP;
            case DOWN -> LanesViewModel.Shift.DOWN;
            case HOME -> LanesViewModel.Shift.FRONT;
            case END -> LanesViewModel.Shift.BACK;
            default -> null;
        };
    }

    private static List<String> draggedIds(Dragboard board) {
        return Arrays.stream(board.getString().split("\n")).filter(s -> !s.isBlank()).toList();
    }

    private List<String> selectedIds() {
        ListView<TaskRow> list = focused;
        List<String> ids = new ArrayList<>();
        for (ListView<TaskRow> l : lists) {
            if (list == null || l == list) {
                l.getSelectionModel().getSelectedItems().forEach(r -> ids.add(r.id()));
            }
        }
        return ids;
    }

    /**
     * Two lines per task: id and wait; model, tenant, sizes, attempts. A task dragged onto a row
     * goes just above it ({@code rowDrop}: dragged ids, this row's id; null where rows take no drops).
     */
    private static final class TaskCell extends ListCell<TaskRow> {
        TaskCell(java.util.function.BiConsumer<List<String>, String> rowDrop, javafx.beans.value.ObservableBooleanValue levelView) {
            getStyleClass().add("task-cell");
            if (rowDrop != null) {
                setOnDragOver(e -> {
                    if (getItem() != null && !levelView.get() && e.getDragboard().hasString()
                            && e.getGestureSource() instanceof TaskCell && e.getGestureSource() != this) {
                        e.acceptTransferModes(TransferMode.MOVE);
                        pseudoClassStateChanged(DROP_BEFORE, true);
                        e.consume();
                    }
                });
                setOnDragExited(e -> pseudoClassStateChanged(DROP_BEFORE, false));
                setOnDragDropped(e -> {
                    if (getItem() != null && e.getDragboard().hasString()) {
                        rowDrop.accept(draggedIds(e.getDragboard()), getItem().id());
                        e.setDropCompleted(true);
                        e.consume();
                    }
                });
            }
            setPrefWidth(0); // cells take the lane's width: no horizontal scrolling for long lines
            setOnDragDetected(e -> {
                TaskRow row = getItem();
                if (row == null || rowDrop == null) { // dead letters are retried, not dragged
                    return;
                }
                List<String> ids = getListView().getSelectionModel().getSelectedItems().stream().map(TaskRow::id).toList();
                if (!ids.contains(row.id())) {
                    ids = List.of(row.id());
                }
                Dragboard board = startDragAndDrop(TransferMode.MOVE);
                ClipboardContent content = new ClipboardContent();
                content.putString(String.join("\n", ids));
                board.setContent(content);
                e.consume();
            });
        }

        @Override
        protected void updateItem(TaskRow row, boolean empty) {
            super.updateItem(row, empty);
            if (empty || row == null) {
                setText(null);
                setTooltip(null);
                return;
            }
            String shortId = row.id().length() > 13 ? row.id().substring(0, 13) + "…" : row.id();
            setText(String.format(Locale.ROOT, "%s   waited %.1f s%n%s%s · %d→%d tok%s%s", shortId, row.waitedMs() / 1000,
                    row.model(), row.tenant().isEmpty() ? "" : " · " + row.tenant(), row.promptTokens(), row.outputTokens(),
                    row.attempts() > 1 ? " · attempt " + row.attempts() : "",
                    row.state().equals("queued") ? "" : " · " + row.state()));
        }
    }
}
