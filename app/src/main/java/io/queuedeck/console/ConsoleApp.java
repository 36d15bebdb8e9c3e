package io.queuedeck.console;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import io.queuedeck.console.faults.FaultsView;
import io.queuedeck.console.faults.FaultsViewModel;
import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.CommandFailure;
import io.queuedeck.console.gpus.GpusView;
import io.queuedeck.console.gpus.GpusViewModel;
import io.queuedeck.console.gateway.EmbeddedEngine;
import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.console.lanes.LanesView;
import io.queuedeck.console.lanes.LanesViewModel;
import io.queuedeck.console.latency.LatencyView;
import io.queuedeck.console.latency.LatencyViewModel;
import io.queuedeck.console.overview.OverviewView;
import io.queuedeck.console.overview.OverviewViewModel;
import io.queuedeck.console.policies.PoliciesView;
import io.queuedeck.console.policies.PoliciesViewModel;
import io.queuedeck.console.ui.Screenshot;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import java.time.Clock;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import javafx.application.Application;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.controlsfx.control.Notifications;

/**
 * The QueueDeck console window. It starts the embedded engine with simulated GPUs and a demo
 * load, so the first frame already shows a live system, and closes the engine with the window.
 */
public final class ConsoleApp extends Application {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private EmbeddedEngine system;
    private io.queuedeck.engine.api.ApiService api;
    private String apiLine = "API off";
    private EngineGateway gateway;
    private MainView main;
    private Stage stage;
    private ConsoleOptions options;

    @Override
    public void start(Stage primaryStage) {
        stage = primaryStage;
        options = ConsoleOptions.parse(getParameters().getRaw());
        applyTheme(options.light());

        system = options.benchUi().isPresent()
                ? BenchUi.startSystem()
                : EmbeddedEngine.start(options.policy(), options.gpus(), options.load());
        gateway = EngineGateway.forFx(system.engine(), this::report);
        options.trace().ifPresent(system::replay); // a bad trace fails the start with its reason
        if (options.apiPort().isPresent() && options.screenshot().isEmpty() && options.benchUi().isEmpty()) {
            startApi(options.apiPort().getAsInt());
        }

        ChangeLog changes = new ChangeLog(Clock.systemDefaultZone());
        OverviewViewModel overview = new OverviewViewModel();
        PoliciesViewModel policies = new PoliciesViewModel(gateway, system);
        GpusViewModel gpus = new GpusViewModel(gateway, changes);
        FaultsViewModel faults = new FaultsViewModel(gateway, system, changes);
        // one coalesced update per frame; order matters only where a model reads another's state
        gateway.addListener(changes::apply);
        gateway.addListener(overview::apply);
        gateway.addListener(policies::apply);
        gateway.addListener(gpus::apply);
        gateway.addListener(faults::apply);
        LatencyViewModel latency = new LatencyViewModel(changes);
        gateway.addListener(s -> latency.addSamples(gateway.drainLatency()));
        gateway.addListener(latency::apply);
        LanesViewModel lanes = new LanesViewModel(gateway);
        gateway.addListener(lanes::apply);

        Map<Screen, Supplier<Parent>> screens = new EnumMap<>(Screen.class);
        screens.put(Screen.OVERVIEW, () -> new OverviewView(overview).root());
        screens.put(Screen.LATENCY, () -> new LatencyView(latency).root());
        screens.put(Screen.LANES, () -> new LanesView(lanes).root());
        screens.put(Screen.POLICIES, () -> new PoliciesView(policies).root());
        screens.put(Screen.GPUS, () -> new GpusView(gpus).root());
        screens.put(Screen.FAULTS, () -> new FaultsView(faults).root());
        main = new MainView(screens, policies);
        gateway.addListener(this::status);

        // screenshots and benchmarks use fixed defaults, so they look the same on every machine
        boolean remember = options.screenshot().isEmpty() && options.benchUi().isEmpty();
        ConsoleSettings settings = remember ? ConsoleSettings.load(ConsoleSettings.defaultFile()) : ConsoleSettings.DEFAULTS;
        javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getPrimary().getVisualBounds();
        Scene scene = new Scene(main.root(), Math.min(settings.width(), screen.getWidth()),
                Math.min(settings.height(), screen.getHeight()));
        scene.getStylesheets().add(ConsoleApp.class.getResource("console.css").toExternalForm());
        main.installShortcuts(scene, policies::togglePause);
        main.lightThemeProperty().set(options.light() || settings.light());
        applyTheme(main.lightThemeProperty().get());
        main.lightThemeProperty().addListener((o, a, light) -> applyTheme(light));
        Screen first = options.screen().orElse(settings.screen());
        main.screenProperty().addListener((o, a, shown) -> {
            lanes.setActive(shown == Screen.LANES);
            gpus.setActive(shown == Screen.GPUS);
        });
        lanes.setActive(first == Screen.LANES);
        gpus.setActive(first == Screen.GPUS);
        if (remember) {
            stage.setOnHidden(e -> new ConsoleSettings(scene.getWidth(), scene.getHeight(),
                    main.screenProperty().get(), main.lightThemeProperty().get()).save(ConsoleSettings.defaultFile()));
        }
        main.screenProperty().set(first);
        // Scene before show(): under headless Monocle a stage shown without one sits at NaN.
        stage.setScene(scene);
        stage.setTitle("QueueDeck console");
        stage.setMinWidth(Math.min(1024, screen.getWidth()));
        stage.setMinHeight(Math.min(680, screen.getHeight()));
        stage.show();
        gateway.start();

        if (!options.inject().isEmpty()) {
            javafx.animation.PauseTransition wait = new javafx.animation.PauseTransition(javafx.util.Duration.seconds(2));
            wait.setOnFinished(e -> inject(options.inject(), gpus, faults));
            wait.play();
        }
        options.screenshot().ifPresent(file -> Screenshot.after(scene, file, options.after(), ConsoleApp::exitAfterStop));
        options.benchUi().ifPresent(d -> new BenchUi(system, d, main.screenProperty()::set).start());
    }

    /** The --inject faults, sent like the fault buttons send them (so they are logged too). */
    private static void inject(java.util.List<String> items, GpusViewModel gpus, FaultsViewModel faults) {
        for (String item : items) {
            String[] parts = item.split("[:x]");
            switch (parts[0]) {
                case "crash" -> gpus.crash(Integer.parseInt(parts[1]));
                case "slow" -> gpus.slow(Integer.parseInt(parts[1]), Double.parseDouble(parts[2]));
                case "offline" -> gpus.setOnline(Integer.parseInt(parts[1]), false);
                case "burst" -> faults.burst();
                case "poison" -> faults.poisonTask();
                default -> throw new IllegalStateException("checked by ConsoleOptions: " + item);
            }
        }
    }

    /** The REST API on loopback, as {@code serve} runs it; a busy port leaves the console without it. */
    private void startApi(int port) {
        try {
            api = io.queuedeck.engine.api.ApiService.create(system.engine(), server -> server.host("127.0.0.1").port(port),
                    callbacks -> { }).start();
            apiLine = "API " + api.baseUri();
        } catch (IllegalArgumentException e) {
            api = null;
            apiLine = "API off (" + e.getMessage() + ")";
        }
    }

    /** Where the console's REST API listens; empty when it does not run. */
    public java.util.Optional<java.net.URI> apiUri() {
        return api == null ? java.util.Optional.empty() : java.util.Optional.of(api.baseUri());
    }

    private static void applyTheme(boolean light) {
        Application.setUserAgentStylesheet(light
                ? new PrimerLight().getUserAgentStylesheet()
                : new PrimerDark().getUserAgentStylesheet());
    }

    private void status(EngineSnapshot s) {
        main.setStatus(String.format(Locale.ROOT, "Embedded engine · %d simulated GPUs · policy %s%s · %,d submitted · %,d done · demo load %.0f%% · %s · updated %s",
                s.instances().size(), s.policy(), s.dispatchPaused() ? " (paused)" : "", s.counters().submitted(),
                s.counters().succeeded(), system.load() * 100, apiLine,
                LocalTime.ofInstant(s.takenAt(), ZoneId.systemDefault()).format(CLOCK)));
    }

    /** A refused command: a notification the operator sees, and the status line keeps it. */
    private void report(CommandFailure failure) {
        main.setLastError(failure.action() + " refused: " + failure.reason());
        Notifications notification = Notifications.create()
                .title(failure.action() + " refused")
                .text(failure.reason())
                .owner(stage)
                .position(Pos.BOTTOM_RIGHT)
                .hideAfter(javafx.util.Duration.seconds(6));
        notification.styleClass("dark");
        notification.showError();
    }

    /** The gateway, for UI tests. */
    EngineGateway gateway() {
        return gateway;
    }

    /** The embedded engine, for UI tests. */
    EmbeddedEngine system() {
        return system;
    }

    @Override
    public void stop() {
        if (gateway != null) {
            gateway.stop();
        }
        if (api != null) {
            api.close();
        }
        if (system != null) {
            system.close();
        }
    }

    /**
     * Ends a one-shot run (screenshot, UI bench) with {@code code}: Platform.exit runs
     * {@link #stop} (which closes the engine) before the FX thread ends; the JVM exits shortly after,
     * whatever non-daemon threads a library left behind.
     */
    static void exitAfterStop(int code) {
        javafx.application.Platform.exit();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            System.exit(code);
        });
    }
}
