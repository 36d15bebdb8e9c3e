package io.queuedeck.console.lanes;

import atlantafx.base.theme.Styles;
import atlantafx.base.theme.Tweaks;
import io.queuedeck.console.lanes.LanesViewModel.Lane;
import io.queuedeck.console.lanes.LanesViewModel.TaskRow;
import io.queuedeck.engine.tier.Tiers;
import io.queuedeck.engine.tier.TierMode;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/**
 * The parts of one lane: a header whose count and ⋮ menu never give way (a lane of 100,000
 * tasks reads "100k"), a line with its mode and the column names, and the task list.
 */
final class LaneColumn {
    static final String LANE_CLASS = "qd-lane";

    private LaneColumn() {}

    /** "2,879" as "2.9k", "100,000" as "100k", "1,250,000" as "1.3M": a lane's count never pushes its menu away. */
    static String compact(int n) {
        if (n < 1_000) {
            return Integer.toString(n);
        }
        if (n < 1_000_000) {
            return n < 10_000 ? String.format(Locale.ROOT, "%.1fk", n / 1e3) : (n / 1_000) + "k";
        }
        return n < 10_000_000 ? String.format(Locale.ROOT, "%.1fM", n / 1e6) : (n / 1_000_000) + "M";
    }

    /** A multi-select list of task rows; double-click inspects. */
    static ListView<TaskRow> list(LanesViewModel model, ObservableList<TaskRow> rows, String id, String placeholder,
                                  BiConsumer<List<String>, String> rowDrop) {
        ListView<TaskRow> list = SelectionById.list(rows);
        list.setId(id);
        list.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        list.setPlaceholder(new Label(placeholder));
        list.setFixedCellSize(44);
        list.setCellFactory(l -> {
            TaskCell cell = new TaskCell(rowDrop, model.byLevelProperty(), model.clockNanosProperty());
            cell.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && cell.getItem() != null) {
                    model.inspect(cell.getItem().id());
                }
            });
            return cell;
        });
        list.setTooltip(new Tooltip("Click selects, Shift/Ctrl+click adds, double-click or Enter inspects"));
        return list;
    }

    /**
     * Title, compact count and ⋮ menu. The count has a fixed width in CSS (as wide as "100k"), so a
     * header's minimum does not change as the count does; a title whose minimum is its preferred
     * width (a priority lane's "P3 normal") makes the header's minimum, and so the lane's.
     */
    static HBox header(javafx.scene.layout.Region title, Label count, MenuButton menu) {
        if (title instanceof HBox box) {
            box.setAlignment(Pos.BASELINE_LEFT);
        }
        count.getStyleClass().add("lane-count");
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox head = new HBox(4, title, spacer, count);
        if (menu != null) {
            menu.setMinWidth(Region.USE_PREF_SIZE);
            head.getChildren().add(menu);
        }
        head.setAlignment(Pos.CENTER_LEFT);
        return head;
    }

    /**
     * The second header line: the order's and the wait column's names, the order's giving way to
     * the lane's mode badge when it is not active (a lane is too narrow for both: "nex…").
     */
    static HBox columns(Lane lane, javafx.beans.value.ObservableValue<Boolean> dispatchOrder) {
        Label mode = new Label();
        mode.getStyleClass().add("lane-mode");
        mode.setId("lane-" + lane.priority() + "-mode");
        mode.setMinWidth(Region.USE_PREF_SIZE);
        mode.setVisible(false);
        mode.setManaged(false);
        Label order = new Label();
        // under a policy that orders lanes itself the rows are in arrival order, not the order it dispatches
        order.textProperty().bind(dispatchOrder.map(kept -> kept ? "next first" : "oldest first"));
        order.getStyleClass().add("lane-columns");
        order.setMinWidth(0);
        java.util.function.Consumer<TierMode> show = m -> {
            boolean active = m == TierMode.ACTIVE;
            mode.setVisible(!active);
            mode.setManaged(!active);
            order.setVisible(active);
            order.setManaged(active);
            mode.setText(active ? "" : m.name().toLowerCase(Locale.ROOT));
            mode.setTooltip(active ? null : new Tooltip(m == TierMode.PAUSED
                    ? "Paused: its tasks stay queued, none is dispatched (the lane's ⋮ menu or its tier resumes it)"
                    : "Draining: no new submissions; what it holds is still dispatched"));
        };
        show.accept(lane.modeProperty().get()); // a lane paused before the screen was built shows it at once
        lane.modeProperty().addListener((o, a, m) -> show.accept(m));
        Label waited = new Label("waited");
        waited.getStyleClass().add("lane-columns");
        waited.setMinWidth(Region.USE_PREF_SIZE);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox line = new HBox(6, mode, order, spacer, waited);
        line.setAlignment(Pos.CENTER_LEFT);
        line.setMinWidth(0);
        return line;
    }

    /** "⋮": pause, drain or resume this one lane. */
    static MenuButton menu(LanesViewModel model, Lane lane) {
        MenuButton menu = new MenuButton("⋮");
        menu.setId("lane-" + lane.priority() + "-menu");
        menu.getStyleClass().addAll(Styles.FLAT, Styles.SMALL, Tweaks.NO_ARROW, "lane-menu");
        menu.setTooltip(new Tooltip("Pause, drain or resume lane P" + lane.priority() + " on its own"));
        for (TierMode mode : TierMode.values()) {
            MenuItem item = new MenuItem(switch (mode) {
                case ACTIVE -> "Resume lane";
                case PAUSED -> "Pause lane (tasks stay queued)";
                case DRAINING -> "Drain lane (no new submissions)";
            });
            item.setId("lane-" + lane.priority() + "-" + mode.name().toLowerCase(Locale.ROOT));
            item.setOnAction(e -> model.setLaneMode(lane.priority(), mode));
            // the lane's own mode: a lane held by its paused tier is still active itself, and may be paused on its own
            item.disableProperty().bind(lane.ownModeProperty().isEqualTo(mode));
            menu.getItems().add(item);
        }
        MenuItem heldByTier = new MenuItem();
        heldByTier.setId("lane-" + lane.priority() + "-held");
        heldByTier.setDisable(true);
        heldByTier.textProperty().bind(lane.modeProperty().map(m -> "Its tier is " + m.name().toLowerCase(Locale.ROOT)
                + ": the tier bar resumes it"));
        heldByTier.visibleProperty().bind(lane.ownModeProperty().isEqualTo(TierMode.ACTIVE)
                .and(lane.modeProperty().isNotEqualTo(TierMode.ACTIVE)));
        menu.getItems().add(heldByTier);
        menu.disableProperty().bind(model.byLevelProperty());
        return menu;
    }

    /** Keeps {@code count} at the lane's compact total, with the exact figures in its tooltip. */
    static void bindCount(Label count, Lane lane) {
        Tooltip tip = new Tooltip();
        count.setTooltip(tip);
        Runnable show = () -> {
            int total = lane.totalProperty().get();
            int shown = lane.tasks().size();
            count.setText(compact(total));
            tip.setText(String.format(Locale.ROOT, "%,d waiting", total)
                    + (shown < total ? String.format(Locale.ROOT, "; %,d listed here (the first in dispatch order)", shown) : ""));
        };
        lane.totalProperty().addListener((o, a, v) -> show.run());
        lane.tasks().addListener((ListChangeListener<TaskRow>) c -> show.run());
        show.run();
    }

    /** By the default tiers: a label only (the lanes' tier bar follows the engine's table). */
    static String tierName(int priority) {
        return Tiers.DEFAULT.of(priority).name();
    }

    /** A lane's box: its minimum width is its header's (LanesView sizes every column to the widest). */
    static VBox box(javafx.scene.Node... children) {
        VBox box = new VBox(4, children);
        box.getStyleClass().add(LANE_CLASS);
        return box;
    }
}
