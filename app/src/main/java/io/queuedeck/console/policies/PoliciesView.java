package io.queuedeck.console.policies;

import io.queuedeck.console.ui.Fxml;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Slider;
import javafx.scene.control.Tooltip;

/** The live policy (pick one to switch), dispatch pause, and the demo load's rate. */
public final class PoliciesView {
    /** One line per known policy; an unknown one shows its name only. */
    /** The live policy's dot and the room it takes in every other row. */
    private static final double LIVE_DOT_WIDTH = 14;
    static final Map<String, String> DESCRIPTIONS = Map.of(
            "fifo", "First in, first out: arrival order, priorities ignored.",
            "priority", "Strict priority: the most urgent waiting task first, FIFO within a priority.",
            "mlfq", "Multi-level feedback queue: new tasks start high and sink as they use GPU time.",
            "aging", "Priority with aging: urgency grows with the wait, so low priorities cannot starve.",
            "weighted", "Weighted multi-factor score (priority, age, tenant share, size, …).",
            "edf", "Earliest deadline first; tasks without a deadline follow by priority.",
            "fair", "Fair share across tenants (virtual token counters).",
            "sjf", "Shortest predicted job first, with aging.",
            "gittins", "Gittins index over attained service, with output lengths learned online.");

    private final PoliciesViewModel model;
    private final Parent root;
    @FXML
    private ListView<String> policyList;
    @FXML
    private Label liveLabel;
    @FXML
    private javafx.scene.control.TextField paramsField;
    @FXML
    private Button applyButton;
    @FXML
    private Button pauseButton;
    @FXML
    private Label pauseLabel;
    @FXML
    private Slider loadSlider;
    @FXML
    private Label loadLabel;
    @FXML
    private ComboBox<String> mixBox;
    @FXML
    private ComboBox<String> lengthsBox;
    @FXML
    private ComboBox<String> traceBox;
    @FXML
    private Button browseButton;
    @FXML
    private Button replayButton;
    @FXML
    private Label replayLabel;

    public PoliciesView(PoliciesViewModel model) {
        this.model = model;
        this.root = Fxml.load(this, "Policies");

        policyList.setItems(model.policies());
        policyList.setCellFactory(list -> new ListCell<>() {
            // the dot in a column of its own: as text, "●  " and four spaces differ in width, and the live row's name stood out of line
            private final Label dot = new Label();

            {
                dot.setMinWidth(LIVE_DOT_WIDTH);
                dot.setPrefWidth(LIVE_DOT_WIDTH);
            }

            @Override
            protected void updateItem(String name, boolean empty) {
                super.updateItem(name, empty);
                if (empty || name == null) {
                    setText(null);
                    setGraphic(null);
                    return;
                }
                dot.setText(name.equals(model.livePolicyProperty().get()) ? "●" : "");
                setGraphic(dot);
                setText(name + " — " + DESCRIPTIONS.getOrDefault(name, ""));
            }
        });
        policyList.setTooltip(new Tooltip("Double-click or press Enter to switch: waiting tasks move to the new policy, running tasks are not touched"));
        policyList.setOnMouseClicked(e -> {
            if (e.getClickCount() == 2) {
                model.switchPolicy(policyList.getSelectionModel().getSelectedItem());
            }
        });
        policyList.setOnKeyPressed(e -> {
            if (e.getCode() == javafx.scene.input.KeyCode.ENTER) {
                model.switchPolicy(policyList.getSelectionModel().getSelectedItem());
            }
        });
        applyButton.setTooltip(new Tooltip("Switch to the selected policy (or restart the live one) with these parameters, "
                + "e.g. mlfq: q0_ms=20; a bad name or value is refused with the reason"));
        applyButton.setOnAction(e -> {
            String selected = policyList.getSelectionModel().getSelectedItem();
            model.switchPolicy(selected != null ? selected : model.livePolicyProperty().get(), paramsField.getText());
        });
        paramsField.setOnAction(e -> applyButton.fire());
        paramsField.setTooltip(new javafx.scene.control.Tooltip(
                "The policy's parameters as key=value pairs, comma-separated (blank: its defaults); Enter switches with them"));
        model.livePolicyProperty().addListener((o, a, v) -> {
            showLive();
            policyList.refresh();
            if (a != null && a.equals(policyList.getSelectionModel().getSelectedItem())) {
                policyList.getSelectionModel().select(v); // a switch elsewhere: the highlight follows the live policy
            }
            if (!paramsField.isFocused()) { // another policy: what was typed for the last one (refused, maybe) no longer applies
                paramsField.setText(model.liveParametersProperty().get());
            }
        });
        model.liveParametersProperty().addListener((o, a, v) -> {
            showLive();
            if (!paramsField.isFocused()) { // never rewrite what the operator is typing
                paramsField.setText(v);
            }
        });
        showLive();
        paramsField.setText(model.liveParametersProperty().get());

        pauseButton.setTooltip(new Tooltip("Stop or restart handing queued tasks to GPUs (Ctrl+P)"));
        pauseButton.setOnAction(e -> model.togglePause());
        model.pausedProperty().addListener((o, a, paused) -> showPaused(paused));
        showPaused(model.pausedProperty().get());

        loadSlider.setValue(model.loadFractionProperty().get() * 100);
        model.loadFractionProperty().addListener((o, a, v) -> {
            if (!loadSlider.isValueChanging()) { // never pull the knob from under the operator's hand
                loadSlider.setValue(v.doubleValue() * 100);
            }
        });
        loadSlider.valueProperty().addListener((o, a, v) -> { // a click on the track or a key: at once; a drag: when released
            if (!loadSlider.isValueChanging() && Math.abs(loadAt(v.doubleValue()) - model.loadFractionProperty().get()) > 1e-9) {
                model.setLoad(loadAt(v.doubleValue()));
            }
        });
        loadSlider.setTooltip(new Tooltip("Demo load as a percentage of the GPUs' capacity; 0 stops the generator"));
        loadSlider.valueChangingProperty().addListener((o, was, changing) -> {
            if (!changing) {
                model.setLoad(loadAt(loadSlider.getValue()));
            }
        });
        loadSlider.setOnKeyReleased(e -> model.setLoad(loadAt(loadSlider.getValue())));
        loadSlider.setOnMouseReleased(e -> model.setLoad(loadAt(loadSlider.getValue())));
        mixBox.getItems().setAll(model.mixes());
        mixBox.setValue(model.mixProperty().get());
        mixBox.setTooltip(new Tooltip("Which priorities the demo load submits, and how often each"));
        mixBox.valueProperty().addListener((o, a, v) -> model.setMix(v));
        lengthsBox.getItems().setAll(model.lengthPresets());
        lengthsBox.setValue(model.lengthsProperty().get());
        lengthsBox.setTooltip(new Tooltip("Prompt and output lengths of the demo load (log-normal, long tail)"));
        lengthsBox.valueProperty().addListener((o, a, v) -> model.setLengths(v));
        TraceChoice.wire(traceBox, browseButton, model.shippedTraces(), traceBox::setValue);
        traceBox.setValue(model.shippedTraces().getFirst());
        replayButton.setTooltip(new Tooltip("Replace the synthetic load with the trace, time-scaled to the load above;"
                + " moving the slider or picking a mix or lengths goes back to the synthetic load"));
        replayButton.setOnAction(e -> model.replay(traceBox.getValue()).ifPresentOrElse(error -> {
            replayLabel.getStyleClass().add("policies-error");
            replayLabel.setText(error);
        }, () -> replayLabel.getStyleClass().remove("policies-error")));
        model.replayStatusProperty().addListener((o, a, v) -> {
            if (!replayLabel.getStyleClass().contains("policies-error") || !v.isEmpty()) {
                replayLabel.getStyleClass().remove("policies-error");
                replayLabel.setText(v);
            }
            showLoad();
        });
        model.offeredRateProperty().addListener((o, a, v) -> showLoad());
        model.servingNowProperty().addListener((o, a, v) -> showLoad());
        showLoad();
        String unavailable = model.demoLoadUnavailable();
        if (unavailable != null) { // real backends: these would offer tasks nothing serves, every one refused
            for (javafx.scene.control.Control c : List.of(loadSlider, mixBox, lengthsBox, traceBox, browseButton, replayButton)) {
                c.setDisable(true);
            }
            loadLabel.setText(unavailable);
            loadLabel.setWrapText(true);
        }
    }

    public Parent root() {
        return root;
    }

    /** The live policy and the parameters in force: what Apply changes, before it is pressed. */
    private void showLive() {
        String parameters = model.liveParametersProperty().get();
        liveLabel.setText("Live policy: " + model.livePolicyProperty().get() + (parameters.isEmpty() ? " (its defaults)" : " · " + parameters));
        liveLabel.setTooltip(new Tooltip(parameters.isEmpty() ? "The live policy runs with its default parameters"
                : "Parameters in force (the others at their defaults): " + parameters));
    }

    private void showPaused(boolean paused) {
        pauseButton.setText(paused ? "Resume dispatch" : "Pause dispatch");
        pauseLabel.setText(paused ? "Dispatch is paused: tasks queue up, running ones finish." : "Dispatch is running.");
    }

    private void showLoad() {
        if (model.demoLoadUnavailable() != null) {
            return;
        }
        double percent = model.loadFractionProperty().get() * 100;
        double offered = model.offeredRateProperty().get();
        if (!model.replayingProperty().get()) { // a replay a mix ended still has its status line: the synthetic load runs
            String now = model.servingNowProperty().get();
            loadLabel.setText(String.format(Locale.ROOT, "%.0f%% of capacity · %.1f tasks/s offered (capacity ≈ %.1f tasks/s%s)",
                    percent, offered, model.capacityTasksPerSecond(), now.isEmpty() ? "" : "; " + now));
        } else if (offered > 0) { // the trace's own arrivals and lengths: the synthetic capacity and mix do not apply
            loadLabel.setText(String.format(Locale.ROOT, "Trace replay at %.0f%% of capacity · %.1f tasks/s on average,"
                    + " with the trace's own lengths", percent, offered));
        } else {
            loadLabel.setText("Trace replay done: nothing is offered now; the slider, a mix or lengths start the synthetic load");
        }
    }

    /**
     * The load a slider position means: below 2% it is none, since a click at the track's left end
     * lands a pixel or two inside it (1%, which no one means) and "off" must be easy to reach.
     */
    static double loadAt(double percent) {
        return percent < 2 ? 0 : percent / 100;
    }
}
