package io.queuedeck.console;

import io.queuedeck.console.policies.PoliciesViewModel;
import io.queuedeck.console.widgets.ScreenScroll;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/**
 * The window's frame: navigation on the left, a header with the screen's title and the global
 * controls (policy, pause), the current screen in the middle and a status line below. Screens
 * are built once, on first visit, and kept.
 */
public final class MainView {
    public static final String NAV_CLASS = "qd-nav";
    public static final String NAV_BUTTON_CLASS = "qd-nav-button";
    public static final String HEADER_CLASS = "qd-header";
    public static final String STATUS_CLASS = "qd-status";

    private final BorderPane root = new BorderPane();
    /** The root's style class while the light theme is on. */
    static final String LIGHT = "qd-light";
    private final StackPane content = new StackPane();
    private final Map<Screen, Supplier<Parent>> factories;
    private final Map<Screen, Node> built = new EnumMap<>(Screen.class);
    private Node help;
    private final Map<Screen, ToggleButton> navButtons = new EnumMap<>(Screen.class);
    private final ObjectProperty<Screen> screen = new SimpleObjectProperty<>(this, "screen");
    private final Label title = new Label();
    private final Label subtitle = new Label();
    /**
     * The header's second line: the screen's subtitle, or the alert banner over it while an alert
     * holds. Both stay managed, so the line is as tall with or without an alert and nothing below
     * moves when one is raised or cleared (decision 0091).
     */
    private final StackPane subline = new StackPane(subtitle);
    private final Label status = new Label();
    private final Label lastError = new Label();
    final ComboBox<String> policyBox = new io.queuedeck.console.widgets.SteadyComboBox<>();
    final ToggleButton pauseButton = steady("Pause dispatch", "Resume dispatch");
    final ToggleButton themeButton = steady("Light theme", "Dark theme");

    public MainView(Map<Screen, Supplier<Parent>> factories, PoliciesViewModel policies) {
        this.factories = new EnumMap<>(factories);
        root.getStyleClass().add("qd-root");
        root.setLeft(navigation());
        root.setTop(header(policies));
        content.getStyleClass().add("qd-content");
        content.setMinSize(0, 0); // a screen's own minimum never pushes the status line off the window
        root.setCenter(content);
        root.setBottom(statusBar());
        screen.addListener((o, old, next) -> show(next));
    }

    private Node navigation() {
        VBox nav = new VBox(4);
        nav.getStyleClass().add(NAV_CLASS);
        Label brand = new Label("QueueDeck");
        brand.getStyleClass().add("qd-brand");
        Label tagline = new Label("inference queue console");
        tagline.getStyleClass().add("qd-tagline");
        nav.getChildren().addAll(brand, tagline);
        ToggleGroup group = new ToggleGroup();
        int index = 1;
        for (Screen s : Screen.values()) {
            ToggleButton button = new ToggleButton(s.title());
            button.setId("nav-" + s.name().toLowerCase(Locale.ROOT));
            button.getStyleClass().add(NAV_BUTTON_CLASS);
            button.setToggleGroup(group);
            button.setMaxWidth(Double.MAX_VALUE);
            button.setAlignment(Pos.CENTER_LEFT);
            button.setTooltip(new Tooltip(s.description() + "  (Ctrl+" + index + ")"));
            button.setOnAction(e -> {
                button.setSelected(true); // a nav button cannot be un-selected by a second click
                screen.set(s);
            });
            navButtons.put(s, button);
            nav.getChildren().add(button);
            index++;
        }
        Region spacer = new Region();
        VBox.setVgrow(spacer, Priority.ALWAYS);
        Label keys = new Label(Screen.values().length > 9 ? "Ctrl+1…9, 0 · Ctrl+P pause" : "Ctrl+1…" + Screen.values().length + " · Ctrl+P pause");
        keys.getStyleClass().add("qd-tagline");
        nav.getChildren().addAll(spacer, keys);
        return nav;
    }

    /** A toggle as wide for each of its texts as for the widest, and never narrower: the titles give way, not it. */
    private static ToggleButton steady(String... texts) {
        ToggleButton button = new ToggleButton(texts[0]) {
            @Override
            protected double computePrefWidth(double height) {
                return io.queuedeck.console.widgets.SteadyWidth.of(this, super.computePrefWidth(height), List.of(texts));
            }
        };
        button.setMinWidth(Region.USE_PREF_SIZE);
        return button;
    }

    private Node header(PoliciesViewModel policies) {
        title.getStyleClass().add("qd-title");
        subtitle.getStyleClass().add("qd-subtitle");
        subline.setAlignment(Pos.CENTER_LEFT);
        subline.setMinWidth(0);
        VBox titles = new VBox(2, title, subline);
        titles.setMinWidth(0);
        HBox.setHgrow(titles, Priority.ALWAYS); // the banner gets the width up to the policy box

        Label policyLabel = new Label("Policy");
        policyLabel.getStyleClass().add("qd-subtitle");
        policyLabel.setMinWidth(Region.USE_PREF_SIZE);
        policyBox.setMinWidth(Region.USE_PREF_SIZE);
        policyBox.setId("header-policy");
        policyBox.setItems(policies.policies());
        policyBox.setTooltip(new Tooltip("Switch the live scheduling policy; running tasks are not touched"));
        policies.livePolicyProperty().addListener((o, a, v) -> {
            if (!v.equals(policyBox.getValue())) {
                policyBox.setValue(v);
            }
        });
        policyBox.valueProperty().addListener((o, a, v) -> policies.switchPolicy(v));
        policyBox.disableProperty().bind(policies.switchingProperty());
        policies.switchingProperty().addListener((o, was, switching) -> {
            // a refused switch leaves the live policy as it was: show that one again
            String live = policies.livePolicyProperty().get();
            if (!switching && !live.isEmpty() && !live.equals(policyBox.getValue())) {
                policyBox.setValue(live);
            }
        });

        pauseButton.setId("header-pause");
        pauseButton.setTooltip(new Tooltip("Stop handing queued tasks to GPUs; running tasks finish (Ctrl+P)"));
        pauseButton.setOnAction(e -> {
            // the button shows the engine's state: it flips when the snapshot says so
            pauseButton.setSelected(policies.pausedProperty().get());
            policies.togglePause();
        });
        policies.pausedProperty().addListener((o, a, paused) -> {
            pauseButton.setSelected(paused);
            pauseButton.setText(paused ? "Resume dispatch" : "Pause dispatch");
            pauseButton.pseudoClassStateChanged(javafx.css.PseudoClass.getPseudoClass("paused"), paused);
        });

        themeButton.setId("header-theme");
        themeButton.setTooltip(new Tooltip("Switch between the dark and the light theme"));
        themeButton.selectedProperty().addListener((o, a, light) -> {
            themeButton.setText(light ? "Dark theme" : "Light theme");
            // colours of the console's own that the theme does not have (a tier's purple) follow it
            if (light) {
                root.getStyleClass().add(LIGHT);
            } else {
                root.getStyleClass().remove(LIGHT);
            }
        });

        HBox header = new HBox(12, titles, policyLabel, policyBox, pauseButton, themeButton);
        header.setAlignment(Pos.CENTER_LEFT);
        header.getStyleClass().add(HEADER_CLASS);
        return header;
    }

    private Node statusBar() {
        status.setId("status");
        status.setMinWidth(0); // the status gives way; the last error or the stopping message stays whole
        Tooltip statusTip = new Tooltip();
        statusTip.textProperty().bind(status.textProperty());
        status.setTooltip(statusTip);
        lastError.setId("status-error");
        lastError.getStyleClass().add("qd-error");
        Tooltip errorTip = new Tooltip();
        errorTip.textProperty().bind(lastError.textProperty());
        errorTip.setWrapText(true);
        errorTip.setMaxWidth(640);
        lastError.setTooltip(errorTip);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(12, status, spacer, lastError);
        // the last error stays whole up to 70% of the line and is cut there (all of it in its
        // tooltip): a long refusal (a policy's every parameter) never widens the window's content
        lastError.minWidthProperty().bind(javafx.beans.binding.Bindings.createDoubleBinding(
                () -> Math.min(lastError.prefWidth(-1), bar.getWidth() * 0.7), lastError.textProperty(), bar.widthProperty()));
        lastError.maxWidthProperty().bind(bar.widthProperty().multiply(0.7));
        bar.setId("status-bar");
        bar.getStyleClass().add(STATUS_CLASS);
        bar.setMinHeight(Region.USE_PREF_SIZE);
        return bar;
    }

    /** Ctrl+1…9 and Ctrl+0 switch screens (in the order of the navigation), Ctrl+P pauses or resumes dispatch. */
    public void installShortcuts(Scene scene, Runnable togglePause) {
        for (Screen s : Screen.values()) {
            shortcut(s).ifPresent(keys -> scene.getAccelerators().put(keys, () -> screen.set(s)));
        }
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.P, KeyCombination.SHORTCUT_DOWN), togglePause);
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.F1), this::toggleHelp);
        scene.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ESCAPE && help != null) {
                toggleHelp();
                e.consume();
            }
        });
    }

    /** Ctrl+1…9 and Ctrl+0 for the screens in the order of the navigation; none past the tenth. */
    static java.util.Optional<KeyCombination> shortcut(Screen s) {
        return s.ordinal() >= 10 ? java.util.Optional.empty() : java.util.Optional.of(new KeyCodeCombination(
                KeyCode.getKeyCode(String.valueOf((s.ordinal() + 1) % 10)), KeyCombination.SHORTCUT_DOWN));
    }

    /** The screen whose shortcut {@code key} is, if any. */
    static java.util.Optional<Screen> screenOf(javafx.scene.input.KeyEvent key) {
        return java.util.Arrays.stream(Screen.values()).filter(s -> shortcut(s).filter(keys -> keys.match(key)).isPresent()).findFirst();
    }

    /** F1: the shortcut sheet and a guide to the screen in view, over it; F1 or Esc again closes it. */
    void toggleHelp() {
        if (help != null) {
            content.getChildren().remove(help);
            help = null;
            return;
        }
        help = HelpSheet.build(screen.get(), this::toggleHelp);
        content.getChildren().add(help);
    }

    /**
     * Screens kept in the scene, hidden, while another is in view: TilesFX tiles take no new values
     * while out of a showing scene, so the Overview's sparklines would miss those minutes and draw
     * them flat, and a tile whose value then held still (every slot busy) kept its old one.
     */
    private static final java.util.Set<Screen> KEPT_IN_SCENE = java.util.EnumSet.of(Screen.OVERVIEW);

    /**
     * Builds {@code screen} now, hidden, if it is kept in the scene: the Overview's sparklines then
     * cover the minutes since the start, whichever screen the operator opened first.
     */
    public void prebuild(Screen screen) {
        if (KEPT_IN_SCENE.contains(screen) && !built.containsKey(screen)) {
            Node view = built(screen);
            hide(view);
            content.getChildren().addFirst(view);
        }
    }

    private Node built(Screen screen) {
        return built.computeIfAbsent(screen, s -> ScreenScroll.wrap(factories.get(s).get()));
    }

    private static void hide(Node view) {
        view.setVisible(false);
        view.setManaged(false);
    }

    private void show(Screen next) {
        Node view = built(next);
        help = null;
        List<Node> children = new ArrayList<>();
        for (Screen kept : KEPT_IN_SCENE) {
            Node keptView = built.get(kept);
            if (keptView != null && keptView != view) {
                hide(keptView);
                children.add(keptView);
            }
        }
        view.setVisible(true);
        view.setManaged(true);
        children.add(view);
        content.getChildren().setAll(children);
        navButtons.get(next).setSelected(true);
        title.setText(next.title());
        subtitle.setText(next.description());
    }

    /**
     * Shows {@code banner} in the header over the screen's subtitle while it is visible (it hides
     * itself while it has nothing to say); it must stay managed so its line keeps its height.
     */
    public void setBanner(Node banner) {
        subline.getChildren().setAll(subtitle, banner);
        subtitle.visibleProperty().bind(banner.visibleProperty().not());
    }

    /** Selected when the light theme is on. */
    public javafx.beans.property.BooleanProperty lightThemeProperty() {
        return themeButton.selectedProperty();
    }

    public ObjectProperty<Screen> screenProperty() {
        return screen;
    }

    /** How long a refusal stays on the status line. */
    static final javafx.util.Duration ERROR_SHOWN = javafx.util.Duration.seconds(30);
    private final javafx.animation.PauseTransition errorShown = new javafx.animation.PauseTransition(ERROR_SHOWN);

    public void setStatus(String text) {
        status.setText(text);
    }

    /**
     * Shows a refusal on the status line for {@link #ERROR_SHOWN}: kept for good, it cut the
     * status (submitted, done, where the queue is kept) for the rest of the session. The
     * notification said it first; a new refusal starts the time again.
     */
    public void setLastError(String text) {
        lastError.setText(text);
        errorShown.stop();
        errorShown.setOnFinished(e -> {
            if (text.equals(lastError.getText())) {
                lastError.setText("");
            }
        });
        errorShown.playFromStart();
    }

    /**
     * A later action of the operator went through: a refusal still on the status line would read
     * as where things stand now, so it goes (its notification said it).
     */
    public void clearRefusal() {
        if (errorShown.getStatus() == javafx.animation.Animation.Status.RUNNING) {
            errorShown.stop();
            lastError.setText("");
        }
    }

    /** Shows a message on the status line until the window closes (the console stopping). */
    public void setLastingMessage(String text) {
        errorShown.stop();
        lastError.setText(text);
    }

    public Parent root() {
        return root;
    }
}
