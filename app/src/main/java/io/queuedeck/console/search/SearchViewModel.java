package io.queuedeck.console.search;

import io.queuedeck.console.gateway.EngineCommands;
import io.queuedeck.console.gateway.OperatorDesk;
import io.queuedeck.engine.bulk.BulkRequest;
import io.queuedeck.engine.bulk.OperationStatus;
import io.queuedeck.engine.command.BulkAction;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.SearchPage;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskSearch;
import io.queuedeck.engine.task.TaskSort;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.task.VisibleText;
import io.queuedeck.engine.tier.Tiers;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Search screen: a filter over every task the engine knows (decision 0040), sorted pages of
 * the matches with their total, a look-up by full id, and bulk actions on what the filter selects
 * with a count first, a typed confirmation for large destructive ones, progress and undo. FX thread.
 */
public final class SearchViewModel {
    /** Rows per page. */
    public static final int PAGE = 100;
    /** A destructive bulk action over more tasks than this asks the operator to type the count. */
    public static final int CONFIRM_ABOVE = 100;

    private final EngineCommands commands;
    private final OperatorDesk desk;

    // the filter, as the operator types it
    private final StringProperty id = new SimpleStringProperty(this, "id", "");
    private final StringProperty text = new SimpleStringProperty(this, "text", "");
    private final StringProperty tenant = new SimpleStringProperty(this, "tenant", "");
    private final StringProperty model = new SimpleStringProperty(this, "model", "");
    private final StringProperty businessClass = new SimpleStringProperty(this, "businessClass", "");
    private final ObjectProperty<TaskState> state = new SimpleObjectProperty<>(this, "state");
    private final ObjectProperty<Integer> minPriority = new SimpleObjectProperty<>(this, "minPriority");
    private final ObjectProperty<Integer> maxPriority = new SimpleObjectProperty<>(this, "maxPriority");

    // the results
    private final ObservableList<TaskView> results = FXCollections.observableArrayList();
    private final ObservableList<TaskView> readOnlyResults = FXCollections.unmodifiableObservableList(results);
    private final IntegerProperty total = new SimpleIntegerProperty(this, "total");
    /** Whether the list shows a search's answer (empty: nothing matched), not the list before any search. */
    private final javafx.beans.property.BooleanProperty answered = new javafx.beans.property.SimpleBooleanProperty(this, "answered");
    private final IntegerProperty offset = new SimpleIntegerProperty(this, "offset");
    private final ObjectProperty<TaskSort> sort = new SimpleObjectProperty<>(this, "sort", TaskSort.SUBMITTED);
    private final BooleanProperty descending = new SimpleBooleanProperty(this, "descending");
    private final ObjectProperty<TaskView> opened = new SimpleObjectProperty<>(this, "opened");
    private final StringProperty message = new SimpleStringProperty(this, "message", "");
    private TaskFilter searched = TaskFilter.ANY;
    private Function<String, CompletionStage<Optional<String>>> sharedQueue;
    /** Distributed mode: the whole shared queue; null when the console runs alone. */
    private SharedQueueSearch cluster;
    private final BooleanProperty clusterScope = new SimpleBooleanProperty(this, "clusterScope");
    private final BooleanProperty clusterAvailable = new SimpleBooleanProperty(this, "clusterAvailable");
    /** An operation's outcome, said before the next page's count. */
    private String outcome;

    // the bulk bar
    private final ObjectProperty<BulkAction> action = new SimpleObjectProperty<>(this, "action", BulkAction.REPRIORITIZE);
    private final ObjectProperty<Integer> targetPriority = new SimpleObjectProperty<>(this, "targetPriority", 2);
    private final ObjectProperty<String> position = new SimpleObjectProperty<>(this, "position");
    private final IntegerProperty affected = new SimpleIntegerProperty(this, "affected", -1);
    private final BooleanProperty confirmationRequired = new SimpleBooleanProperty(this, "confirmationRequired");
    private final ObjectProperty<OperationStatus> operation = new SimpleObjectProperty<>(this, "operation");

    private final SearchExport export;
    /** The latest snapshot: its tier table names the export's tier column. */
    private EngineSnapshot latest;

    /** A Search screen without export (the buttons say so). */
    public SearchViewModel(EngineCommands commands, OperatorDesk desk) {
        this(commands, desk, null);
    }

    public SearchViewModel(EngineCommands commands, OperatorDesk desk, SearchExport export) {
        this.commands = commands;
        this.desk = desk;
        this.export = export;
        action.addListener((o, a, b) -> affected.set(-1)); // a count is for one action and one filter
        clusterScope.addListener((o, a, b) -> {
            affected.set(-1); // a count is for one scope too
            results.clear();
            total.set(0);
            answered.set(false);
        });
    }

    /**
     * Distributed mode: Search, its pages and its bulk actions go to the whole shared queue while
     * {@link #clusterScopeProperty()} holds (from now on), and a task opened from the results is
     * described from the shared queue's record.
     */
    public void searchSharedQueue(SharedQueueSearch search) {
        this.cluster = search;
        clusterAvailable.set(true);
        clusterScope.set(true);
    }

    private boolean inCluster() {
        return cluster != null && clusterScope.get();
    }

    /** Runs the filter from the first page. */
    public void search() {
        TaskFilter filter;
        try {
            filter = filter();
        } catch (RuntimeException e) {
            message.set(e.getMessage());
            // what the list and a bulk action showed was another filter than the one on screen
            searched = null;
            results.clear();
            total.set(0);
            answered.set(false);
            affected.set(-1);
            return;
        }
        searched = filter;
        affected.set(-1);
        offset.set(0);
        load();
    }

    public void nextPage() {
        if (offset.get() + PAGE < total.get()) {
            offset.set(offset.get() + PAGE);
            load();
        }
    }

    public void previousPage() {
        if (offset.get() > 0) {
            offset.set(Math.max(0, offset.get() - PAGE));
            load();
        }
    }

    /** Sorts by {@code by}; the same column again reverses the order. */
    public void sortBy(TaskSort by) {
        if (inCluster()) {
            message.set("The shared queue lists its tasks in claim order (tiers most urgent first, then leased, then"
                    + " dead letters); sorting applies to this node's search (clear Whole cluster)");
            return;
        }
        descending.set(by == sort.get() && !descending.get());
        sort.set(by);
        offset.set(0);
        load();
    }

    private void load() {
        if (searched == null) {
            return; // the last search was refused: nothing is listed until one is accepted
        }
        if (inCluster()) {
            String no = io.queuedeck.engine.cluster.SharedSearch.unsupported(searched);
            if (no != null) {
                results.clear();
                total.set(0);
                message.set(no + "; clear Whole cluster to search this node's engine");
                return;
            }
            cluster.search(searched, offset.get(), PAGE).thenAccept(this::showShared).exceptionally(this::failed);
            return;
        }
        int from = Math.min(offset.get(), TaskSearch.MAX_DEPTH - PAGE);
        commands.send(new Command.SearchTasks(new TaskSearch(searched, sort.get(), descending.get(), from, PAGE)))
                .thenAccept(this::show);
    }

    private void showShared(SharedQueueSearch.Page page) {
        results.setAll(page.tasks());
        keepOpenedIfShown(page.tasks());
        total.set(page.matched());
        answered.set(true);
        String count = page.matched() == 0 ? "No task of the shared queue matches"
                : String.format(Locale.ROOT, "%,d %s of the shared queue %s; %,d–%,d shown", page.matched(),
                page.matched() == 1 ? "task" : "tasks", page.matched() == 1 ? "matches" : "match",
                offset.get() + 1, offset.get() + page.tasks().size());
        if (!page.complete()) {
            count += String.format(Locale.ROOT, " (in the first %,d read: narrow by state or priority to read the rest)",
                    page.read());
        }
        message.set(outcome == null ? count : outcome + ". " + count);
        outcome = null;
    }

    private Void failed(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        message.set("The shared queue did not answer: " + cause.getMessage());
        return null;
    }

    private void show(SearchPage page) {
        results.setAll(page.tasks());
        keepOpenedIfShown(page.tasks());
        total.set(page.total());
        answered.set(true);
        String count = page.total() == 0 ? "No task matches"
                : String.format(Locale.ROOT, "%,d %s; %,d–%,d shown", page.total(), page.total() == 1 ? "task matches"
                : "tasks match", page.offset() + 1, page.offset() + page.tasks().size());
        message.set(outcome == null ? count : outcome + ". " + count);
        outcome = null;
    }

    /**
     * A new page shows the opened task as it is now when it holds it, and closes it otherwise: the
     * details beside other matches would read as one of them, with a wait frozen at its opening.
     */
    private void keepOpenedIfShown(List<TaskView> page) {
        TaskView shown = opened.get();
        if (shown != null) {
            opened.set(page.stream().filter(task -> task.id().equals(shown.id())).findFirst().orElse(null));
        }
    }

    /**
     * Enter on an id: opens the task with exactly this id, or says that none exists. Answers
     * whether a look-up was sent (nothing typed: nothing to look up).
     */
    public boolean openId() {
        String wanted = id.get() == null ? "" : id.get().trim();
        if (wanted.isEmpty()) {
            return false;
        }
        commands.send(new Command.FindTask(wanted)).thenAccept(found -> {
            opened.set(found.orElse(null));
            if (found.isPresent()) {
                message.set("Task " + wanted + ": " + found.get().state().name().toLowerCase(Locale.ROOT));
            } else if (sharedQueue != null) { // distributed mode: another node may hold or have run it
                sharedQueue.apply(wanted).whenComplete((shared, failure) -> message.set(failure != null
                        ? "Task " + wanted + " is not on this node, and the shared queue did not answer: " + failure.getMessage()
                        : shared.map(text -> "Task " + wanted + " is in the shared queue: " + text)
                        .orElse("No task with id '" + wanted + "' exists on this node or in the shared queue")));
            } else {
                // Enter also searches: "does not exist" over a list of tasks whose ids start with it read as a contradiction
                // the search, sent first, has answered: over an empty list "the list shows any whose id starts with it" misled
                message.set("No task has exactly the id '" + wanted + "'" + (results.isEmpty()
                        ? ", and none an id that starts with it" : "; the list shows those whose id starts with it"));
            }
        });
        return true;
    }

    /**
     * In distributed mode, an id this node's engine does not know is looked up in the shared queue
     * too. {@code lookup} answers a description of the task there (or empty), completing on the FX thread.
     */
    public void lookUpInSharedQueue(Function<String, CompletionStage<Optional<String>>> lookup) {
        this.sharedQueue = lookup;
    }

    public void open(TaskView task) {
        boolean again = task != null && opened.get() != null && opened.get().id().equals(task.id());
        opened.set(task);
        // its holder, attempts and lease live in the shared queue's record; a new page that still holds
        // the opened task re-selects it, and must not cover the page's own message
        if (task != null && inCluster() && !again) {
            cluster.describe(task.id()).thenAccept(line -> message.set(line
                    .map(text -> "Task " + task.id() + " in the shared queue: " + text)
                    .orElse("Task " + task.id() + " is no longer in the shared queue")))
                    .exceptionally(this::failed);
        }
    }

    public void closeTask() {
        opened.set(null);
    }

    /**
     * Writes every task the last search matched (not only this page; up to {@link TaskSearch#MAX_DEPTH}),
     * in the current order, to {@code file}: JSON if its name ends in .json, CSV otherwise. The message
     * says how many were written and where, or why not.
     */
    public void export(Path file) {
        if (export == null) {
            message.set("Export is not available here");
            return;
        }
        if (inCluster()) {
            message.set("Export writes this node's engine's tasks: clear Whole cluster, search, then export");
            return;
        }
        if (searched == null) {
            message.set("Search first: the filter on screen was refused");
            return;
        }
        export.export(searched, sort.get(), descending.get(), latest == null ? Tiers.DEFAULT : latest.tiers(), file, message::set);
    }

    // ---------------------------------------------------------------- bulk actions

    /** Counts the tasks the bulk action would touch now (the filter last searched). */
    public void preview() {
        TaskFilter filter = searched;
        if (filter == null) {
            message.set("Search first: the filter on screen was refused, and a bulk action applies to a searched one");
            return;
        }
        if (inCluster()) {
            String no = io.queuedeck.engine.cluster.SharedSearch.unsupported(filter);
            if (no != null) {
                message.set(no);
                return;
            }
            cluster.search(filter, 0, 0).thenAccept(page -> {
                affected.set(page.matched());
                confirmationRequired.set(action.get().destructive() && page.matched() > CONFIRM_ABOVE);
                message.set(String.format(Locale.ROOT, "%s would apply to %,d tasks of the shared queue, on every node%s%s",
                        describe(), page.matched(), page.complete() ? "" : String.format(Locale.ROOT,
                                " (found in the first %,d read)", page.read()),
                        confirmationRequired.get() ? "; type " + page.matched() + " to confirm" : ""));
            }).exceptionally(this::failed);
            return;
        }
        // what the action would change, not only what matches: a finished task, or one already as asked, stays as it is
        commands.send(new Command.CountBulk(filter, action.get(), needsPriority() ? targetPriority.get() : null,
                action.get() == BulkAction.MOVE ? position.get() : null)).thenAccept(count -> {
            affected.set(count.wouldChange());
            confirmationRequired.set(action.get().destructive() && count.wouldChange() > CONFIRM_ABOVE);
            message.set(String.format(Locale.ROOT, "%s: %,d %s would change, of %,d that match (finished ones, and any"
                    + " already so, stay as they are)%s", describe(), count.wouldChange(), count.wouldChange() == 1 ? "task" : "tasks",
                    count.matched(), confirmationRequired.get() ? "; type " + count.wouldChange() + " to confirm" : ""));
        });
    }

    /**
     * Starts the bulk action over the filter last searched, once counted; {@code typed} is the
     * operator's confirmation (the count) when one is required. Answers whether it started.
     */
    public boolean apply(String typed) {
        if (affected.get() < 0) {
            message.set("Count the tasks first (Preview): a bulk action is shown before it is applied");
            return false;
        }
        if (affected.get() == 0) {
            message.set("No task matches: nothing to do");
            return false;
        }
        // "1,000" as the screen writes it counts too
        if (confirmationRequired.get() && !String.valueOf(affected.get()).equals(typed == null ? "" : typed.replaceAll("[\\s,_]", ""))) {
            message.set("Type " + affected.get() + " to confirm: " + describe() + " cannot be undone");
            return false;
        }
        if (inCluster()) {
            if (action.get() == BulkAction.MOVE) {
                message.set("Move to a lane's front or back applies to this node's lanes only: reprioritize the shared queue instead");
                return false;
            }
            String what = describe();
            cluster.apply(searched, action.get(), needsPriority() ? targetPriority.get() : null).thenAccept(done -> {
                outcome = what + ": " + done;
                load();
            }).exceptionally(this::failed);
            affected.set(-1);
            confirmationRequired.set(false);
            message.set(what + ": applying to the shared queue…");
            return true;
        }
        try {
            operation.set(desk.startBulk(new BulkRequest(searched, action.get(), needsPriority() ? targetPriority.get() : null,
                    action.get() == BulkAction.MOVE ? position.get() : null)));
        } catch (RuntimeException e) {
            message.set(e.getMessage());
            return false;
        }
        affected.set(-1);
        confirmationRequired.set(false);
        refreshOperation();
        return true;
    }

    /** Undoes the last operation (a reprioritize or a move). */
    public void undo() {
        OperationStatus last = operation.get();
        if (last == null || !last.undoable()) {
            message.set("Nothing to undo");
            return;
        }
        try {
            operation.set(desk.undo(last.id()));
        } catch (RuntimeException e) {
            message.set(e.getMessage());
            return;
        }
        refreshOperation();
    }

    /** Each frame: follows a running operation, and shows the results again once it has finished. */
    public void apply(EngineSnapshot snapshot) {
        latest = snapshot;
        OperationStatus current = operation.get();
        if (current != null && !current.finished()) {
            refreshOperation();
        }
    }

    private void refreshOperation() {
        OperationStatus current = operation.get();
        OperationStatus now = desk.operation(current.id()).orElse(current);
        operation.set(now);
        message.set(progress(now));
        if (now.finished()) {
            outcome = progress(now);
            load();
        }
    }

    /** "1 task", "2,000 tasks". */
    static String tasks(int count) {
        return count == 1 ? "1 task" : String.format(Locale.ROOT, "%,d tasks", count);
    }

    /** An operation's progress in words. */
    static String progress(OperationStatus op) {
        String what = op.description().isEmpty() ? "" : Character.toUpperCase(op.description().charAt(0)) + op.description().substring(1);
        return switch (op.state()) {
            case "running" -> String.format(Locale.ROOT, "%s: %,d of %,d tasks", what, op.processed(),
                    Math.max(op.matched(), 0));
            case "done" -> String.format(Locale.ROOT, "%s: %s changed%s", what, tasks(op.changed()),
                    op.undoable() ? " (Undo puts them back)"
                            // a reprioritize or move whose undo records were let go: say why Undo is off
                            : op.action().undoable() && op.undoUnavailable() != null && op.changed() > 0
                            ? " (no undo: " + op.undoUnavailable() + ")" : "");
            case "undoing" -> String.format(Locale.ROOT, "Undoing %s: %,d put back", op.description(), op.restored());
            case "undone" -> String.format(Locale.ROOT, "Undone: %s put back where they were%s%s", tasks(op.restored()),
                    op.changedSince() > 0 ? "; " + tasks(op.changedSince()) + " changed since and kept that change" : "",
                    op.restored() + op.changedSince() < op.changed()
                            ? " (the others had left the queue meanwhile: started, or finished)" : "");
            default -> what + " failed: " + op.error();
        };
    }

    private boolean needsPriority() {
        return action.get() == BulkAction.REPRIORITIZE || action.get() == BulkAction.MOVE;
    }

    private String describe() {
        return switch (action.get()) {
            case REPRIORITIZE -> "Reprioritize to P" + targetPriority.get();
            case MOVE -> "Move to " + (position.get() == null ? "" : "the " + position.get() + " of ") + "P" + targetPriority.get();
            case CANCEL -> "Cancel";
            case RETRY -> "Retry";
        };
    }

    /** The filter as typed. */
    TaskFilter filter() {
        return new TaskFilter(blank(id.get()), blank(model.get()), blank(tenant.get()), blank(businessClass.get()),
                state.get() == null ? null : Set.of(state.get()), minPriority.get(), maxPriority.get(), null, null,
                blank(text.get()));
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    public StringProperty idProperty() { return id; }
    /** Distributed mode: whether Search and bulk actions apply to the whole shared queue (else this node's engine). */
    public BooleanProperty clusterScopeProperty() { return clusterScope; }
    public ReadOnlyBooleanProperty clusterAvailableProperty() { return clusterAvailable; }
    public StringProperty textProperty() { return text; }
    public StringProperty tenantProperty() { return tenant; }
    public StringProperty modelProperty() { return model; }
    public StringProperty businessClassProperty() { return businessClass; }
    public ObjectProperty<TaskState> stateProperty() { return state; }
    public ObjectProperty<Integer> minPriorityProperty() { return minPriority; }
    public ObjectProperty<Integer> maxPriorityProperty() { return maxPriority; }
    public ObjectProperty<BulkAction> actionProperty() { return action; }
    public ObjectProperty<Integer> targetPriorityProperty() { return targetPriority; }
    public ObjectProperty<String> positionProperty() { return position; }
    public ObservableList<TaskView> results() { return readOnlyResults; }
    public ReadOnlyIntegerProperty totalProperty() { return total; }

    public javafx.beans.property.ReadOnlyBooleanProperty answeredProperty() { return answered; }
    public ReadOnlyIntegerProperty offsetProperty() { return offset; }
    public ReadOnlyIntegerProperty affectedProperty() { return affected; }
    public ReadOnlyBooleanProperty confirmationRequiredProperty() { return confirmationRequired; }
    public ReadOnlyObjectProperty<OperationStatus> operationProperty() { return operation; }
    public ReadOnlyObjectProperty<TaskView> openedProperty() { return opened; }
    public ReadOnlyObjectProperty<TaskSort> sortProperty() { return sort; }
    public ReadOnlyBooleanProperty descendingProperty() { return descending; }
    public ReadOnlyStringProperty messageProperty() { return message; }

    /**
     * A task as the details pane shows it. Metadata values and errors are a client's or a backend's
     * text, kept byte-exact by the API; here their invisible characters show as their code
     * ({@code \u202E}), so a right-to-left override or a zero-width space cannot make the operator
     * read something other than what is stored (decision 0135, 13).
     */
    static String details(TaskView v) {
        StringBuilder out = new StringBuilder();
        out.append(VisibleText.of(v.id())).append('\n').append(v.state().name().toLowerCase(Locale.ROOT)).append(", P").append(v.priority())
                .append('\n').append("model ").append(orDash(v.spec().model()))
                .append("\ntenant ").append(orDash(v.spec().tenant()))
                .append("\nclass ").append(orDash(v.spec().businessClass()))
                .append(String.format(Locale.ROOT, "%nwaited %s, attempts %d", v.waitedNanos() < 0 ? "—"
                        : String.format(Locale.ROOT, "%.1f s", v.waitedNanos() / 1e9), v.attempts()));
        if (v.spec().metadata() != null) {
            v.spec().metadata().forEach((k, value) -> out.append('\n').append(VisibleText.of(k)).append(": ").append(VisibleText.of(value)));
        }
        if (v.error() != null) {
            out.append("\nerror: ").append(VisibleText.of(v.error()));
        }
        return out.toString();
    }

    private static String orDash(String text) {
        return text == null ? "—" : VisibleText.of(text);
    }
}
