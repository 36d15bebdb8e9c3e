package io.queuedeck.console.lanes;

import atlantafx.base.controls.CustomTextField;
import atlantafx.base.theme.Styles;
import io.queuedeck.console.lanes.LanesViewModel.Lane;
import io.queuedeck.console.lanes.LanesViewModel.TaskRow;
import io.queuedeck.console.ui.Fxml;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javafx.beans.binding.Bindings;
import javafx.event.EventHandler;
import javafx.fxml.FXML;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBase;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.input.DragEvent;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/**
 * One virtualized list per priority (no node per task: a 100,000-task queue costs a screenful
 * of cells), and one of the dead letters. Drag tasks onto another lane to reprioritize them, or
 * onto a row to put them just above it; Alt+arrows move them within their lane; multi-select
 * with Shift/Ctrl for bulk moves, cancels and retries. Lanes never shrink below
 * {@value #LANE_MIN_WIDTH} px: a narrow window, or the docked inspector, scrolls them sideways.
 */
public final class LanesView {
    /**
     * A level lane's placeholder when its tasks are counted but not listed: the lanes list the first
     * {@value LanesViewModel#LIMIT_PER_LANE} of each priority, and a lower level's tasks come after them.
     */
    static final String NOT_LISTED_LEVEL = "waiting behind the first 1,000 of each priority: not listed";

    /** Key in each lane ListView's properties: the {@code Consumer<List<String>>} a drop calls. */
    public static final String DROP_HANDLER = "qd.lane.drop";
    public static final String LANE_CLASS = LaneColumn.LANE_CLASS;
    /** Narrowest a lane gets: its title, compact count and menu fit at this width. */
    public static final double LANE_MIN_WIDTH = 150;
    /** The screen's own minimum height: below it the lists would hold no row. */
    static final double LANES_MIN_HEIGHT = 420;
    private static final javafx.css.PseudoClass DROP_TARGET = javafx.css.PseudoClass.getPseudoClass("drop-target");
    private static final String DEFAULT_HINT = "Drag onto a lane or a row · Alt+↑/↓ moves within a lane · double-click inspects · Del cancels · F1 help";
    /** Under a policy that orders each lane itself, a move within a lane is refused: not offered either. */
    private static final String SCORED_HINT = "Drag onto a lane · the policy orders each lane · double-click inspects · Del cancels · F1 help";
    /** Where the whole hint does not fit (1280 px): the rest is in its tooltip and F1. */
    private static final String SHORT_HINT = "Drag onto a lane or a row · F1 help";
    private static final String SHORT_SCORED_HINT = "Drag onto a lane · F1 help";
    /** Where not even the short form fits (the lanes' room in a 1024 px window). */
    private static final String LEAST_HINT = "F1 help";
    /**
     * A notice too long for the toolbar, whose first words before a colon do not fit either: the
     * console's notifications show it whole (or showed it, a refusal), and its tooltip has it.
     */
    private static final String NOTICE_ELSEWHERE = "See the notice ↘";
    /** The hint's least width holds this, a notice's usual first words: the filter field gives way to it. */
    private static final String HINT_LEAST = "Nothing selected";

    private final LanesViewModel model;
    private final Parent root;
    private final List<ListView<TaskRow>> lists = new ArrayList<>();
    private final CancelQuestion cancelQuestion;
    private ListView<TaskRow> focused;
    @FXML
    private BorderPane lanesRoot;
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

    public LanesView(LanesViewModel model) {
        this.model = model;
        this.root = Fxml.load(this, "Lanes");
        toolbar.getChildren().addFirst(searchField());
        hint.setText(DEFAULT_HINT);
        // the hint takes what the controls leave and no more: a notice of another length moves no button;
        // at 1024 px they left it 50 px and a notice read "Nothi…": the filter field gives it room for a notice's head
        hint.setMinWidth(Math.ceil(Math.max(textWidth(HINT_LEAST), textWidth(NOTICE_ELSEWHERE))) + 2);
        hint.setPrefWidth(0);
        hint.setMaxWidth(Double.MAX_VALUE);
        hint.setAlignment(javafx.geometry.Pos.CENTER_RIGHT);
        HBox.setHgrow(hint, javafx.scene.layout.Priority.ALWAYS);
        hint.setTooltip(new Tooltip(DEFAULT_HINT));
        Runnable showHint = () -> {
            String v = model.noticeProperty().get();
            boolean kept = model.laneOrderKeptProperty().get();
            String whole = !v.isEmpty() ? v : kept ? DEFAULT_HINT : SCORED_HINT;
            double room = hint.getWidth() - hint.snappedLeftInset() - hint.snappedRightInset();
            boolean fits = textWidth(whole) <= room;
            String brief = kept ? SHORT_HINT : SHORT_SCORED_HINT;
            // at 1024 px even the short form read "Drag …": then only where the rest is, whole; a notice
            // shows whole, or its words before a colon ("Nothing selected"), or where it is, never cut
            hint.setText(fits ? whole : !v.isEmpty() ? noticeHead(v, room) : textWidth(brief) <= room ? brief : LEAST_HINT);
            hint.getTooltip().setText(whole);
            // a notice the toolbar cuts (at 1024 px it had room for "dc16…") is said where it is read whole, once
            if (v.isEmpty()) {
                noticeSaidElsewhere = null;
            } else if (!fits && toolbar.getWidth() > 0 && !v.equals(noticeSaidElsewhere) && !model.isRefusal(v)) {
                noticeSaidElsewhere = v;
                noticeCut.accept(v);
            }
        };
        model.laneOrderKeptProperty().addListener((o, a, v) -> showHint.run());
        model.noticeProperty().addListener((o, a, v) -> showHint.run());
        hint.widthProperty().addListener((o, a, v) -> showHint.run());
        showHint.run();

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
            item.setOnAction(e -> keepingSelection(ids -> model.shift(ids, shift)));
            moveButton.getItems().add(item);
        }
        moveButton.getItems().add(new SeparatorMenuItem());
        List<MenuItem> moveTo = new ArrayList<>();
        for (int p = 0; p < LanesViewModel.LANES; p++) {
            int priority = p;
            MenuItem item = new MenuItem("to P" + p + " · " + LaneColumn.tierName(p));
            moveTo.add(item);
            item.setId("lanes-move-to-" + p);
            item.setOnAction(e -> keepingSelection(ids -> model.move(ids, priority)));
            moveButton.getItems().add(item);
        }
        showTiers(io.queuedeck.engine.tier.Tiers.DEFAULT.list());
        // the engine's own tier table (decision 0061) arrives with its first snapshot
        model.tierModesProperty().addListener((o, a, modes) -> {
            if (!modes.isEmpty() && (a == null || !a.keySet().equals(modes.keySet()))) {
                showTiers(io.queuedeck.engine.tier.Tiers.of(modes.keySet()).list());
                for (int p = 0; p < laneTitles.size(); p++) {
                    TierShades.paint(laneTitles.get(p), TierShades.of(shownTable, p));
                }
                for (int p = 0; p < moveTo.size(); p++) {
                    moveTo.get(p).setText("to " + LanesViewModel.Lane.priorityTitle(p, modes));
                }
            }
        });
        ToggleButton levelButton = new ToggleButton("By policy level");
        levelButton.setId("lanes-by-level");
        levelButton.setTooltip(new Tooltip("Show one lane per level of the live policy (MLFQ) instead of per priority"));
        levelButton.disableProperty().bind(model.levelsProperty().lessThan(2));
        levelButton.selectedProperty().addListener((o, a, v) -> model.setByLevel(v));
        model.byLevelProperty().addListener((o, a, v) -> levelButton.setSelected(v));
        toolbar.getChildren().add(toolbar.getChildren().indexOf(cancelButton) + 1, levelButton);
        for (Node node : toolbar.getChildren()) {
            if (node instanceof ButtonBase || node instanceof MenuButton) {
                ((Region) node).setMinWidth(Region.USE_PREF_SIZE); // the hint gives way, not the buttons
            }
        }
        Label tierHint = new Label(TIER_HINTS.getFirst());
        tierHint.setId("lanes-tier-hint");
        tierHint.getStyleClass().add("lanes-hint");
        tierHint.setTooltip(new Tooltip(TIER_HINTS.getFirst()));
        // the room the mode boxes leave, on two lines or in short where one does not hold it (a 1024 px window
        // cut it to "paused: tasks stay queued · dra…"); never cut: the shortest form's width is its minimum
        tierHint.setPrefWidth(0);
        tierHint.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(tierHint, javafx.scene.layout.Priority.ALWAYS);
        tierHint.setMinWidth(widestLine(TIER_HINTS.getLast()) + 1);
        tierHint.widthProperty().addListener((o, a, v) -> {
            double room = v.doubleValue() - tierHint.snappedLeftInset() - tierHint.snappedRightInset();
            tierHint.setText(TIER_HINTS.stream().filter(form -> widestLine(form) <= room).findFirst().orElse(TIER_HINTS.getLast()));
        });
        tierBar.getChildren().add(tierHint);
        cancelButton.setTooltip(new Tooltip("Cancel the selected tasks (Delete); asks first"));
        cancelQuestion = new CancelQuestion(lanesRoot, tierBar, model::cancel);
        cancelButton.setOnAction(e -> cancelQuestion.ask(selectedIds()));

        GridPane grid = new GridPane() {
            @Override
            protected void layoutChildren() {
                fitColumns(this); // a tier table's names arrive with the first snapshot; the theme changes fonts
                super.layoutChildren();
            }
        };
        grid.setId("lanes-grid");
        grid.getStyleClass().add("lanes-grid");
        grid.setHgap(10);
        grid.setVgap(10);
        for (int c = 0; c < 6; c++) {
            // equal shares of what there is, never less than the widest lane's need (fitColumns; no percentages: they ignore minimums)
            ColumnConstraints column = new ColumnConstraints(LANE_MIN_WIDTH, LANE_MIN_WIDTH, Double.MAX_VALUE);
            column.setHgrow(Priority.ALWAYS);
            grid.getColumnConstraints().add(column);
        }
        for (int r = 0; r < 2; r++) {
            javafx.scene.layout.RowConstraints row = new javafx.scene.layout.RowConstraints();
            row.setPercentHeight(50);
            row.setVgrow(Priority.ALWAYS);
            grid.getRowConstraints().add(row);
        }
        for (Lane lane : model.lanes()) {
            int p = lane.priority();
            grid.add(laneBox(lane), p % 5, p / 5);
        }
        grid.add(DeadLetterColumn.of(model), 5, 0, 1, 2);
        // the lanes shown change with the view: their widths are measured again
        model.byLevelProperty().addListener(o -> grid.requestLayout());
        model.levelsProperty().addListener(o -> grid.requestLayout());
        ScrollPane scroller = new ScrollPane(grid);
        scroller.setId("lanes-scroller");
        scroller.getStyleClass().add("lanes-scroller");
        scroller.setFitToHeight(true);
        scroller.setVbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        // the grid fills the width it is given, down to the lanes' minimum; below that it scrolls sideways
        fitToWidth = () -> {
            boolean fits = scroller.getViewportBounds().getWidth() >= grid.minWidth(-1);
            if (scroller.isFitToWidth() != fits) {
                scroller.setFitToWidth(fits);
                // the scroller sizes its content again only when the content asks: changed while the screen
                // was shown again after a resize elsewhere, the grid kept its old width until the next resize
                javafx.application.Platform.runLater(grid::requestLayout);
            }
        };
        scroller.viewportBoundsProperty().addListener((o, a, b) -> fitToWidth.run());
        lanesRoot.setCenter(scroller);
        // the lanes' lists scroll, not the screen: however short the window,
        // the screen takes the height it is given and every lane, menu and button stays in view
        scroller.setMinHeight(0);
        lanesRoot.setMinHeight(LANES_MIN_HEIGHT);
        InspectorPane inspector = new InspectorPane(model.inspector(),
                p -> LanesViewModel.Lane.priorityTitle(p, model.tierModesProperty().get()), id -> cancelQuestion.ask(List.of(id)));
        lanesRoot.setRight(inspector.root());
        // Esc closes the inspector wherever focus is on the screen (a lane's row, the inspector's own
        // lists, which take Esc for themselves) and, while the screen is shown, wherever else focus was
        // left (the navigation button that opened it, the header); the filter field keeps Esc for its text
        EventHandler<KeyEvent> escape = e -> {
            if (e.getCode() == KeyCode.ESCAPE && !e.isConsumed() && model.inspector().inspectedProperty().get() != null
                    && !(e.getTarget() instanceof TextInputControl)) {
                model.inspector().close();
                e.consume();
            }
        };
        lanesRoot.addEventFilter(KeyEvent.KEY_PRESSED, escape);
        lanesRoot.sceneProperty().addListener((o, was, now) -> {
            if (was != null) {
                was.removeEventHandler(KeyEvent.KEY_PRESSED, escape);
            }
            if (now != null) {
                now.addEventHandler(KeyEvent.KEY_PRESSED, escape); // what nothing on the way took
            }
        });
        // the inspector gives way (down to its own minimum) before the lanes do; below that the lanes scroll
        shareWidth = () -> inspector.root().setPrefWidth(Math.clamp(lanesRoot.getWidth() - grid.minWidth(-1),
                InspectorPane.MIN_WIDTH, InspectorPane.WIDTH));
        lanesRoot.widthProperty().addListener((o, a, w) -> shareWidth.run());
    }

    private Runnable fitToWidth = () -> { };
    private Runnable shareWidth = () -> { };

    /**
     * Every column as wide as the widest lane needs (its priority, its tier's name, a count up to
     * "100k" and its ⋮ menu), never less than {@value #LANE_MIN_WIDTH}: equal columns, and no tier name
     * cut however narrow the window or wide the inspector (the grid scrolls sideways instead).
     */
    private void fitColumns(GridPane grid) {
        double need = LANE_MIN_WIDTH;
        for (Node lane : grid.getChildren()) {
            if (lane.isVisible()) {
                need = Math.max(need, Math.ceil(lane.minWidth(-1)));
            }
        }
        if (grid.getColumnConstraints().getFirst().getMinWidth() == need) {
            return;
        }
        for (ColumnConstraints column : grid.getColumnConstraints()) {
            column.setMinWidth(need);
            column.setPrefWidth(need);
        }
        // both read the grid's minimum: after this layout, not during it
        javafx.application.Platform.runLater(() -> {
            fitToWidth.run();
            shareWidth.run();
        });
    }

    /**
     * Where a notice goes that the toolbar has no room for (a narrow window): the console shows it as a
     * notification. Without one, the cut notice stays whole in the hint's tooltip only.
     */
    public LanesView onNoticeCut(java.util.function.Consumer<String> show) {
        noticeCut = java.util.Objects.requireNonNull(show, "show");
        return this;
    }

    private java.util.function.Consumer<String> noticeCut = text -> { };
    private String noticeSaidElsewhere;

    public Parent root() {
        return root;
    }

    /** AtlantaFX's field: ControlsFX's clearable field brings Modena lookups the theme lacks. */
    private CustomTextField searchField() {
        CustomTextField search = new CustomTextField();
        Button clear = new Button("✕");
        clear.getStyleClass().addAll(Styles.BUTTON_ICON, Styles.FLAT, Styles.SMALL);
        clear.setTooltip(new Tooltip("Clear the filter"));
        clear.setOnAction(e -> search.clear());
        clear.visibleProperty().bind(search.textProperty().isNotEmpty());
        search.setRight(clear);
        search.setId("lanes-search");
        search.setPromptText("Filter or open an id");
        search.setPrefWidth(300);
        search.setMinWidth(200);
        search.setTooltip(new Tooltip("Show only listed tasks whose id, model, tenant or state contains this text; Enter opens the task with this id"));
        model.filterProperty().bind(search.textProperty());
        // Enter looks the text up as a task id in the whole engine, beyond the tasks listed here
        search.setOnAction(e -> {
            if (!search.getText().isBlank()) {
                model.inspect(search.getText().trim());
            }
        });
        return search;
    }

    private List<Tier> shownTiers = List.of();
    private io.queuedeck.engine.tier.Tiers shownTable = io.queuedeck.engine.tier.Tiers.DEFAULT;
    /** Each lane's title, by priority: coloured by its tier's place in the table. */
    private final List<Label> laneTitles = new ArrayList<>();

    private void showTiers(List<Tier> tiers) {
        if (tiers.equals(shownTiers)) {
            return;
        }
        shownTiers = tiers;
        shownTable = io.queuedeck.engine.tier.Tiers.of(tiers);
        tierBar.getChildren().removeIf(node -> node.getStyleClass().contains("tier-control"));
        int at = 1; // after the "Tiers" label, before the hint
        for (Tier tier : tiers) {
            HBox control = tierControl(tier);
            control.getStyleClass().add("tier-control");
            tierBar.getChildren().add(Math.min(at++, tierBar.getChildren().size()), control);
        }
    }

    /** "core: [active ▾]": pause, drain or reactivate one tier's lanes. */
    private HBox tierControl(Tier tier) {
        String name = tier.name().toLowerCase(Locale.ROOT);
        Label label = new Label(name);
        label.getStyleClass().addAll("tier-label", TierShades.of(shownTable, tier));
        ComboBox<TierMode> box = new io.queuedeck.console.widgets.SteadyComboBox<>();
        box.setId("lanes-tier-" + name);
        box.getItems().setAll(TierMode.values());
        // the engine's mode now: a tier paused before this bar was built (before a restart) is not shown active
        box.setValue(model.tierModesProperty().get().getOrDefault(tier, TierMode.ACTIVE));
        box.setTooltip(new Tooltip("The " + name + " tier (P" + tier.first() + "-P" + tier.last() + "): ACTIVE dispatches; PAUSED keeps its tasks queued; DRAINING refuses new submissions and empties it"));
        boolean[] fromEngine = {false};
        box.valueProperty().addListener((o, a, v) -> {
            if (!fromEngine[0] && v != null) {
                model.setTierMode(tier, v);
            }
        });
        model.tierModesProperty().addListener((o, a, modes) -> {
            TierMode live = modes.get(tier);
            if (live != null && live != box.getValue()) {
                fromEngine[0] = true; // the engine's truth, not a new command
                box.setValue(live);
                fromEngine[0] = false;
            }
        });
        HBox control = new HBox(4, label, box);
        control.setAlignment(Pos.CENTER_LEFT);
        control.setMinWidth(Region.USE_PREF_SIZE);
        return control;
    }

    private VBox laneBox(Lane lane) {
        // neither "P5" nor its tier's name gives way: the lane's minimum is what its header needs
        Label title = new Label();
        title.textProperty().bind(Bindings.createStringBinding(() -> lane.titleProperty().get().split(" · ")[0], lane.titleProperty()));
        title.getStyleClass().addAll("lane-title", TierShades.of(shownTable, lane.priority()));
        laneTitles.add(title);
        title.setMinWidth(Region.USE_PREF_SIZE);
        Label kind = new Label();
        kind.textProperty().bind(Bindings.createStringBinding(() -> {
            String[] parts = lane.titleProperty().get().split(" · ");
            return parts.length > 1 ? parts[1] : "";
        }, lane.titleProperty()));
        kind.getStyleClass().add("lane-kind");
        kind.setMinWidth(Region.USE_PREF_SIZE); // the tier's name is never cut: the lane is as wide as it needs
        Tooltip titleTip = new Tooltip();
        titleTip.textProperty().bind(lane.titleProperty().concat(": waiting tasks, the next to be dispatched first"));
        title.setTooltip(titleTip);
        kind.setTooltip(titleTip);
        Label count = new Label();
        count.setId("lane-" + lane.priority() + "-count");
        LaneColumn.bindCount(count, lane);

        BiConsumer<List<String>, String> rowDrop = (ids, beforeId) -> keepingSelection(ids,
                () -> model.drop(ids, lane.priority(), beforeId));
        ListView<TaskRow> list = LaneColumn.list(model, lane.tasks(), "lane-" + lane.priority(), "empty", rowDrop);
        if (list.getPlaceholder() instanceof Label placeholder) { // "empty" beside a count of 28k, with a filter on
            // nor "empty" under a count whose tasks are still being listed (the first second after a restart);
            // nor "listing…" for good under a level whose tasks all wait behind the first 1,000 of their priority
            placeholder.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(
                    () -> !model.filterProperty().get().isBlank() ? "no match"
                            : lane.totalProperty().get() == 0 ? "empty"
                            : model.byLevelProperty().get() && model.listedProperty().get() ? NOT_LISTED_LEVEL : "listing…",
                    model.filterProperty(), lane.totalProperty(), model.byLevelProperty(), model.listedProperty()));
            placeholder.setWrapText(true);
            placeholder.setTextAlignment(javafx.scene.text.TextAlignment.CENTER);
            placeholder.setPadding(new javafx.geometry.Insets(0, 8, 0, 8));
        }
        list.focusedProperty().addListener((o, a, f) -> {
            if (f) {
                focused = list;
                // the selection is one lane's, as the actions take it: rows left highlighted in other lanes
                // looked selected, and "Move selected" then said "Nothing selected" or moved only some
                for (ListView<TaskRow> other : lists) {
                    if (other != list) {
                        other.getSelectionModel().clearSelection();
                    }
                }
            }
        });
        list.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.DELETE) {
                cancelQuestion.ask(selectedIds()); // it cancelled at once: a key pressed by mistake lost the tasks
            } else if (e.getCode() == KeyCode.ENTER && list.getSelectionModel().getSelectedItem() != null) {
                model.inspect(list.getSelectionModel().getSelectedItem().id());
            } else if (e.isAltDown() && shiftFor(e.getCode()) != null) {
                LanesViewModel.Shift shift = shiftFor(e.getCode());
                keepingSelection(ids -> model.shift(ids, shift));
                e.consume(); // not the list's own selection move
            }
        });
        Consumer<List<String>> drop = ids -> keepingSelection(ids, () -> model.drop(ids, lane.priority()));
        list.getProperties().put(DROP_HANDLER, drop);
        acceptDrops(list, list, drop);
        VBox.setVgrow(list, Priority.ALWAYS);
        // "Nothing selected" is stale once something is
        list.getSelectionModel().getSelectedItems().addListener((javafx.collections.ListChangeListener<TaskRow>) c -> {
            if (!list.getSelectionModel().isEmpty() && LanesViewModel.NOTHING_SELECTED.equals(model.noticeProperty().get())) {
                model.tell("");
            }
        });
        lists.add(list);
        HBox name = new HBox(5, title, kind);
        name.setMinWidth(Region.USE_PREF_SIZE);
        javafx.scene.Node header = LaneColumn.header(name, count, LaneColumn.menu(model, lane));
        acceptDrops(header, list, drop); // the header is where a task dropped "onto another lane" lands first; it did nothing
        VBox box = LaneColumn.box(header, LaneColumn.columns(lane, model.laneOrderKeptProperty()), list);
        // by level, only as many lanes as the policy has levels: the rest were empty lanes titled "–"
        box.visibleProperty().bind(model.byLevelProperty().not().or(model.levelsProperty().greaterThan(lane.priority())));
        return box;
    }

    /** Tasks dragged from another lane and dropped on {@code target} go to the back of {@code list}'s lane. */
    private void acceptDrops(javafx.scene.Node target, ListView<TaskRow> list, Consumer<List<String>> drop) {
        target.setOnDragOver(e -> {
            if (!model.byLevelProperty().get() && e.getDragboard().hasString()
                    && e.getGestureSource() instanceof TaskCell cell && cell.getListView() != list) {
                e.acceptTransferModes(TransferMode.MOVE);
                list.pseudoClassStateChanged(DROP_TARGET, true);
            }
            e.consume();
        });
        target.setOnDragExited(e -> list.pseudoClassStateChanged(DROP_TARGET, false));
        target.setOnDragDropped(e -> onDrop(e, drop));
    }

    private static void onDrop(DragEvent e, Consumer<List<String>> drop) {
        boolean done = false;
        if (e.getDragboard().hasString()) {
            drop.accept(TaskCell.draggedIds(e.getDragboard()));
            done = true;
        }
        e.setDropCompleted(done);
        e.consume();
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

    /** Runs an action on the selected tasks; afterwards the same tasks are selected, wherever they went. */
    private void keepingSelection(Consumer<List<String>> action) {
        List<String> ids = selectedIds();
        keepingSelection(ids, () -> action.accept(ids));
    }

    private void keepingSelection(List<String> ids, Runnable action) {
        action.run();
        Set<String> wanted = new HashSet<>(ids);
        for (ListView<TaskRow> list : lists) {
            List<Integer> at = new ArrayList<>();
            for (int i = 0; i < list.getItems().size(); i++) {
                if (wanted.contains(list.getItems().get(i).id())) {
                    at.add(i);
                }
            }
            if (at.isEmpty()) {
                continue;
            }
            list.getSelectionModel().clearSelection();
            at.forEach(list.getSelectionModel()::select);
            list.getFocusModel().focus(at.getFirst());
            list.requestFocus();
            list.scrollTo(Math.max(0, at.getFirst() - 2));
        }
    }

    /** A notice in {@code room}: its words before a colon where the whole does not fit, or where it is said whole. */
    private String noticeHead(String notice, double room) {
        int colon = notice.indexOf(':');
        String head = colon > 0 ? notice.substring(0, colon) : notice;
        return textWidth(head) <= room ? head : NOTICE_ELSEWHERE;
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

    /** What paused and draining mean, by the room for it: the first that fits is shown. */
    private static final List<String> TIER_HINTS = List.of(
            "paused: tasks stay queued · draining: no new submissions, empties",
            "paused: tasks stay queued\ndraining: no new submissions, empties",
            "paused: tasks stay queued\ndraining: empties");

    /** How wide the widest line of {@code text} is in the hints' font. */
    private double widestLine(String text) {
        return text.lines().mapToDouble(this::textWidth).max().orElse(0);
    }

    /** How wide {@code text} is in the hint's font, on one line. */
    private double textWidth(String text) {
        javafx.scene.text.Text measured = new javafx.scene.text.Text(text);
        measured.setFont(hint.getFont());
        return measured.getLayoutBounds().getWidth();
    }
}
