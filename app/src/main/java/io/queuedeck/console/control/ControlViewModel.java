package io.queuedeck.console.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.queuedeck.engine.api.ConfigService;
import io.queuedeck.engine.control.RuleReport;
import io.queuedeck.engine.control.plane.ConfigDiff;
import io.queuedeck.engine.control.plane.ConfigPlane;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Control screen: the running config (version, when, from where, the last refusal), its
 * history with diffs, apply and rollback, the canary side by side with promote and rollback, and
 * the rule tester. Every call to the control plane runs on {@code background} (an apply waits
 * for the scheduler loop) and its answer is applied on {@code fx}; the FX thread never waits.
 * Changes go the way {@code PUT /v1/config} and {@code /v1/canary} go: the same plane, the same
 * checks, the same refusals.
 */
public final class ControlViewModel {
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    /**
     * One applied version: its number, when, from where, what changed (a line per key); {@code detail}
     * is what its pane shows (its diff, or for the first version its whole text); {@code noRollback}
     * says why a rollback to it would change nothing (its text is the running one's), else it is empty.
     */
    public record HistoryRow(int version, String appliedAt, String source, String label, String diff, String detail,
                             String noRollback) {}

    /** One figure of the canary comparison: stable's and the canary's value. */
    public record CanaryRow(String figure, String stable, String canary) {}

    private final ConfigPlane plane;
    private final Executor background;
    private final Executor fx;
    private final String actor;
    private final Consumer<Audited> audit;
    private final ReadOnlyStringWrapper versionLine = new ReadOnlyStringWrapper(this, "versionLine", "");
    private final ReadOnlyStringWrapper lastError = new ReadOnlyStringWrapper(this, "lastError", "");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "");
    private final ReadOnlyStringWrapper runningText = new ReadOnlyStringWrapper(this, "runningText", "");
    private final StringProperty editorText = new SimpleStringProperty(this, "editorText", "");
    private final ObservableList<String> problems = FXCollections.observableArrayList();
    private final ObservableList<HistoryRow> history = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final ReadOnlyBooleanWrapper canaryRunning = new ReadOnlyBooleanWrapper(this, "canaryRunning");
    private final ReadOnlyStringWrapper canaryLine = new ReadOnlyStringWrapper(this, "canaryLine", "No canary runs.");
    /** Finished tasks a side needs before its figures say anything. */
    static final int COMPARABLE = 30;
    /** Why the last canary start was refused, until the next canary change (FX thread). */
    private String canaryRefusal;
    private final ObservableList<CanaryRow> canaryRows = FXCollections.observableArrayList();
    private final StringProperty ruleTask = new SimpleStringProperty(this, "ruleTask",
            "{\"business_class\": \"payment_processing\", \"tenant\": \"acme\"}");
    private final ReadOnlyStringWrapper ruleResult = new ReadOnlyStringWrapper(this, "ruleResult", "");
    private int shownVersion = -1;
    /** The version the editor's text started from: an Apply over a later one would undo it unseen. */
    private int editorBase = -1;
    /** The later version the operator was told of and chose to replace with the next Apply (FX thread). */
    private int replaceConfirmed = -1;
    private Instant lastRefresh;
    private boolean refreshing;

    /**
     * @param plane      the running config's control plane
     * @param background where plane calls run (they may wait for the scheduler loop)
     * @param fx         where their answers are applied ({@code Platform::runLater})
     * @param actor      who the history and audit trail name ({@code console by alice})
     * @param audit      told of every change made here (the audit trail), as the API records it
     */
    public ControlViewModel(ConfigPlane plane, Executor background, Executor fx, String actor, Consumer<Audited> audit) {
        this.plane = Objects.requireNonNull(plane, "plane");
        this.background = Objects.requireNonNull(background, "background");
        this.fx = Objects.requireNonNull(fx, "fx");
        this.actor = Objects.requireNonNull(actor, "actor");
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    // ---------------------------------------------------------------- reading

    /** A snapshot arrived: reads the plane again about once a second (a change may come from the API or the file). */
    public void apply(io.queuedeck.engine.snapshot.EngineSnapshot s) {
        if (refreshing || (lastRefresh != null && Duration.between(lastRefresh, s.takenAt()).toMillis() < 1000)) {
            return;
        }
        lastRefresh = s.takenAt();
        refreshing = true;
        refresh().whenComplete((v, e) -> refreshing = false);
    }

    /** Reads the running version, history and canary again (off the FX thread). */
    public CompletableFuture<Void> refresh() {
        return call(() -> new State(plane.current(), plane.lastError(), plane.history(), json(plane.canary())), this::show);
    }

    /** FX thread: the version about to be shown was made by this screen, whose message says so. */
    private boolean changedHere;
    /** FX thread: and it was made beside the Config tab's editor (the Alerts tab), whose text does not hold it. */
    private boolean besideTheEditor;

    private record State(ConfigPlane.Version current, ConfigPlane.Refusal refusal, Object history, JsonNode canary) {}

    private void show(State s) {
        ConfigPlane.Version v = s.current();
        versionLine.set("Version " + v.version() + " · applied " + time(v.appliedAt()) + " · from " + v.source()
                + (v.label() == null || v.label().isEmpty() ? "" : " · " + v.label()));
        ConfigPlane.Refusal r = s.refusal();
        lastError.set(r == null ? "" : "Last change refused at " + time(r.at()) + " (" + r.source() + "), version "
                + v.version() + " still runs: " + String.join("; ", withoutSource(r.problems(), r.source())));
        if (v.version() != shownVersion) {
            if (!changedHere) {
                message.set(""); // a version from elsewhere (the header's policy box, the API): this screen's word is stale
            }
            shownVersion = v.version();
            String editor = editorText.get();
            boolean unedited = editor.isEmpty() || editor.equals(runningText.get()) || editor.equals(v.text());
            runningText.set(v.text());
            if (unedited) { // the editor follows the running version until the operator edits it
                editorText.set(v.text());
                editorBase = v.version();
            } else if (changedHere && !besideTheEditor) {
                editorBase = v.version(); // made on this screen (a rollback, a canary promoted): the operator knows of it
            } else if (changedHere) {
                // the Alerts tab's change is not in the Config tab's edited text: the next Apply would undo it unsaid,
                // so it is told as one from elsewhere is, and needs a second Apply
                message.set((message.get().isEmpty() ? "" : message.get() + " ") + "Version " + v.version()
                        + " is not in the text you are editing: Apply would replace it; Revert shows it.");
            } else {
                message.set("Version " + v.version() + " (" + v.source() + ") came while you edit: Apply would replace it;"
                        + " Revert shows it.");
            }
            List<HistoryRow> rows = new ArrayList<>();
            if (s.history() instanceof Map<?, ?> map && map.get("versions") instanceof List<?> list) {
                for (Object o : list) {
                    if (o instanceof ConfigPlane.Version h) {
                        rows.addFirst(row(h, v));
                    }
                }
            }
            history.setAll(rows);
        }
        showCanary(s.canary());
    }

    /** {@code h}'s row while {@code running} runs. */
    private static HistoryRow row(ConfigPlane.Version h, ConfigPlane.Version running) {
        String diff = diff(h.changes());
        // the first version has nothing before it, so no diff: its pane stayed empty
        String detail = !diff.isEmpty() ? diff : (h.version() == 1 ? "Version 1, the first: nothing came before it."
                : "Version " + h.version() + " changed nothing against the one before it.") + " Applied at "
                + time(h.appliedAt()) + " from " + h.source() + "; its whole text:\n\n" + Objects.requireNonNullElse(h.text(), "");
        // the texts alone, compared once per version: one that differs only in comments is told when asked
        boolean same = h.version() == running.version() || Objects.equals(h.text(), running.text());
        return new HistoryRow(h.version(), time(h.appliedAt()), h.source(), h.label(), diff, detail,
                same ? nothingToRollBack(h.version(), running.version(), true) : "");
    }

    /** Why a rollback to {@code version} changes nothing while {@code running} runs; {@code sameText}: the texts are equal. */
    static String nothingToRollBack(int version, int running, boolean sameText) {
        String why = version == running ? "Version " + version + " runs now"
                : sameText ? "Version " + version + "'s text is what runs now (version " + running + ")"
                : "Version " + version + " reads as the config that runs now (version " + running
                + "; the texts differ only in comments, layout or format)";
        return why + ": a rollback to it would change nothing.";
    }

    private void showCanary(JsonNode c) {
        boolean running = c.path("running").asBoolean(false);
        canaryRunning.set(running);
        JsonNode ended = c.path("last_ended");
        if (!running) {
            String why = canaryRefusal == null ? "" : " " + canaryRefusal;
            canaryLine.set((ended.isObject() ? "No canary runs. The last one was " + howItEnded(ended) : "No canary runs.") + why);
            canaryRows.clear();
            return;
        }
        String split = c.path("by").asText().equals("task_id")
                ? Math.round(c.path("fraction").asDouble() * 100) + "% of new tasks by task id"
                : c.path("by").asText() + " in " + c.path("values");
        List<String> changed = new ArrayList<>();
        c.path("changes").forEach(change -> changed.add(change.path("path").asText() + " " + shortValue(change.path("from"))
                + " → " + shortValue(change.path("to"))));
        canaryLine.set("Canary since " + time(Instant.parse(c.path("started_at").asText())) + ": " + split
                + (changed.isEmpty() ? "" : " · it changes " + String.join(", ", changed))
                + (c.path("auto_rollback").isObject() ? " · automatic rollback at " + Math.round(c.path("auto_rollback")
                .path("margin").asDouble() * 100) + "% worse over " + c.path("auto_rollback").path("window").asText() : ""));
        JsonNode stable = c.path("comparison").path("stable");
        JsonNode canary = c.path("comparison").path("canary");
        long stableDone = stable.path("finished").asLong();
        long canaryDone = canary.path("finished").asLong();
        if (Math.min(stableDone, canaryDone) < COMPARABLE) {
            // stable 0 finished beside the canary's 9 looked like a canary to promote
            canaryLine.set(canaryLine.get() + String.format(Locale.ROOT, " · not comparable yet: %,d stable and %,d canary"
                    + " tasks finished, %d a side needed (a backlog from before the canary holds up the stable side)",
                    stableDone, canaryDone, COMPARABLE));
        }
        List<CanaryRow> rows = new ArrayList<>();
        rows.add(new CanaryRow("finished", count(stable, "finished"), count(canary, "finished")));
        rows.add(new CanaryRow("throughput (tasks/s)", String.format(Locale.ROOT, "%.2f", stable.path("throughput_per_s").asDouble()),
                String.format(Locale.ROOT, "%.2f", canary.path("throughput_per_s").asDouble())));
        rows.add(new CanaryRow("failed", count(stable, "failed"), count(canary, "failed")));
        // refused at admission by the limits each release's tasks are held to (decision 0081): they never finish
        rows.add(new CanaryRow("shed (refused when queued)", count(stable.path("flow"), "shed"), count(canary.path("flow"), "shed")));
        rows.add(new CanaryRow("timed out", count(stable, "timed_out"), count(canary, "timed_out")));
        rows.add(new CanaryRow("deadline misses", count(stable, "deadline_misses"), count(canary, "deadline_misses")));
        List<String> classes = new ArrayList<>();
        for (JsonNode side : List.of(stable, canary)) {
            for (Iterator<String> it = side.path("latency_ms").fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!classes.contains(name)) {
                    classes.add(name);
                }
            }
        }
        for (String name : classes) {
            for (String q : List.of("p50", "p95", "p99")) {
                rows.add(new CanaryRow("latency " + name + " " + q, ms(stable.path("latency_ms").path(name).path(q)),
                        ms(canary.path("latency_ms").path(name).path(q))));
            }
        }
        String judgement = c.path("comparison").path("last_judgement").asText("");
        if (!judgement.isEmpty() && !judgement.equals("null")) {
            rows.add(new CanaryRow("last judgement", judgement, ""));
        }
        canaryRows.setAll(rows);
    }

    // ---------------------------------------------------------------- changing

    /** Applies the editor's text as the next version, or lists every problem; the running version stays then. */
    public CompletableFuture<Void> apply() {
        String text = editorText.get();
        int base = editorBase;
        int confirmed = replaceConfirmed;
        return change("apply", "config.apply", () -> {
            ConfigPlane.Version now = plane.current();
            if (base >= 0 && now.version() != base && now.version() != confirmed) {
                return new Behind(base, now.version(), now.source());
            }
            return applied(text);
        }, "config applied");
    }

    /**
     * An Apply refused here, not by the plane: the editor's text started from version {@code base},
     * and {@code running} (from {@code source}) was applied since; the next Apply replaces it.
     */
    private record Behind(int base, int running, String source) {}

    /** Applies {@code text}; the running text again changes nothing and is said so, not "applied". */
    private CompletableFuture<Void> applyChange(String text, String done) {
        return change("apply", "config.apply", () -> applied(text), done);
    }

    private Object applied(String text) {
        return made(plane.apply(text, source(), null));
    }

    /**
     * A change as this screen tells it, by what the plane says it did: a version read before and after
     * could be another client's change landing beside this one, which was then audited as this one's.
     */
    private static Object made(ConfigService.Applied applied) {
        return applied.newVersion() ? applied : new Unchanged(applied.version());
    }

    /** An apply whose text was the running version's: no new version. */
    private record Unchanged(int version) {}

    /** Loads a config file into the editor (not applied until {@link #apply}). */
    public CompletableFuture<Void> load(Path file) {
        return call(() -> {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }, text -> {
            editorText.set(text);
            message.set("Loaded " + file + ": Apply to check and run it.");
        });
    }

    /** The running version's text in the editor again. */
    public void revertEditor() {
        editorText.set(runningText.get());
        editorBase = shownVersion;
        problems.clear();
        message.set(""); // "Refused (2 problems)" stayed over the running text
    }

    /**
     * Asks {@code ask} (on the FX thread) the question a rollback to {@code version} needs, with what
     * it would change in the running config: "roll back to v1" switched the live policy unsaid.
     */
    public void askRollback(int version, java.util.function.Consumer<String> ask) {
        CompletableFuture.supplyAsync(() -> {
            ConfigPlane.Version running = plane.current();
            if (plane.readsAsRunning(version)) { // it asked "…, changing no change." and applied nothing
                return new Question(nothingToRollBack(version, running.version(), kept(version).map(ConfigPlane.Version::text)
                        .filter(text -> text.equals(running.text())).isPresent()), java.util.Optional.empty());
            }
            return new Question(null, plane.changesBackTo(version));
        }, background).whenComplete((question, error) -> fx.execute(() -> {
            if (question != null && question.nothing() != null) {
                message.set(question.nothing());
                return;
            }
            java.util.Optional<String> changes = question == null ? java.util.Optional.empty() : question.changes();
            ask.accept("Roll the running config back to version " + version + "? It applies as a new version"
                    + (changes.isEmpty() ? "." : ", changing " + changes.get() + "."));
        }));
    }

    /** A rollback's question: why it would change nothing (no question then), or what it would change. */
    private record Question(String nothing, java.util.Optional<String> changes) {}

    /** Version {@code version} as the plane keeps it, if it still does. */
    private java.util.Optional<ConfigPlane.Version> kept(int version) {
        return plane.history() instanceof Map<?, ?> map && map.get("versions") instanceof List<?> list
                ? list.stream().filter(o -> o instanceof ConfigPlane.Version h && h.version() == version)
                        .map(ConfigPlane.Version.class::cast).findFirst()
                : java.util.Optional.empty();
    }

    /** Applies an earlier version's text again, as a new version. */
    public CompletableFuture<Void> rollback(int version) {
        return change("rollback", "config.rollback", () -> made(plane.rollback(version, source(), null)),
                "config rolled back to version " + version);
    }

    /** Starts a canary: the editor's text classifies {@code fraction} of new tasks (by task id). */
    public CompletableFuture<Void> startCanary(double fraction) {
        String text = editorText.get();
        return change("canary", "canary.start", () -> plane.startCanary(new ConfigService.CanaryRequest(
                com.fasterxml.jackson.databind.node.TextNode.valueOf(text), "task_id", fraction, null, null), source()),
                "canary started for " + Math.round(fraction * 100) + "% of new tasks");
    }

    public CompletableFuture<Void> promoteCanary() {
        return change("promote", "canary.promote", () -> plane.promoteCanary(source()), "canary promoted");
    }

    public CompletableFuture<Void> rollbackCanary() {
        return change("canary rollback", "canary.rollback", () -> plane.rollbackCanary(source()), "canary rolled back");
    }

    /** A change refused before it was sent (the alerts form's own check): said as the plane's refusals are. */
    public void refused(List<String> found) {
        problems.setAll(found);
        // not sent, so no change was refused: "Refused" stood under the header's "No change refused"
        message.set("Not sent (" + found.size() + (found.size() == 1 ? " problem" : " problems") + " in the form): "
                + found.getFirst() + "; the running config stays.");
    }

    /** Applies {@code text} (the alerts editor's), as {@link #apply} would. */
    public CompletableFuture<Void> applyText(String text, String what) {
        besideTheEditor = true;
        return applyChange(text, what);
    }

    /**
     * A change made here, for the audit trail: the action as the API records it ({@code config.apply},
     * {@code config.rollback}, {@code canary.start|promote|rollback}), the config version running
     * after it, and what was done in a few words.
     */
    public record Audited(String action, int version, String detail) {}

    private CompletableFuture<Void> change(String what, String action, Supplier<Object> call, String done) {
        busy.set(true);
        message.set("");
        CompletableFuture<Void> result = new CompletableFuture<>();
        CompletableFuture.supplyAsync(call, background).whenComplete((value, error) -> fx.execute(() -> {
            busy.set(false);
            Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
            // a refused start said so only in the header, with the problems on the Config tab
            canaryRefusal = !what.equals("canary") || cause == null ? null : "The last start was refused: "
                    + (cause instanceof ConfigService.Refused r ? r.problems().getFirst() + (r.problems().size() > 1
                    ? " (and " + (r.problems().size() - 1) + " more, on the Config tab)" : "") : cause.getMessage());
            if (cause instanceof ConfigService.Refused refused) {
                problems.setAll(withoutSource(refused.problems(), source()));
                // a canary's refusal is no refused change of the config: "Refused" stood under "No change refused"
                message.set((what.equals("canary") ? "Canary not started (" : "Refused (") + refused.problems().size()
                        + (refused.problems().size() == 1 ? " problem" : " problems") + "); the running config stays.");
            } else if (cause != null) {
                problems.setAll(List.of(String.valueOf(cause.getMessage())));
                message.set(what + " failed: " + cause.getMessage());
            } else if (value instanceof Behind behind) {
                replaceConfirmed = behind.running();
                message.set("Not applied: your text started from version " + behind.base() + ", and version " + behind.running()
                        + " (" + behind.source() + ") came since. Apply again replaces it; Revert shows it.");
            } else if (value instanceof Unchanged unchanged) {
                problems.clear();
                message.set("No change: version " + unchanged.version() + " still runs.");
            } else {
                problems.clear();
                message.set(Character.toUpperCase(done.charAt(0)) + done.substring(1) + ".");
                // the version the change returned: read now, it could be another client's made since
                audit.accept(new Audited(action, value instanceof ConfigService.Applied applied ? applied.version()
                        : value instanceof ConfigService.CanaryChange canary ? canary.version() : plane.current().version(), done));
            }
            changedHere = true;
            refresh().whenComplete((v, e) -> {
                changedHere = false;
                besideTheEditor = false;
                result.complete(null);
            });
        }));
        return result;
    }

    /** Says which rule of the editor's config classifies the task, and why (what {@code queuedeck rules test} says). */
    public void testRule() {
        String text = editorText.get();
        String task = ruleTask.get();
        call(() -> {
            try {
                var rules = io.queuedeck.engine.config.ConfigChange.read("editor", text, Path.of("").toAbsolutePath(),
                        System::getenv, plane.current().config()).priorityRules();
                return RuleReport.explain(rules, RuleReport.parseTask(task), Instant.now());
            } catch (io.queuedeck.engine.config.ConfigException e) {
                return "the config in the editor has problems:\n" + String.join("\n", e.problems());
            } catch (IllegalArgumentException e) {
                return e.getMessage().replace("--task", "the task");
            }
        }, ruleResult::set);
    }

    // ---------------------------------------------------------------- plumbing

    private <T> CompletableFuture<Void> call(Supplier<T> work, Consumer<T> onFx) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture.supplyAsync(work, background).whenComplete((value, error) -> fx.execute(() -> {
            if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                message.set(String.valueOf(cause.getMessage()));
            } else {
                onFx.accept(value);
            }
            done.complete(null);
        }));
        return done;
    }

    /**
     * "rolled back (console by ana)" for an operator's end, whose reason repeats the outcome with who
     * ended it ("rolled back: rolled back by console by ana" read twice over); else "outcome: reason".
     */
    static String howItEnded(JsonNode ended) {
        String outcome = ended.path("outcome").asText().replace('_', ' ');
        String reason = ended.path("reason").asText();
        return reason.startsWith(outcome + " by ") ? outcome + " (" + reason.substring(outcome.length() + 4) + ")"
                : outcome + ": " + reason;
    }

    private String source() {
        return "console by " + actor;
    }

    /** The plane names the source before each problem, as for a file; here the line above already says who. */
    static List<String> withoutSource(List<String> problems, String source) {
        String prefix = source + ": ";
        return problems.stream().map(p -> p.startsWith(prefix) ? p.substring(prefix.length()) : p).toList();
    }

    private static JsonNode json(Object value) {
        return JSON.valueToTree(value);
    }

    static String diff(List<ConfigDiff.Change> changes) {
        if (changes == null || changes.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (ConfigDiff.Change c : changes) {
            out.append(out.isEmpty() ? "" : "\n").append(c.path()).append(": ").append(c.from() == null ? "(none)" : c.from())
                    .append(" → ").append(c.to() == null ? "(none)" : c.to());
        }
        return out.toString();
    }

    private static String count(JsonNode side, String field) {
        return String.format(Locale.ROOT, "%,d", side.path(field).asLong());
    }

    private static String ms(JsonNode value) {
        return value.isMissingNode() || value.isNull() ? "–" : io.queuedeck.console.ui.Elapsed.of(value.asDouble());
    }

    private static String time(Instant at) {
        return at == null ? "–" : LocalTime.ofInstant(at, ZoneId.systemDefault()).format(CLOCK);
    }

    // ---------------------------------------------------------------- properties

    public ReadOnlyStringProperty versionLineProperty() {
        return versionLine.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty lastErrorProperty() {
        return lastError.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty runningTextProperty() {
        return runningText.getReadOnlyProperty();
    }

    public StringProperty editorTextProperty() {
        return editorText;
    }

    public ObservableList<String> problems() {
        return problems;
    }

    public ObservableList<HistoryRow> history() {
        return history;
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canaryRunningProperty() {
        return canaryRunning.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty canaryLineProperty() {
        return canaryLine.getReadOnlyProperty();
    }

    public ObservableList<CanaryRow> canaryRows() {
        return canaryRows;
    }

    public StringProperty ruleTaskProperty() {
        return ruleTask;
    }

    public ReadOnlyStringProperty ruleResultProperty() {
        return ruleResult.getReadOnlyProperty();
    }

    /** A value of a config diff in a few characters: a scalar as it is, a list or map by its size. */
    private static String shortValue(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return "(none)";
        }
        String text = value.isValueNode() ? value.asText() : value.isArray() ? value.size() + " entries" : "{…}";
        return text.length() > 40 ? text.substring(0, 39) + "…" : text;
    }
}
