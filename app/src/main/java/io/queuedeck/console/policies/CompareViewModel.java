package io.queuedeck.console.policies;

import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.sim.PolicyResult;
import io.queuedeck.engine.sim.ReportFormat;
import io.queuedeck.engine.sim.TraceComparison;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Compares scheduling policies on a trace in simulated time, as {@code simulate --trace} does
 * ({@link TraceComparison}), for someone showing what a policy buys. One comparison at a time,
 * never on the FX thread: it runs on {@code background}, its policies on {@code pool}, and what it
 * finds comes back through {@code fx}.
 */
public final class CompareViewModel {
    static final String DEFAULT_LOAD = "0.9";
    static final String DEFAULT_SEED = "1";
    /** Short prompts urgent, as the live trace replay ranks them: with "keep" every task is P5 and priorities say nothing. */
    static final String DEFAULT_PRIORITIES = "prompt";
    /** As {@code simulate}: four H100s, no tenants given, no deadlines. */
    static final String DEFAULT_INSTANCES = "4";
    static final String DEFAULT_GPU = "h100";
    static final String DEFAULT_TENANTS = "0";
    static final String DEFAULT_DEADLINES = "none";
    static final String FIFO = "fifo";
    static final String IDLE = "Pick a trace, a load and the policies, then Run: every policy replays the same requests"
            + " on simulated GPUs.";

    private final Executor background;
    private final Executor pool;
    private final Executor fx;
    private final List<String> shippedTraces;
    private final StringProperty trace = new SimpleStringProperty(this, "trace");
    private final StringProperty load = new SimpleStringProperty(this, "load", DEFAULT_LOAD);
    private final StringProperty seed = new SimpleStringProperty(this, "seed", DEFAULT_SEED);
    private final StringProperty priorities = new SimpleStringProperty(this, "priorities", DEFAULT_PRIORITIES);
    private final StringProperty instances = new SimpleStringProperty(this, "instances", DEFAULT_INSTANCES);
    private final StringProperty gpu = new SimpleStringProperty(this, "gpu", DEFAULT_GPU);
    private final StringProperty tenants = new SimpleStringProperty(this, "tenants", DEFAULT_TENANTS);
    private final StringProperty deadlines = new SimpleStringProperty(this, "deadlines", DEFAULT_DEADLINES);
    private final Map<String, BooleanProperty> included = new LinkedHashMap<>();
    private final ObjectProperty<CompareFigure> figure = new SimpleObjectProperty<>(this, "figure", CompareFigure.E2E_MEAN);
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", IDLE);
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper(this, "error", "");
    private final ReadOnlyStringWrapper commandLine = new ReadOnlyStringWrapper(this, "commandLine", "");
    private final ReadOnlyStringWrapper urgentClass = new ReadOnlyStringWrapper(this, "urgentClass", "");
    private final ObservableList<CompareRow> rows = FXCollections.observableArrayList();
    private final ObservableList<CompareRow> rowsView = FXCollections.unmodifiableObservableList(rows);
    /** The last comparison's results, in run order; empty before one finished. */
    private List<PolicyResult> results = List.of();
    /** What the results shown are of, kept on the status line after an export. */
    private String described = "";
    /** Set by Cancel; the running comparison asks it every few thousand events. */
    private AtomicBoolean stop = new AtomicBoolean();

    /**
     * @param background runs a comparison (it waits there for its policies); one thread is enough
     * @param pool       runs the policies' simulations; must not be {@code background}'s only thread
     * @param fx         the FX thread (Platform::runLater), where state changes
     * @param traces     the shipped traces, offered by name
     */
    public CompareViewModel(Executor background, Executor pool, Executor fx, List<String> traces) {
        this.background = Objects.requireNonNull(background, "background");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.fx = Objects.requireNonNull(fx, "fx");
        this.shippedTraces = List.copyOf(traces);
        trace.set(shippedTraces.isEmpty() ? "" : shippedTraces.getFirst());
        for (String name : PolicyRegistry.names()) {
            included.put(name, new SimpleBooleanProperty(this, name, true));
        }
        figure.addListener((o, a, v) -> showRows());
    }

    /**
     * Starts a comparison with what the fields say.
     *
     * @return false when one runs already (it is not interrupted) or the fields are refused (the
     *         error says why)
     */
    public boolean run() {
        if (running.get()) {
            return false; // the button is off meanwhile; a shortcut or a double click is not a second run
        }
        TraceComparison comparison;
        try {
            comparison = new TraceComparison(trace.get() == null ? "" : trace.get().trim(), number("Load", load.get()),
                    seed(seed.get()), trimmed(priorities.get()), chosen(), whole("GPUs", instances.get(), 1, TraceComparison.MAX_INSTANCES),
                    trimmed(gpu.get()), whole("Tenants", tenants.get(), 0, Integer.MAX_VALUE), trimmed(deadlines.get()));
        } catch (IllegalArgumentException refused) {
            error.set(refused.getMessage());
            return false;
        }
        AtomicBoolean stopThis = new AtomicBoolean();
        stop = stopThis;
        error.set("");
        results = List.of();
        rows.clear();
        urgentClass.set("");
        commandLine.set("");
        String reading = shortName(comparison.trace());
        running.set(true);
        progress.set(-1);
        status.set("Running: reading " + reading + "…");
        int policies = comparison.policies().size();
        background.execute(() -> {
            try {
                TraceComparison.Outcome outcome = comparison.run(pool, stopThis::get, done -> fx.execute(() -> {
                    if (running.get() && !stopThis.get()) {
                        progress.set((double) done / policies);
                        status.set(String.format(Locale.ROOT, "Running: %d of %d policies done…", done, policies));
                    }
                }));
                fx.execute(() -> finished(comparison, outcome));
            } catch (CancellationException cancelled) {
                fx.execute(() -> ended("Cancelled: no results from this run.", ""));
            } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                // a bad trace says so on the screen; anything else too, in its own words, and the console goes on
                String message = e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage();
                String said = e instanceof IllegalArgumentException ? message : "The simulation failed: " + message;
                fx.execute(() -> ended("Not run.", said));
            }
        });
        return true;
    }

    /** The trace's file name, or the trace as given when it has none ("/") or is no path here. */
    private static String shortName(String trace) {
        try {
            Path name = Path.of(trace).getFileName();
            return name == null ? trace : name.toString();
        } catch (java.nio.file.InvalidPathException e) {
            return trace;
        }
    }

    /** Asks the running comparison to stop; it ends within moments and says so. */
    public void cancel() {
        if (running.get() && !stop.getAndSet(true)) {
            status.set("Cancelling…");
        }
    }

    private void finished(TraceComparison comparison, TraceComparison.Outcome outcome) {
        results = outcome.results();
        urgentClass.set(mostUrgent(results));
        commandLine.set("java -jar queuedeck-engine.jar " + comparison.commandLine());
        showRows();
        described = String.format(Locale.ROOT, "%d policies on %s, seed %d, on %s.", results.size(), outcome.description(),
                comparison.seed(), comparison.gpus());
        ended(described, "");
    }

    private void ended(String said, String why) {
        running.set(false);
        progress.set(0);
        status.set(said);
        error.set(why);
    }

    /** The most urgent priority class any policy finished a task of (every policy saw the same arrivals). */
    private static String mostUrgent(List<PolicyResult> results) {
        return results.stream().flatMap(r -> r.byPriority().keySet().stream())
                .min((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b))).orElse("");
    }

    private void showRows() {
        if (results.isEmpty()) {
            rows.clear();
            return;
        }
        CompareFigure f = figure.get();
        String urgent = urgentClass.get();
        double fifo = results.stream().filter(r -> r.policy().equals(FIFO)).mapToDouble(r -> f.of(r, urgent)).findFirst()
                .orElse(Double.NaN);
        double oracle = results.stream().filter(r -> r.policy().equals(PolicyResult.ORACLE)).mapToDouble(r -> f.of(r, urgent))
                .findFirst().orElse(Double.NaN);
        List<CompareRow> next = new ArrayList<>(results.size());
        for (PolicyResult r : results) {
            PolicyResult.Figures all = r.all();
            double value = f.of(r, urgent);
            next.add(new CompareRow(r.policy(), CompareFigure.GOODPUT.of(r, urgent), all.latencyMeanMs(), all.latencyP50Ms(),
                    all.latencyP99Ms(), all.ttftP50Ms(), all.ttftP99Ms(), CompareFigure.URGENT_P99.of(r, urgent), value,
                    ratio(value, fifo), ratio(value, oracle), r.lab().lowerBoundRatio()));
        }
        rows.setAll(next);
    }

    private static double ratio(double value, double base) {
        return base > 0 ? value / base : Double.NaN;
    }

    /**
     * Writes the last comparison as the command line's CSV report (one row per policy and class) on
     * the background thread (the FX thread never waits for a disk), and says where on the status
     * line, or why not on the error line.
     *
     * @return completes (on the FX thread) empty, or with why it was not written
     */
    public CompletableFuture<Optional<String>> exportCsv(Path file) {
        if (running.get() || results.isEmpty()) {
            String why = "Nothing to export: run a comparison first.";
            error.set(why);
            return CompletableFuture.completedFuture(Optional.of(why));
        }
        var written = results;
        String what = described;
        CompletableFuture<Optional<String>> done = new CompletableFuture<>();
        background.execute(() -> {
            String why = null;
            try {
                Files.writeString(file, ReportFormat.CSV.render(written), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                why = "Cannot write " + file + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
            }
            String failed = why;
            fx.execute(() -> {
                if (failed == null) {
                    status.set(what + " Saved to " + file + ".");
                    error.set("");
                } else {
                    error.set(failed);
                }
                done.complete(Optional.ofNullable(failed));
            });
        });
        return done;
    }

    /** The policies ticked, in the registry's order; the oracle is always among them. */
    List<String> chosen() {
        return included.entrySet().stream().filter(e -> e.getValue().get() || e.getKey().equals(PolicyResult.ORACLE))
                .map(Map.Entry::getKey).toList();
    }

    private static double number(String field, String text) {
        try {
            double value = Double.parseDouble(text == null ? "" : text.trim());
            if (Double.isFinite(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(field + " must be a number, got '" + text + "'");
    }

    private static String trimmed(String text) {
        return text == null ? "" : text.trim();
    }

    /** {@code text} as a whole number from {@code min} to {@code max}: the range the comparison takes, said whole. */
    private static int whole(String field, String text, int min, int max) {
        int value;
        try {
            value = Integer.parseInt(trimmed(text));
        } catch (NumberFormatException e) {
            throw notWhole(field, text, min, max);
        }
        if (value < min || value > max) {
            throw notWhole(field, text, min, max);
        }
        return value;
    }

    private static long seed(String text) {
        try {
            return Long.parseLong(trimmed(text));
        } catch (NumberFormatException e) {
            throw notWhole("Seed", text, Long.MIN_VALUE, Long.MAX_VALUE);
        }
    }

    /** A whole number out of range is refused with the range, not as "not a whole number". */
    private static IllegalArgumentException notWhole(String field, String text, long min, long max) {
        boolean digits = trimmed(text).matches("[-+]?[0-9]+");
        return new IllegalArgumentException(digits
                ? String.format(Locale.ROOT, "%s must be between %,d and %,d, got %s", field, min, max, trimmed(text))
                : field + " must be a whole number, got '" + text + "'");
    }

    public List<String> shippedTraces() { return shippedTraces; }
    public List<String> priorityRules() { return List.of("keep", "prompt", "mix:1=0.1,3=0.3,5=0.6"); }
    public List<String> gpus() { return TraceComparison.GPUS; }
    /** Deadline rules offered: none, or one per urgent class. */
    public List<String> deadlineRules() { return List.of("none", "1=5,3=30", "0=2,1=5,3=30,5=120"); }
    /** Every policy the simulator can run, in the registry's order. */
    public List<String> policyNames() { return List.copyOf(included.keySet()); }
    /** Whether {@code policy} is compared; the oracle's is ignored (it is always run). */
    public BooleanProperty includedProperty(String policy) { return included.get(policy); }
    /** A trace file, or a shipped trace's name. */
    public StringProperty traceProperty() { return trace; }
    /** Offered load as a fraction of the GPUs' capacity, as typed. */
    public StringProperty loadProperty() { return load; }
    public StringProperty seedProperty() { return seed; }
    /** Priority of rows that have none: keep, prompt or mix:P=SHARE,…. */
    public StringProperty prioritiesProperty() { return priorities; }
    /** Simulated GPU instances, as typed. */
    public StringProperty instancesProperty() { return instances; }
    /** The GPU with a shipped profile: h100 or a100. */
    public StringProperty gpuProperty() { return gpu; }
    /** Rows without a tenant get one of this many at random (0: none), as typed. */
    public StringProperty tenantsProperty() { return tenants; }
    /** Deadline of rows without one: none, or P=SECONDS,…. */
    public StringProperty deadlinesProperty() { return deadlines; }
    /** The figure charted, and taken in the ratio columns. */
    public ObjectProperty<CompareFigure> figureProperty() { return figure; }
    public ReadOnlyBooleanProperty runningProperty() { return running.getReadOnlyProperty(); }
    /** 0 to 1 while policies finish; -1 while the trace is read; 0 when none runs. */
    public ReadOnlyDoubleProperty progressProperty() { return progress.getReadOnlyProperty(); }
    public ReadOnlyStringProperty statusProperty() { return status.getReadOnlyProperty(); }
    /** Why the last Run was refused or failed, in the engine's words; empty when it was not. */
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
    /** The command that gives the shown results from the command line; empty without results. */
    public ReadOnlyStringProperty commandLineProperty() { return commandLine.getReadOnlyProperty(); }
    /** The priority class the urgent column shows ("1"), empty without results. */
    public ReadOnlyStringProperty urgentClassProperty() { return urgentClass.getReadOnlyProperty(); }
    /** One row per policy of the last comparison, in run order. */
    public ObservableList<CompareRow> rows() { return rowsView; }
}
