package io.queuedeck.console.drills;

import io.queuedeck.engine.config.DrillReader;
import io.queuedeck.engine.config.ShippedDrills;
import io.queuedeck.engine.drill.Drill;
import io.queuedeck.engine.drill.DrillResult;
import io.queuedeck.engine.drill.DrillRunner;
import io.queuedeck.engine.drill.LiveEngine;
import io.queuedeck.engine.drill.ProbeLight;
import io.queuedeck.engine.report.DrillReport;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The Drills screen: pick a drill (shipped, or a file), run it against the console's live engine,
 * watch its timeline and probe lights, pull the kill switch, read the verdict and the report, and
 * see past runs. The drill runs on a background thread and publishes its state once a second
 * through one pending hand-over to the FX thread (never one per event); the FX thread never waits.
 */
public final class DrillsViewModel {
    static final String KILL_SWITCH = "operator pulled the kill switch";
    static final String CLOSED = "the console was closed";

    /**
     * A step of the progress timeline: planned at {@code second}, done once the drill passed it,
     * refused when the engine would not take it (a fault while the kill switch is off, say; the log says why).
     */
    public record Step(double second, String label, boolean done, boolean refused) {
        /** Whether the log has this step refused: its action, about its second. */
        static boolean refusedIn(List<DrillResult.LogLine> log, double second, String label) {
            return log.stream().anyMatch(l -> l.action().equals(label) && l.observed().startsWith("refused: ")
                    && Math.abs(l.second() - second) < 1.5);
        }
    }

    /** What the drill thread hands over each second. */
    private record Progress(double second, double end, List<Step> steps, List<ProbeLight> lights, String abortReason,
                            String lastLog) {}

    private final LiveEngine target;
    private final Executor background;
    private final Executor fx;
    private final Consumer<Path> opener;
    /** Undoes the console's own GPU faults at the kill switch; answers how many. */
    private java.util.function.IntSupplier onKillSwitch = () -> 0;
    private final DrillHistory history;
    private final Clock clock;
    private final Map<String, Path> files = new LinkedHashMap<>();
    private final ObservableList<String> drills = FXCollections.observableArrayList();
    private final StringProperty selected = new SimpleStringProperty(this, "selected");
    private final ReadOnlyStringWrapper description = new ReadOnlyStringWrapper(this, "description", "");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ReadOnlyBooleanWrapper armed = new ReadOnlyBooleanWrapper(this, "armed", true);
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "Pick a drill and run it against the live engine.");
    private final ReadOnlyStringWrapper verdict = new ReadOnlyStringWrapper(this, "verdict", "");
    private final ReadOnlyObjectWrapper<Path> report = new ReadOnlyObjectWrapper<>(this, "report");
    private final ObservableList<Step> timeline = FXCollections.observableArrayList();
    private final ObservableList<ProbeLight> lights = FXCollections.observableArrayList();
    private final ObservableList<PastRun> past = FXCollections.observableArrayList();
    private final ObservableList<Step> readOnlyTimeline = FXCollections.unmodifiableObservableList(timeline);
    private final ObservableList<ProbeLight> readOnlyLights = FXCollections.unmodifiableObservableList(lights);
    private final ObservableList<PastRun> readOnlyPast = FXCollections.unmodifiableObservableList(past);
    private final AtomicReference<Progress> pending = new AtomicReference<>();
    private final AtomicBoolean handOverQueued = new AtomicBoolean();
    private volatile DrillRunner current;
    /** Completes once the last run started has ended and its report is written (or it did not run). */
    private volatile CompletableFuture<Void> runEnded = CompletableFuture.completedFuture(null);
    /** The console's demo load, as a fraction of the GPUs' capacity, beside which a drill runs. */
    private volatile java.util.function.DoubleSupplier demoLoad = () -> 0;
    /** The drill the operator chose to run although it and the demo load ask more than the GPUs give. */
    private volatile String overCapacityConfirmed;

    /**
     * @param target     the console's engine and its fault catalogue
     * @param background runs drills and the kill switch (two at once: the kill switch must not queue behind a drill)
     * @param fx         the FX thread
     * @param dataDir    where reports and the list of past runs are kept
     * @param opener     shows a report directory (the desktop's file browser)
     */
    public DrillsViewModel(LiveEngine target, Executor background, Executor fx, Path dataDir, Consumer<Path> opener, Clock clock) {
        this.target = Objects.requireNonNull(target, "target");
        this.background = Objects.requireNonNull(background, "background");
        this.fx = Objects.requireNonNull(fx, "fx");
        this.opener = Objects.requireNonNull(opener, "opener");
        this.history = new DrillHistory(Objects.requireNonNull(dataDir, "dataDir"));
        this.clock = Objects.requireNonNull(clock, "clock");
        drills.setAll(ShippedDrills.names());
        selected.addListener((o, was, now) -> {
            describe(now);
            if (!running.get()) { // another drill's timeline, probes and verdict would read as this one's
                timeline.clear();
                lights.clear();
                verdict.set("");
                report.set(null);
                progress.set(0);
                status.set(""); // a refused file's problems read as the newly picked drill's
            }
        });
        selected.set(ShippedDrills.names().getFirst());
        background.execute(() -> {
            List<PastRun> runs = history.load();
            boolean on = target.faults().armed();
            fx.execute(() -> {
                past.setAll(runs.reversed()); // newest first, as the Activity screen lists
                armed.set(on);
            });
        });
    }

    /**
     * The console's model: drills on daemon threads, the FX thread for state, reports under
     * {@code stateDir/drills} (a temporary directory when the console keeps nothing).
     */
    public static DrillsViewModel forConsole(LiveEngine target, Path stateDir, Consumer<Path> opener,
                                             java.util.function.DoubleSupplier demoLoad) {
        Path dir;
        try {
            dir = stateDir != null ? stateDir.resolve("drills") : java.nio.file.Files.createTempDirectory("queuedeck-drills");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Executor threads = java.util.concurrent.Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("queuedeck-drill-", 1).factory());
        DrillsViewModel model = new DrillsViewModel(target, threads, javafx.application.Platform::runLater, dir, opener,
                Clock.systemUTC());
        model.besideDemoLoad(demoLoad);
        return model;
    }

    /** Tells the model the demo load it runs beside, so that Run can say when both ask more than the GPUs give. */
    public void besideDemoLoad(java.util.function.DoubleSupplier load) {
        demoLoad = Objects.requireNonNull(load, "load");
    }

    // ---------------------------------------------------------------- commands

    /** Adds a drill file to the picker and selects it; a bad file is refused with every problem. */
    public void addFile(Path file) {
        Drill drill;
        try {
            drill = DrillReader.read(file);
        } catch (IllegalArgumentException e) { // a ConfigException too: every problem with its line
            status.set("Cannot use " + file.getFileName() + ": " + e.getMessage());
            return;
        }
        String label = drill.name() + " (" + file.getFileName() + ")";
        files.put(label, file);
        if (!drills.contains(label)) {
            drills.add(label);
        }
        selected.set(label);
    }

    /** Runs the selected drill against the live engine, on the background thread. */
    public void run() {
        String choice = selected.get();
        if (running.get() || choice == null) {
            return;
        }
        if (!armed.get()) {
            status.set("Fault injection is disarmed by the kill switch: re-arm it to run a drill.");
            return;
        }
        Path file = files.get(choice);
        running.set(true);
        verdict.set("");
        report.set(null);
        progress.set(0);
        timeline.clear();
        lights.clear();
        status.set("Starting " + choice + " …");
        CompletableFuture<Void> ended = new CompletableFuture<>();
        runEnded = ended;
        background.execute(() -> {
            try {
                execute(choice, file);
            } finally {
                ended.complete(null);
            }
        });
    }

    /**
     * What the kill switch also undoes beyond the fault catalogue (FX thread): the console's own GPU
     * buttons slow and take GPUs offline outside it, and "every fault is cleared" must hold for them.
     */
    public void onKillSwitch(java.util.function.IntSupplier action) {
        onKillSwitch = Objects.requireNonNull(action, "action");
    }

    /**
     * The console closes: a running drill is aborted (its faults cleared) and recorded as every
     * abort is, with its report and its row in Past runs; they were lost with the window. The
     * future completes once that is written. Any thread.
     */
    public CompletableFuture<Void> endForClose() {
        DrillRunner runner = current;
        if (runner != null) {
            runner.abortForStop(CLOSED); // reported now: the stopping console would cut a wait for its tasks short
        }
        return runEnded;
    }

    /**
     * The kill switch: aborts the running drill, clears every fault and disarms injection
     * everywhere in the console (its drills and its REST API) until {@link #rearm}.
     */
    public void abort() {
        armed.set(false);
        int restored = onKillSwitch.getAsInt();
        DrillRunner runner = current;
        status.set("Kill switch pulled: faults cleared, injection disarmed.");
        background.execute(() -> {
            // cleared here first, then the drill told how many: the screen, the audit and the drill's report give one figure
            int cleared = target.faults().disarm(io.queuedeck.console.gateway.ConsoleAudit.actor(), restored);
            String faults = cleared + (cleared == 1 ? " fault" : " faults") + " cleared"; // "1 faults cleared" read as a slip
            if (runner != null) {
                runner.abort(KILL_SWITCH + ": " + faults);
            }
            fx.execute(() -> status.set("Kill switch pulled: " + faults + ", injection disarmed until re-armed."));
        });
    }

    /** Allows fault injection again after the kill switch. */
    public void rearm() {
        background.execute(() -> {
            target.faults().arm(io.queuedeck.console.gateway.ConsoleAudit.actor());
            fx.execute(() -> {
                armed.set(true);
                status.set("Fault injection re-armed.");
            });
        });
    }

    /** Opens the last run's report directory. */
    public void openReport() {
        if (report.get() != null) {
            open(report.get());
        }
    }

    /** Opens a past run's report directory. */
    public void openReport(PastRun run) {
        open(run.report());
    }

    /** The desktop may have no file browser, and says nothing when so: the path is shown either way. */
    private void open(Path dir) {
        status.set("Report: " + dir.resolve(io.queuedeck.engine.report.DrillReport.MARKDOWN)
                + " (the desktop was asked to open it; it cannot say whether anything did: if not, open the path)");
        opener.accept(dir);
    }

    // ---------------------------------------------------------------- the drill thread

    private void execute(String choice, Path file) {
        Instant started = clock.instant();
        try {
            Drill drill = file == null ? ShippedDrills.read(choice) : DrillReader.read(file);
            if (drill.target().backends() != null) {
                notRunning(drill.name() + " drills real inference servers (target.backends), not this console's "
                        + "GPUs: run it with `drill FILE --realtime` (docs/faults.md).");
                return;
            }
            if ("redis".equals(drill.target().store())) { // it drills a redis-server it starts and cuts off itself
                notRunning(drill.name() + " drills a shared queue in a redis-server that it starts itself, not this"
                        + " console's engine, which it leaves alone: run it with `java -jar queuedeck-engine.jar drill"
                        + " resources/drills/" + drill.name() + ".yaml --report DIR` (docs/faults.md).");
                return;
            }
            // what would stop it at once first: "press Run again" is offered only where running it anyway works
            java.util.Optional<String> refused = target.refusal(drill);
            if (refused.isPresent()) { // it would fail or abort at once, and an abort disarms every fault
                String why = refused.get();
                notRunning(drill.name() + " was not started: " + why + (why.startsWith("its probes")
                        ? ". Run it with `java -jar queuedeck-engine.jar drill resources/drills/" + drill.name()
                                + ".yaml --report DIR` (docs/faults.md)."
                        : why.startsWith("the engine breaks") ? ". Try again when it holds no more." : " (docs/faults.md)."));
                return;
            }
            double beside = demoLoad.getAsDouble();
            if (beside > 0 && beside + drill.target().load() > 1 && !choice.equals(overCapacityConfirmed)) {
                // a drill beside the default 90% demo load asked 150% and aborted itself on its stop conditions
                overCapacityConfirmed = choice;
                notRunning(String.format(java.util.Locale.ROOT, "%s was not started: the demo load (%.0f%%) and its own"
                        + " load (%.0f%%) ask %.0f%% of the GPUs' capacity, so its stop conditions would likely abort it."
                        + " Lower the demo load on Policy & load, or press Run again to run it anyway.", drill.name(),
                        beside * 100, drill.target().load() * 100, (beside + drill.target().load()) * 100));
                return;
            }
            overCapacityConfirmed = null;
            plannedEnd = 0;
            DrillRunner runner = DrillRunner.live(drill, target, this::everySecond);
            current = runner;
            DrillResult result = runner.run();
            Path dir = history.newReportDir(drill.name(), started);
            DrillReport.write(dir, result);
            PastRun.Outcome outcome = result.abortReason() != null ? PastRun.Outcome.ABORTED
                    : !result.notInjected().isEmpty() ? PastRun.Outcome.UNTESTED
                    : result.holds() ? PastRun.Outcome.HOLDS : PastRun.Outcome.FAILS;
            PastRun run = new PastRun(started, drill.name(), outcome, result.score(), dir);
            history.append(run);
            boolean on = target.faults().armed();
            fx.execute(() -> finished(result, run, on));
        } catch (IOException | RuntimeException | LinkageError e) { // the screen must never stay "running"
            notRunning("The drill could not run: " + e.getMessage());
        } finally {
            current = null;
        }
    }

    /** The drill did not run (refused before it started, or failed): the screen says why, on the FX thread. */
    private void notRunning(String why) {
        fx.execute(() -> {
            running.set(false);
            status.set(why);
        });
    }

    /** The running drill's planned end, in seconds, as its last second before any abort said. Drill thread. */
    private double plannedEnd;

    private void everySecond(io.queuedeck.engine.drill.DrillControl control) {
        double second = control.second();
        List<Step> steps = new ArrayList<>();
        List<DrillResult.LogLine> log = control.log();
        for (DrillResult.Marker m : control.plan()) {
            steps.add(new Step(m.second(), m.label(), m.second() <= second, Step.refusedIn(log, m.second(), m.label())));
        }
        String last = log.isEmpty() ? "" : log.getLast().action() + ": " + log.getLast().observed();
        plannedEnd = Math.max(plannedEnd, control.end()); // an abort cuts the run's end to where it stopped: "75 of 75 s" for a 420 s drill
        pending.set(new Progress(second, plannedEnd, steps, control.lights(), control.abortReason(), last));
        if (handOverQueued.compareAndSet(false, true)) {
            fx.execute(this::applyProgress);
        }
    }

    private void applyProgress() {
        handOverQueued.set(false);
        Progress p = pending.getAndSet(null);
        if (p == null || !running.get()) {
            return;
        }
        progress.set(p.end() <= 0 ? 0 : Math.min(1, p.second() / p.end()));
        timeline.setAll(p.steps());
        lights.setAll(p.lights());
        if (p.abortReason() != null) {
            armed.set(false); // the abort pulled the kill switch: Re-arm shows now, not when the verdict comes
        }
        status.set(String.format(Locale.ROOT, "%s%.0f of %.0f s · %s", p.abortReason() == null ? ""
                : "ABORTED (" + p.abortReason() + ") · stopped at ", p.second(), p.end(), p.lastLog()));
    }

    private void finished(DrillResult result, PastRun run, boolean on) {
        running.set(false);
        armed.set(on);
        progress.set(1);
        List<ProbeLight> judged = new ArrayList<>();
        for (DrillResult.ProbeResult p : result.probes()) {
            // a probe with nothing to measure (a run stopped before its window) is no red failure: grey, as while it ran
            judged.add(new ProbeLight(p.probe().name(), p.probe().metric().wireName(), p.probe().mode().wireName(), p.measured(),
                    p.passed() ? ProbeLight.Light.GREEN : p.judged() ? ProbeLight.Light.RED : ProbeLight.Light.PENDING));
        }
        lights.setAll(judged);
        for (int i = 0; i < timeline.size(); i++) {
            Step s = timeline.get(i);
            timeline.set(i, new Step(s.second(), s.label(), s.second() <= result.phases().end(),
                    s.refused() || Step.refusedIn(result.log(), s.second(), s.label())));
        }
        verdict.set(verdictText(result));
        report.set(run.report());
        past.addFirst(run);
        status.set(result.abortReason() != null ? "Aborted: " + result.abortReason()
                : !result.notInjected().isEmpty() ? "Finished without testing the hypothesis: " + result.untested()
                : "Finished: " + result.accounting().accepted() + " drill tasks accounted, "
                + result.accounting().lost() + " lost" + (result.accounting().unfinished() == 0 ? "." : ", "
                + result.accounting().unfinished() + " still queued (they run on)."));
    }

    static String verdictText(DrillResult result) {
        String words = result.verdict().substring("the ".length()); // as the report and the command line say it
        String verdict = result.abortReason() != null ? "Aborted: " + words
                : Character.toUpperCase(words.charAt(0)) + words.substring(1)
                + (result.notInjected().isEmpty() ? "" : " (a fault was not injected)");
        return String.format(Locale.ROOT, "%s · resilience score %.1f", verdict, result.score());
    }

    private void describe(String choice) {
        if (choice == null) {
            description.set("");
            return;
        }
        try {
            Drill drill = files.containsKey(choice) ? DrillReader.read(files.get(choice)) : ShippedDrills.read(choice);
            description.set(drill.description().strip() + "\nHypothesis: " + drill.hypothesis().strip());
        } catch (RuntimeException e) {
            description.set(e.getMessage());
        }
    }

    // ---------------------------------------------------------------- state

    public ObservableList<String> drills() {
        return drills;
    }

    public StringProperty selectedProperty() {
        return selected;
    }

    public ReadOnlyStringProperty descriptionProperty() {
        return description.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** False after the kill switch until re-armed. */
    public ReadOnlyBooleanProperty armedProperty() {
        return armed.getReadOnlyProperty();
    }

    /** 0..1 of the drill's timeline. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** Empty until a run ends; then the verdict and the score. */
    public ReadOnlyStringProperty verdictProperty() {
        return verdict.getReadOnlyProperty();
    }

    /** The last run's report directory; null before one ends. */
    public ReadOnlyObjectProperty<Path> reportProperty() {
        return report.getReadOnlyProperty();
    }

    public ObservableList<Step> timeline() {
        return readOnlyTimeline;
    }

    public ObservableList<ProbeLight> lights() {
        return readOnlyLights;
    }

    /** Past runs, newest first, with their scores. */
    public ObservableList<PastRun> pastRuns() {
        return readOnlyPast;
    }
}
