package io.queuedeck.console.lanes;

import atlantafx.base.theme.Styles;
import java.util.List;
import java.util.Locale;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/**
 * The inspector as a dock on the right: details, single-task actions, why the task is where it
 * is, its timeline. It is {@value #WIDTH} px wide where the window has room, and gives way down to
 * {@value #MIN_WIDTH} px before the lanes beside it do; below their minimum they scroll sideways
 * rather than shrink (decisions 0038, 0092).
 */
final class InspectorPane {
    /** Its width when the window has room. */
    static final double WIDTH = 330;
    /** Narrowest it gets before the lanes give way: a summary line ("tokens    855 prompt, 0/227 generated") whole. */
    static final double MIN_WIDTH = 315;
    /** Style class of a "why is it here?" row's text. */
    static final String WHY_TEXT_CLASS = "inspector-why-text";
    /** A cell's padding and the list's vertical scrollbar, which a wrapped row must leave free. */
    private static final double SCROLLBAR_ROOM = 32;

    private final InspectorViewModel model;
    private final VBox root = new VBox(8);
    private final Label summary = new Label();
    private final ListView<String> why = new ListView<>();
    private final ListView<String> timeline = new ListView<>();
    private final ComboBox<Integer> priority = new ComboBox<>();
    private final Button cancel = new Button("Cancel");
    private final Button retry = new Button("Retry");
    private boolean fromModel;
    /** "P4 · normal" by the engine's tier table (decision 0070). */
    private final java.util.function.IntFunction<String> priorityTitle;

    /**
     * @param askCancel asks before the shown task (its id) is cancelled, as the lanes' Delete does: the
     *                  inspector's Cancel cancelled at once, a click by mistake lost the task
     */
    InspectorPane(InspectorViewModel model, java.util.function.IntFunction<String> priorityTitle,
                  java.util.function.Consumer<String> askCancel) {
        this.model = model;
        this.priorityTitle = priorityTitle;
        Label heading = new Label("Task inspector");
        heading.getStyleClass().add("inspector-heading");
        Button close = new Button("✕");
        close.setId("inspector-close");
        close.getStyleClass().add(Styles.FLAT); // not BUTTON_ICON: it shows a graphic only, and this ✕ is text
        close.setTooltip(new Tooltip("Close the inspector (Esc); it stays closed until you open a task again"));
        close.setOnAction(e -> model.close());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox head = new HBox(8, heading, spacer, close);
        head.setAlignment(Pos.CENTER_LEFT);

        summary.setId("inspector-summary");
        summary.getStyleClass().add("inspector-summary");
        summary.setWrapText(true);
        summary.setMinHeight(Region.USE_PREF_SIZE);

        priority.setId("inspector-priority");
        for (int p = 0; p < LanesViewModel.LANES; p++) {
            priority.getItems().add(p);
        }
        priority.setButtonCell(priorityCell());
        priority.setCellFactory(l -> priorityCell());
        priority.setTooltip(new Tooltip("Give this task another priority: it joins that lane"));
        priority.valueProperty().addListener((o, a, v) -> {
            if (!fromModel && v != null) {
                model.reprioritize(v);
            }
        });
        cancel.setId("inspector-cancel");
        cancel.getStyleClass().addAll(Styles.SMALL, Styles.DANGER);
        cancel.setTooltip(new Tooltip("Cancel this task (a running one is stopped); asks first"));
        cancel.setOnAction(e -> {
            TaskDetails d = model.inspectedProperty().get();
            if (d != null && d.active()) {
                askCancel.accept(d.id());
            }
        });
        retry.setId("inspector-retry");
        retry.getStyleClass().add(Styles.SMALL);
        retry.setTooltip(new Tooltip("Queue this dead letter again with a fresh set of attempts"));
        retry.setOnAction(e -> model.retry());
        for (Region control : List.of(priority, cancel, retry)) {
            control.setMinWidth(Region.USE_PREF_SIZE); // whole words on every action
        }
        HBox actions = new HBox(6, priority, cancel, retry);
        actions.setAlignment(Pos.CENTER_LEFT);

        Label whyTitle = new Label("Why is it here?");
        whyTitle.getStyleClass().add("inspector-subheading");
        why.setId("inspector-why");
        why.getStyleClass().add("inspector-why");
        why.setPrefHeight(150);
        why.setMinHeight(110);
        why.setCellFactory(InspectorPane::wrappingCell);
        why.setTooltip(new Tooltip("Its place in dispatch order, what is ahead of it and why, and what holds its lane"));
        Label timelineTitle = new Label("Timeline");
        timelineTitle.getStyleClass().add("inspector-subheading");
        timeline.setId("inspector-timeline");
        timeline.getStyleClass().add("inspector-timeline");
        timeline.setMinHeight(120); // queued, running and its end, whole
        timeline.setPrefHeight(130); // a waiting task's timeline is a line or two; its reasons are what an operator reads
        timeline.setTooltip(new Tooltip("Each state the task went through, in seconds after it arrived"));
        VBox.setVgrow(why, Priority.ALWAYS);
        VBox.setVgrow(timeline, Priority.SOMETIMES);

        root.setId("lanes-inspector");
        root.getStyleClass().add("inspector");
        root.setPrefWidth(WIDTH);
        root.setMinWidth(MIN_WIDTH); // LanesView sets the width between this and WIDTH
        root.setMaxWidth(WIDTH);
        root.getChildren().addAll(head, summary, actions, whyTitle, why, timelineTitle, timeline);
        model.inspectedProperty().addListener((o, a, d) -> show(d));
        show(null);
    }

    VBox root() {
        return root;
    }

    /** The task shown, so a refresh of it keeps its scroll position and another task starts at the top. */
    private String shownId;

    private void show(TaskDetails d) {
        boolean open = d != null;
        root.setVisible(open);
        root.setManaged(open);
        if (!open) {
            return;
        }
        summary.setText(String.format(Locale.ROOT,
                "id        %s%nmodel     %s%ntenant    %s%npriority  P%d%nstate     %s%ninstance  %s%n"
                        + "attempts  %d   preemptions %d%ntokens    %d prompt, %d/%d generated%n"
                        + "waited    %s%nTTFT      %s%ne2e       %s%s",
                d.id(), d.model(), d.tenant().isEmpty() ? "–" : d.tenant(), d.priority(), d.state().replace('_', ' '),
                d.instanceName(), d.attempts(), d.preemptions(), d.promptTokens(),
                d.generatedTokens(), d.outputTokens(), ms(d.waitMs()), ms(d.ttftMs()), ms(d.e2eMs()),
                d.error() == null ? "" : "%nerror     ".formatted() + d.error()));
        fromModel = true;
        priority.setValue(d.priority());
        fromModel = false;
        priority.setDisable(!d.active());
        cancel.setDisable(!d.active());
        retry.setDisable(!d.deadLettered());
        why.getItems().setAll(d.why());
        if (!d.score().isEmpty()) {
            why.getItems().add("Score (weighted policy):");
            why.getItems().addAll(d.score());
        }
        timeline.getItems().setAll(d.timeline());
        if (!d.id().equals(shownId)) { // another task opens at its top, not where the last one was scrolled to
            shownId = d.id();
            why.scrollTo(0);
            timeline.scrollTo(0);
        }
    }

    private static String ms(double value) {
        return io.queuedeck.console.ui.Elapsed.of(value); // "waited 1,013,962 ms" said nothing at a glance
    }

    private javafx.scene.control.ListCell<Integer> priorityCell() {
        return new javafx.scene.control.ListCell<>() {
            @Override
            protected void updateItem(Integer p, boolean empty) {
                super.updateItem(p, empty);
                setText(empty || p == null ? null : priorityTitle.apply(p));
            }
        };
    }

    /**
     * A row wrapped at the list's width less a scrollbar's, as a {@code Text}: a cell's own wrapped
     * text was measured before the list's scrollbar appeared and then lost its last line to "…".
     */
    private static javafx.scene.control.ListCell<String> wrappingCell(ListView<String> list) {
        return new javafx.scene.control.ListCell<>() {
            private final javafx.scene.text.Text text = new javafx.scene.text.Text();

            {
                text.getStyleClass().add(WHY_TEXT_CLASS);
                text.wrappingWidthProperty().bind(list.widthProperty().subtract(SCROLLBAR_ROOM));
                setContentDisplay(javafx.scene.control.ContentDisplay.GRAPHIC_ONLY);
                setPrefWidth(0);
            }

            @Override
            protected void updateItem(String line, boolean empty) {
                super.updateItem(line, empty);
                text.setText(empty || line == null ? "" : line);
                setGraphic(empty || line == null ? null : text);
            }
        };
    }
}
