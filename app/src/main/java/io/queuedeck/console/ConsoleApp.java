package io.queuedeck.console;

import io.queuedeck.console.faults.FaultsView;
import io.queuedeck.console.faults.FaultsViewModel;
import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.gateway.CommandFailure;
import io.queuedeck.console.gpus.GpusView;
import io.queuedeck.console.gpus.GpusViewModel;
import io.queuedeck.console.gateway.EmbeddedEngine;
import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.console.gateway.GracefulStop;
import io.queuedeck.console.lanes.LanesView;
import io.queuedeck.console.lanes.LanesViewModel;
import io.queuedeck.console.latency.LatencyView;
import io.queuedeck.console.latency.LatencyViewModel;
import io.queuedeck.console.overview.OverviewView;
import io.queuedeck.console.overview.OverviewViewModel;
import io.queuedeck.console.policies.PolicyScreen;
import io.queuedeck.console.policies.PoliciesViewModel;
import io.queuedeck.console.ui.Notices;
import io.queuedeck.console.ui.Screenshot;
import io.queuedeck.engine.callback.DeliveryStore;
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
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * The QueueDeck console window. It starts the embedded engine with simulated GPUs and a demo
 * load, so the first frame already shows a live system. The queue (API submissions and demo load
 * alike) is kept in a data directory, as {@code serve} keeps it, unless {@code --in-memory}.
 * Closing the window stops gracefully: nothing new starts, running tasks may finish within the
 * grace period, and what is still queued stays in the store for the next start.
 */
public final class ConsoleApp extends Application {
    /** Pixels left around the scene for a window manager's frame and title bar. */
    private static final double FRAME_ROOM = 48;
    /** The smallest window the screens are laid out for. */
    private static final double MIN_WIDTH = 1024;
    private static final double MIN_HEIGHT = 680;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    /** A screen whose shortcut was pressed while the window said it was opening: shown first. */
    private Screen chosenWhileOpening;
    /** Set on the FX thread once the engine has started (after reading a stored queue back). */
    private volatile EmbeddedEngine system;
    /** Written by the thread that starts the API, read on the FX thread and at close. */
    private volatile io.queuedeck.engine.api.ApiService api;
    private volatile String apiLine = "API off";
    /** Done once the REST API has started or failed to (at once when there is none). */
    private final java.util.concurrent.CompletableFuture<Void> apiStarted = new java.util.concurrent.CompletableFuture<>();
    private EngineGateway gateway;
    private io.queuedeck.engine.fault.FaultCatalogue faultCatalogue;
    private MainView main;
    private Stage stage;
    private ConsoleOptions options;
    /** What the last run remembered, or the defaults for a screenshot or benchmark run. */
    private ConsoleSettings settings;

    /** Screenshots and benchmarks use fixed defaults, so they look the same on every machine. */
    private boolean remembers() {
        return options.screenshot().isEmpty() && options.benchUi().isEmpty();
    }
    /** Where the queue is kept; null in memory. */
    private java.nio.file.Path stateDir;
    /** The demo load when the window began to close, kept for the next start; NaN until then. */
    private double loadWhenClosed = Double.NaN;
    /** How long without a snapshot before the status line says the view is old. */
    private static final long STALE_NANOS = 5_000_000_000L;
    private EngineSnapshot lastStatus;
    private long lastStatusAt;
    /** Opened by the thread that starts the API; closed at exit. */
    private volatile DeliveryStore callbackStore;
    /** The data directory's free space against its floor; null in memory. */
    private volatile DiskRoom diskRoom;
    /** The graceful stop the window's close started; FX thread only. */
    private GracefulStop stopping;
    /** The window's notifications: refused commands and alerts. */
    private Notices notices;

    @Override
    public void start(Stage primaryStage) {
        StartTimes.mark("JavaFX calls start()");
        stage = primaryStage;
        notices = new Notices(stage);
        options = ConsoleOptions.parse(getParameters().getRaw());
        settings = remembers() ? ConsoleSettings.load(ConsoleSettings.defaultFile()) : ConsoleSettings.DEFAULTS;
        ConsoleTheme.apply(ConsoleTheme.light(options, settings));

        stateDir = options.stateDirectory(System::getenv, io.queuedeck.engine.store.DataDirectory.userHome()).orElse(null);
        // a scheduler loop that dies ends the process (exit 70) once the window has said why
        EmbeddedEngine.onLoopFailure(new DeadLoop(stage, stateDir, Runtime.getRuntime()::halt)::report);
        // The window opens with a one-line message and then takes the screens: a stored queue may take
        // seconds to read back (the FX thread never waits for it), and a window first shown at its full
        // size is cut back to its minimum by some window managers, while one resized after showing is not.
        javafx.scene.control.Label opening = new javafx.scene.control.Label(
                stateDir == null ? "Starting the engine …" : "Opening the queue in " + stateDir + " …");
        Scene openingScene = new Scene(new javafx.scene.layout.StackPane(opening), 720, 240);
        // the theme's background from the first frame: the default white fill flashed for a second before the theme's CSS
        openingScene.setFill(ConsoleTheme.background(options, settings));
        // a screen's shortcut pressed while the window says it is opening (seconds on a busy machine) was lost:
        // it is kept, said, and the window opens on that screen
        openingScene.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, key -> MainView.screenOf(key).ifPresent(chosen -> {
            chosenWhileOpening = chosen;
            opening.setText(opening.getText().replaceFirst(" \\(then .*\\)$", "") + " (then " + chosen.title() + ")");
            key.consume();
        }));
        stage.setScene(openingScene);
        stage.setTitle("QueueDeck console");
        io.queuedeck.console.ui.LongTooltips.wrapEverywhere();
        stage.show();
        if (stateDir == null && options.backends().isEmpty() && options.cluster().isEmpty()) { // nothing stored to read back, no server to ask
            // still off the FX thread: the UI benchmark's engine builds a backlog of 100,000 tasks first
            Thread.ofPlatform().name("queuedeck-open").daemon().start(() -> {
                EmbeddedEngine started = options.benchUi().isPresent() ? BenchUi.startSystem()
                        : EmbeddedEngine.start(options.policy(), options.gpus(), null, options.config().orElse(null));
                javafx.application.Platform.runLater(() -> show(started));
            });
            return;
        }
        QueueOpening.take(options, stateDir).whenComplete((opened, failure) -> {
            if (failure == null) {
                javafx.application.Platform.runLater(() -> show(opened));
                return;
            }
            String reason = failure.getMessage();
            System.err.println("queuedeck-console: " + reason);
            javafx.application.Platform.runLater(() -> refuseToOpen(opening, reason));
        });
    }

    /**
     * The queue cannot be opened (another console or server holds its directory, a broken store):
     * the window says why and stays until it is closed, as someone who started the console from a
     * desktop sees nothing of its standard error; the process then exits 2.
     */
    private void refuseToOpen(javafx.scene.control.Label opening, String reason) {
        exitCode = 2;
        opening.setText("Cannot open the queue: " + reason);
        opening.setWrapText(true);
        opening.setMaxWidth(640);
        opening.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE); // the whole reason, never "…"
        javafx.scene.control.Button close = new javafx.scene.control.Button("Close");
        close.setId("open-failed-close");
        close.setDefaultButton(true);
        close.setOnAction(e -> javafx.application.Platform.exit());
        javafx.scene.layout.VBox box = new javafx.scene.layout.VBox(16, opening, close);
        box.setAlignment(javafx.geometry.Pos.CENTER);
        box.setPadding(new javafx.geometry.Insets(24));
        box.setPrefWidth(720);
        stage.getScene().setRoot(box);
        stage.sizeToScene();
        stage.centerOnScreen();
        stage.setOnCloseRequest(e -> javafx.application.Platform.exit());
        for (String name : java.util.List.of("TERM", "INT")) { // a stop by signal says the same: exit 2
            sun.misc.Signal.handle(new sun.misc.Signal(name),
                    signal -> javafx.application.Platform.runLater(javafx.application.Platform::exit));
        }
    }

    /** The process's exit code once the window is gone: 0, or what a failed start or a one-shot run set. */
    private static volatile int exitCode;

    static int exitCode() {
        return exitCode;
    }

    /**
     * The console's own audited actions that the change log records already, from snapshots (policy,
     * dispatch, tiers) or where they are made (GPU buttons, the burst, the poison task): not twice.
     */
    private static final java.util.regex.Pattern CHANGE_LOGGED_ALREADY = java.util.regex.Pattern.compile(
            "(policy|queue|tier|instance)\\..*|fault\\.(crash|slow|slow_clear|load_burst|poison_task)");

    /** Builds the window around a started engine. FX thread. */
    private void show(EmbeddedEngine started) {
        StartTimes.mark("the engine is open; the window takes it");
        system = started;
        // the demo load starts once the first frame is drawn (a trace's replay replaces it); the UI
        // benchmark's engine comes with its flow, held until then too
        double startLoad = options.benchUi().isPresent() ? system.load() : options.load();
        if (options.trace().isEmpty() && system.load() > 0) {
            system.setLoad(0);
        }
        if (stateDir != null) {
            restored = restoredNote(system.opened());
            diskRoom = new DiskRoom(new io.queuedeck.engine.store.DiskFloor(stateDir, system.startConfig().store().minFreeBytes()));
        }
        gateway = EngineGateway.forFx(system.engine(), this::report);
        // drills and the REST API share it; a burst's factor multiplies the demo load's rate
        faultCatalogue = io.queuedeck.console.gateway.ConsoleFaults.start(system.engine(), system.backends(), system::offeredTasksPerSecond);
        gateway.gateFaults(faultCatalogue::armed); // the kill switch also stops the Faults and GPUs screens' fault buttons
        options.trace().ifPresent(system::replay); // a bad trace fails the start with its reason

        ChangeLog changes = new ChangeLog(Clock.systemDefaultZone());
        OverviewViewModel overview = new OverviewViewModel();
        PoliciesViewModel policies = new PoliciesViewModel(gateway, system, ControlScreen.policySwitch(system, gateway));
        GpusViewModel gpus = new GpusViewModel(gateway, changes);
        io.queuedeck.console.faults.CatalogueFaults catalogueFaults = new io.queuedeck.console.faults.CatalogueFaults(
                faultCatalogue, javafx.application.Platform::runLater, gateway::reportFailure);
        gateway.beforeInstanceTakenOver(catalogueFaults::handBack);
        FaultsViewModel faults = new FaultsViewModel(gateway, system, changes, catalogueFaults); // the tenant flood
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
        lanes.onRefused(this::report);
        gateway.addListener(lanes::apply);
        io.queuedeck.console.gateway.FaultMarkers faultMarkers = new io.queuedeck.console.gateway.FaultMarkers(system.engine(), changes);
        gateway.addListener(s -> faultMarkers.drain()); // every catalogue fault a labelled chart marker

        Map<Screen, Supplier<Parent>> screens = new EnumMap<>(Screen.class);
        screens.put(Screen.OVERVIEW, () -> themed(new OverviewView(overview, changes.entries()))); // faults marked on sparklines
        screens.put(Screen.LATENCY, () -> new LatencyView(latency).root());
        screens.put(Screen.POLICIES, () -> PolicyScreen.build(policies));
        io.queuedeck.console.cluster.ClusterViewModel cluster = ClusterWiring.model(system, gateway);
        screens.put(Screen.LANES, () -> ClusterWiring.lanes(new LanesView(lanes).onNoticeCut(text -> notices.said("Lanes", text)).root(), cluster));
        screens.put(Screen.GPUS, () -> ClusterWiring.around(new GpusView(gpus).root(), cluster));
        screens.put(Screen.FAULTS, () -> new FaultsView(faults).root());
        io.queuedeck.console.search.SearchViewModel search = new io.queuedeck.console.search.SearchViewModel(gateway, gateway,
                new io.queuedeck.console.search.SearchExport(gateway, write -> Thread.ofVirtual().name("search-export").start(write),
                        javafx.application.Platform::runLater, system.engine().clock()::toInstant));
        gateway.addListener(search::apply);
        ClusterWiring.search(system, search);
        screens.put(Screen.SEARCH, () -> new io.queuedeck.console.search.SearchView(search).root());
        screens.put(Screen.ACTIVITY, () -> new io.queuedeck.console.activity.ActivityView(
                new io.queuedeck.console.activity.ActivityViewModel(gateway,
                        write -> Thread.ofVirtual().name("activity-export").start(write), javafx.application.Platform::runLater)).root());
        screens.put(Screen.DRILLS, () -> {
            drills = io.queuedeck.console.drills.DrillsViewModel.forConsole(
                    new io.queuedeck.engine.drill.LiveEngine(system.engine(), faultCatalogue), stateDir,
                    dir -> getHostServices().showDocument(dir.toUri().toString()), system::load);
            drills.onKillSwitch(faults::restoreGpus); // slowed and offline GPUs of the Faults and GPUs buttons too
            return new io.queuedeck.console.drills.DrillsView(drills).root();
        });
        // audit entries become labelled chart markers: the REST API's all, the console's that the
        // change log does not already read from snapshots (policy, dispatch, tiers) or GPU commands
        gateway.onAudit(entry -> {
            if (entry.source().equals("api") || !CHANGE_LOGGED_ALREADY.matcher(entry.action()).matches()) {
                // a fault that ran out is no one's doing: a recovery, as the log files a GPU back up
                changes.record(entry.action().equals("fault.expire") ? ChangeLog.Kind.RECOVERY : ChangeLog.Kind.OPERATOR, entry.summary());
            }
            if (entry.source().equals("console") && main != null) {
                main.clearRefusal();
            }
        });
        io.queuedeck.console.alerts.AlertsViewModel alerts = new io.queuedeck.console.alerts.AlertsViewModel(
                io.queuedeck.console.alerts.AlertThresholds.DEFAULTS);
        ControlScreen.install(screens, system, gateway, alerts);
        StartTimes.mark("view models built");
        main = new MainView(screens, policies);
        gateway.addListener(alerts::apply);
        main.setBanner(new io.queuedeck.console.alerts.AlertBanner(alerts).root());
        alerts.onTransition(t -> notices.alert(t.alert().key(), t.alert().text(), t.raised())); // and a notification per raise and clear
        gateway.addListener(this::status);
        javafx.animation.Timeline staleness = new javafx.animation.Timeline(new javafx.animation.KeyFrame(
                javafx.util.Duration.seconds(1), e -> {
                    if (System.nanoTime() - lastStatusAt > STALE_NANOS) {
                        showStatus();
                    }
                }));
        staleness.setCycleCount(javafx.animation.Animation.INDEFINITE);
        staleness.play();

        boolean remember = remembers();
        // the demo load set last (0 included) runs again, unless --load says otherwise or there is no demo load
        boolean demo = options.trace().isEmpty() && options.backends().isEmpty() && options.cluster().isEmpty();
        double demoLoad = remember && demo && !options.loadGiven() ? settings.demoLoad().orElse(startLoad) : startLoad;
        javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getPrimary().getVisualBounds();
        // the scene leaves room for the window's frame: a window asking for more than the screen holds
        // is cut back by window managers to its minimum size (1024 × 680), cutting every label
        // but never below the window's minimum: the window grew to it after being centred at the smaller
        // size, and on a 1024 × 680 screen its right and bottom edges (the status line) were off the screen
        double minWidth = Math.min(MIN_WIDTH, screen.getWidth());
        double minHeight = Math.min(MIN_HEIGHT, screen.getHeight());
        Scene scene = new Scene(main.root(), Math.max(minWidth, Math.min(settings.width(), screen.getWidth() - FRAME_ROOM)),
                Math.max(minHeight, Math.min(settings.height(), screen.getHeight() - FRAME_ROOM)));
        scene.getStylesheets().add(ConsoleApp.class.getResource("console.css").toExternalForm());
        scene.setFill(ConsoleTheme.background(options, settings));
        main.installShortcuts(scene, policies::togglePause);
        main.lightThemeProperty().set(ConsoleTheme.light(options, settings));
        ConsoleTheme.apply(main.lightThemeProperty().get());
        main.lightThemeProperty().addListener((o, a, light) -> ConsoleTheme.apply(light));
        Screen first = chosenWhileOpening != null ? chosenWhileOpening : options.screen().orElse(settings.screen());
        main.screenProperty().addListener((o, a, shown) -> {
            lanes.setActive(shown == Screen.LANES);
            gpus.setActive(shown == Screen.GPUS);
        });
        lanes.setActive(first == Screen.LANES);
        gpus.setActive(first == Screen.GPUS);
        if (remember) {
            stage.setOnHidden(e -> new ConsoleSettings(scene.getWidth(), scene.getHeight(), main.screenProperty().get(),
                    main.lightThemeProperty().get(), demo ? java.util.OptionalDouble.of(Double.isNaN(loadWhenClosed)
                    ? system.load() : loadWhenClosed) : settings.demoLoad()).save(ConsoleSettings.defaultFile()));
        }
        main.screenProperty().set(first);
        StartTimes.mark("MainView and the first screen built");
        // Scene before show(): under headless Monocle a stage shown without one sits at NaN.
        stage.setScene(scene);
        stage.sizeToScene(); // the window showing the opening message takes the remembered size...
        stage.centerOnScreen(); // ...and stays on the screen (it was centred for the small message)
        stage.setTitle("QueueDeck console");
        stage.setOnCloseRequest(e -> {
            e.consume(); // the window closes once running tasks have finished (or on a second close)
            closeGracefully();
        });
        // SIGTERM (a logout, a system stop, kill) and Ctrl+C stop as closing the window does; a
        // second signal stops at once. Without this the JVM would exit without closing the store.
        for (String name : java.util.List.of("TERM", "INT")) {
            sun.misc.Signal.handle(new sun.misc.Signal(name),
                    signal -> javafx.application.Platform.runLater(this::closeGracefully));
        }
        stage.setMinWidth(minWidth);
        stage.setMinHeight(minHeight);
        StartTimes.watch(scene);
        stage.show();
        StartTimes.mark("the main window shown");
        gateway.start();
        boolean withApi = options.apiPort().isPresent() && options.screenshot().isEmpty() && options.benchUi().isEmpty();
        if (withApi) {
            apiLine = "API starting"; // the status line says so until it listens
        } else {
            ClusterWiring.startAlone(system, null);
            apiStarted.complete(null);
        }
        AfterFirstFrame.run(scene, () -> {
            if (options.trace().isEmpty() && stopping == null) {
                system.setLoad(demoLoad);
            }
            main.prebuild(Screen.OVERVIEW); // its sparklines start now, not when it is first opened
            if (withApi && stopping != null) {
                apiStarted.complete(null); // closed before it started: nothing to stop
            } else if (withApi) {
                // binding the port and opening the callback store take seconds on a busy machine
                int port = options.apiPort().getAsInt();
                Thread.ofPlatform().name("queuedeck-api-start").daemon().start(() -> startApi(port));
            }
        });

        if (!options.inject().isEmpty()) {
            javafx.animation.PauseTransition wait = new javafx.animation.PauseTransition(javafx.util.Duration.seconds(2));
            wait.setOnFinished(e -> InjectedFaults.send(options.inject(), gpus, faults));
            wait.play();
        }
        options.screenshot().ifPresent(file -> Screenshot.after(scene, file, options.after(), ConsoleApp::exitAfterStop));
        options.benchUi().ifPresent(d -> new BenchUi(system, d, main.screenProperty()::set).start());
    }

    /** How long a close waits for an aborted drill's report (written in well under a second). */
    private static final java.time.Duration DRILL_REPORT_WAIT = java.time.Duration.ofSeconds(10);
    /** The Drills screen's model, once the screen was opened (a drill runs only from there). FX thread. */
    private io.queuedeck.console.drills.DrillsViewModel drills;

    /**
     * The graceful stop the window's close starts (the FX thread never waits for it): the demo
     * load stops, the API refuses new submissions, nothing new starts, running tasks finish within
     * the grace period, then everything closes and what is still queued stays in the store. A
     * second close cuts the grace period short.
     */
    void closeGracefully() {
        if (stopping != null) {
            stopping.hurry();
            return;
        }
        loadWhenClosed = system.load(); // the stop ends the demo load; the next start runs what the operator had set
        main.setLastingMessage(stoppingMessage(options.shutdownGrace(), stateDir == null && options.cluster().isEmpty()));
        stopping = new GracefulStop(system, () -> {
            apiStarted.join(); // an API still starting is stopped too, not left listening
            return api;
        }, options.shutdownGrace());
        var drillEnded = drills == null ? java.util.concurrent.CompletableFuture.completedFuture(null) : drills.endForClose();
        Thread.ofPlatform().name("queuedeck-close").daemon().start(() -> {
            try {
                drillEnded.get(DRILL_REPORT_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.TimeoutException e) {
                System.err.println("queuedeck-console: the aborted drill is still settling; its report is written as the engine stops");
            } catch (java.util.concurrent.ExecutionException e) {
                System.err.println("queuedeck-console: the running drill's report was not written: " + e.getCause());
            }
            try {
                stopping.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                javafx.application.Platform.runLater(javafx.application.Platform::exit); // runs stop()
            }
        });
    }

    /** The overview's tiles follow the theme (TilesFX takes colours in code, not from the stylesheet). */
    private Parent themed(OverviewView view) {
        view.setLight(main.lightThemeProperty().get());
        main.lightThemeProperty().addListener((o, a, light) -> view.setLight(light));
        return view.root();
    }

    /** What the status line says while the window stops; short enough for it at 1280 px. */
    static String stoppingMessage(java.time.Duration grace, boolean inMemory) {
        return "Stopping: running tasks may finish for up to " + grace.toSeconds() + " s; close again to stop now"
                + (inMemory ? " (in memory: the queue is lost)" : " (queued tasks are kept)");
    }

    /** The REST API on loopback, as {@code serve} runs it; a busy port leaves the console without it. */
    private void startApi(int port) {
        try {
            callbackStore = stateDir == null ? null : DeliveryStore.durable(stateDir);
            var backends = system.backends();
            var callbackFaults = new io.queuedeck.engine.callback.CallbackFaults();
            faultCatalogue.registerCallbacks(callbackFaults); // callback_* faults hit the API's callbacks
            io.queuedeck.engine.api.ApiService created = io.queuedeck.engine.api.ApiService.create(system.engine(), server -> {
                        server.host("127.0.0.1").port(port).faults(faultCatalogue).configService(system.plane());
                        if (stateDir != null) { // /readyz fails before the disk is full, as serve's does
                            server.diskFloor(stateDir, system.startConfig().store().minFreeBytes());
                        }
                        if (backends != null) { // existing OpenAI clients reach the backends through the queue
                            server.openAiFrontDoor(backends.models(), backends.streams());
                        }
                        if (system.cluster() != null) {
                            system.cluster().configure(server); // submissions go into the shared queue
                        }
                    },
                    callbacks -> {
                        callbacks.faults(callbackFaults);
                        system.startConfig().callbacks().applyTo(callbacks); // as serve does with its file's section
                        if (callbackStore != null) {
                            callbacks.store(callbackStore);
                        }
                    });
            ClusterWiring.attach(system, created);
            api = created.start();
            ClusterWiring.callBackEnded(system, created);
            apiLine = "API " + api.baseUri();
        } catch (IllegalArgumentException e) {
            api = null;
            closeCallbackStore();
            apiLine = "API off (" + e.getMessage() + ")";
        } finally {
            ClusterWiring.startAlone(system, api); // without the API's completion feed: one of its own
            apiStarted.complete(null);
        }
    }

    /** Where the console's REST API listens; empty when it does not run or has not started yet. */
    public java.util.Optional<java.net.URI> apiUri() {
        return api == null ? java.util.Optional.empty() : java.util.Optional.of(api.baseUri());
    }

    /**
     * What the stored queue brought back at start, for the status line (its counts are this run's):
     * " (since start; from the last run: 22 waiting, 5 dead letters)", or empty.
     */
    private String restored = "";

    static String restoredNote(EngineSnapshot first) {
        int waiting = first.queued() + first.running();
        int dead = first.queuedByTier().getOrDefault(io.queuedeck.engine.tier.Tier.DEAD_LETTER, 0);
        if (waiting == 0 && dead == 0) {
            return "";
        }
        return String.format(Locale.ROOT, " (since start; from the last run: %,d waiting, %,d dead letter%s)", waiting, dead,
                dead == 1 ? "" : "s");
    }

    private void status(EngineSnapshot s) {
        lastStatus = s;
        lastStatusAt = System.nanoTime();
        showStatus();
    }

    /**
     * The status line: when it was updated comes first, so that a narrow window never cuts it, and
     * once no snapshot has come for {@link #STALE_NANOS} it says so, since a frozen view otherwise
     * looks live. Also run once a second, on the FX thread, to notice the silence.
     */
    private void showStatus() {
        EngineSnapshot s = lastStatus;
        if (s == null) {
            return;
        }
        long silent = System.nanoTime() - lastStatusAt;
        String when = LocalTime.ofInstant(s.takenAt(), ZoneId.systemDefault()).format(CLOCK);
        String head = silent > STALE_NANOS
                ? "NOT UPDATING: no word from the engine since " + when + " (" + silent / 1_000_000_000 + " s); what shows is old"
                : "Updated " + when;
        boolean backends = !s.instances().isEmpty() && s.instances().getFirst().backend() != null;
        int n = s.instances().size();
        String instances = n + (backends ? " backend instance" : " simulated GPU") + (n == 1 ? "" : "s");
        String demo = system.unavailable() != null ? "" : String.format(Locale.ROOT, " · demo load %.0f%%", system.load() * 100);
        String low = diskRoom == null ? null : diskRoom.shortage(); // read once: the sampler may change it meanwhile
        String disk = low == null ? "" : " · " + low;
        main.setStatus(String.format(Locale.ROOT, "%s%s · Embedded engine · %s · policy %s%s · %,d submitted · %,d done%s%s · %s · %s",
                head, disk, instances, s.policy(), s.dispatchPaused() ? " (paused)" : "", s.counters().submitted(),
                s.counters().succeeded(), restored, demo, apiLine,
                system.cluster() != null ? "node " + system.cluster().nodeName() + " of a queue shared in Redis (GPUs: cluster)"
                        : stateDir == null ? "in memory: the queue is lost on close" : "queue kept in " + stateDir));
    }

    /** A refused command: a notification the operator sees, and the status line keeps it. */
    private void report(CommandFailure failure) {
        main.setLastError(failure.action() + " refused: " + failure.reason());
        notices.refused(failure.action(), failure.reason());
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
        EngineGateway feed = gateway;
        var restApi = api;
        EmbeddedEngine engine = system;
        boolean clean = StopInOrder.close(java.util.List.of(
                new StopInOrder.Part("the snapshot feed", feed == null ? null : feed::stop),
                new StopInOrder.Part("the REST API", restApi == null ? null : restApi::close),
                // after the API: pending callbacks are written out for the next start
                new StopInOrder.Part("the callback store", this::closeCallbackStore),
                new StopInOrder.Part("the engine and its task store", engine == null ? null : engine::close),
                new StopInOrder.Part("the disk room sampler", diskRoom == null ? null : diskRoom::close)), System.err);
        if (!clean && exitCode == 0) {
            exitCode = 1; // the launcher then exits, whatever threads a part that failed to close left running
        }
    }

    private void closeCallbackStore() {
        if (callbackStore != null) {
            try {
                callbackStore.close();
            } catch (RuntimeException e) {
                System.err.println("QueueDeck: closing the callback store failed: " + e.getMessage());
            }
            callbackStore = null;
        }
    }

    /**
     * Ends a one-shot run (screenshot, UI bench) with {@code code}: Platform.exit runs
     * {@link #stop} (which closes the engine) before the FX thread ends; the JVM exits shortly after,
     * whatever non-daemon threads a library left behind.
     */
    static void exitAfterStop(int code) {
        exitCode = code;
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
