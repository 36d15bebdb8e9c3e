package io.queuedeck.console.lanes;

import io.queuedeck.console.gateway.EngineCommands;
import io.queuedeck.engine.command.Command;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;

/**
 * The task inspector: one task's details, refreshed with the lanes, "why is this task here?",
 * and the single-task actions. Closing it is final: an answer still on its way when the
 * operator closed it does not open it again, nor does the next refresh.
 */
public final class InspectorViewModel {
    /** The actions the lanes already carry out for a selection; the inspector applies them to one task. */
    interface Actions {
        CompletableFuture<Void> move(List<String> ids, int priority);

        CompletableFuture<Void> cancel(List<String> ids);

        CompletableFuture<Void> retry(List<String> ids);
    }

    private final EngineCommands commands;
    private final Supplier<WhyHere> context;
    private final Consumer<String> notice;
    private final Actions actions;
    private final ReadOnlyObjectWrapper<TaskDetails> inspected = new ReadOnlyObjectWrapper<>(this, "inspected");
    /** Bumped by each open and close: an answer to an older request is dropped. */
    private long generation;

    InspectorViewModel(EngineCommands commands, Supplier<WhyHere> context, Consumer<String> notice, Actions actions) {
        this.commands = Objects.requireNonNull(commands, "commands");
        this.context = context;
        this.notice = notice;
        this.actions = actions;
    }

    /** The task shown, or null while the inspector is closed. */
    public ReadOnlyObjectProperty<TaskDetails> inspectedProperty() {
        return inspected.getReadOnlyProperty();
    }

    /** Opens a task (or shows it afresh); says so when no task has this id. */
    public void inspect(String taskId) {
        long asked = ++generation;
        load(taskId, asked, true);
    }

    /** Closes the inspector for good: nothing reopens it but the operator. */
    public void close() {
        generation++;
        inspected.set(null);
    }

    /** Reads the shown task again (its state and place change); nothing when closed. */
    void refresh() {
        TaskDetails open = inspected.get();
        if (open != null) {
            load(open.id(), generation, false);
        }
    }

    /** Gives the shown task a new priority. */
    public CompletableFuture<Void> reprioritize(int priority) {
        TaskDetails d = inspected.get();
        if (d == null || !d.active()) {
            return CompletableFuture.completedFuture(null);
        }
        return actions.move(List.of(d.id()), priority).thenRun(this::refresh);
    }

    /** Cancels the shown task. */
    public CompletableFuture<Void> cancel() {
        TaskDetails d = inspected.get();
        if (d == null || !d.active()) {
            return CompletableFuture.completedFuture(null);
        }
        return actions.cancel(List.of(d.id())).thenRun(this::refresh);
    }

    /** Queues the shown dead letter again. */
    public CompletableFuture<Void> retry() {
        TaskDetails d = inspected.get();
        if (d == null || !d.deadLettered()) {
            return CompletableFuture.completedFuture(null);
        }
        return actions.retry(List.of(d.id())).thenRun(this::refresh);
    }

    /** No task has this id: the only one whose id starts with it opens, as in Search; else the notice says why not. */
    private void byPrefix(String prefix, long asked) {
        io.queuedeck.engine.task.TaskFilter filter = new io.queuedeck.engine.task.TaskFilter(prefix, null, null, null, null,
                null, null, null, null, null);
        commands.send(new Command.SearchTasks(new io.queuedeck.engine.task.TaskSearch(filter,
                io.queuedeck.engine.task.TaskSort.SUBMITTED, false, 0, 2))).thenAccept(page -> {
            if (asked != generation) {
                return;
            }
            if (page.total() == 1) {
                load(page.tasks().getFirst().id(), asked, true);
                return;
            }
            inspected.set(null);
            notice.accept(page.total() == 0
                    ? "No task with id '" + prefix + "' or starting with it (finished tasks are kept for a while, then forgotten)"
                    : String.format(java.util.Locale.ROOT, "%,d tasks have ids starting with '%s': type more of the id", page.total(), prefix));
        });
    }

    private void load(String taskId, long asked, boolean tell) {
        commands.send(new Command.FindTask(taskId)).thenAccept(found -> {
            if (asked != generation) {
                return; // closed, or another task opened, meanwhile
            }
            TaskDetails details = found.map(TaskDetails::of).orElse(null);
            if (details == null) {
                if (tell) {
                    byPrefix(taskId, asked);
                }
                return;
            }
            TaskDetails shown = inspected.get();
            if (shown != null && shown.id().equals(taskId) && !shown.score().isEmpty()) {
                details = details.withScore(shown); // keep the factors until the new ones come
            }
            WhyHere why = context.get();
            inspected.set(details.withWhy(why.explain(details)).withInstanceName(why.instanceName(details.instance())));
            if (tell) {
                notice.accept("");
            }
            if (details.state().equals("queued") || details.state().equals("preempted")) {
                // only scoring policies (weighted) answer with factors
                commands.send(new Command.Explain(taskId)).thenAccept(score -> score.ifPresent(s -> {
                    TaskDetails now = inspected.get();
                    if (asked == generation && now != null && now.id().equals(taskId)) {
                        inspected.set(now.withScore(s));
                    }
                }));
            }
        });
    }
}
