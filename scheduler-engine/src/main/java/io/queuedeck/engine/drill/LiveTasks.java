package io.queuedeck.engine.drill;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The accounting of a drill on an engine that others use too: only the drill's own tasks count
 * (its arrivals and submissions, by id prefix, and the tasks its load faults submit, by fault id).
 * Their final views come from the engine's events (a task reaching a final state) and a lookup, not
 * from the completion outbox, which belongs to whoever else consumes the engine; times are rebased
 * to the drill's start so that windows read as on the virtual clock.
 */
final class LiveTasks {
    private final Engine engine;
    private final long origin;
    private final String prefix;
    private final Set<String> faultPrefixes = new HashSet<>();
    private final Set<String> accepted = new HashSet<>();
    private final Set<String> finals = new HashSet<>();

    LiveTasks(Engine engine, long origin, String prefix) {
        this.engine = engine;
        this.origin = origin;
        this.prefix = prefix;
    }

    /** The id the drill gives its {@code n}-th task of {@code kind} (w: workload, s: submit step). */
    String id(String kind, long n) {
        return prefix + kind + "-" + n;
    }

    void accepted(String id) {
        accepted.add(id);
    }

    /** Tasks of fault {@code faultId} (a load fault: ids {@code <fault id>-<n>}) are the drill's. */
    void faultInjected(String faultId) {
        faultPrefixes.add(faultId + "-");
    }

    private boolean owned(String id) {
        if (id.startsWith(prefix)) {
            return true;
        }
        for (String p : faultPrefixes) {
            if (id.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** Reads one event: a final state of one of the drill's tasks adds its view to {@code finished}. */
    void onEvent(EngineEvent event, List<TaskView> finished) {
        if (!(event instanceof EngineEvent.TaskTransitioned t) || !owned(t.taskId())) {
            return;
        }
        accepted.add(t.taskId());
        if (!t.to().isFinal()) {
            return;
        }
        boolean first = finals.add(t.taskId());
        if (first || t.to() == TaskState.SUCCEEDED) { // a second completion is counted, as on the virtual clock
            engine.send(new Command.FindTask(t.taskId())).join().ifPresent(v -> finished.add(rebased(v, t.to())));
        }
    }

    /** Whether every task the drill had accepted has reached a final state. */
    boolean settled() {
        return finals.containsAll(accepted);
    }

    /** How many tasks the drill had accepted have not reached a final state yet. */
    long unsettled() {
        return accepted.stream().filter(id -> !finals.contains(id)).count();
    }

    long acceptedCount() {
        return accepted.size();
    }

    /**
     * Looks up, once, each accepted task whose final state no event has brought yet: one the engine
     * holds as final counts as finished (added to {@code finished}); answers how many it holds
     * waiting or running, not lost, only not finished within the settle window (a busy engine); the
     * rest are lost. One look-up decides each: looked up twice, a task that finished between the two
     * (a drill ended at once, as by the console closing) was counted neither and so lost.
     */
    long finishUnseen(List<TaskView> finished) {
        long stillIn = 0;
        for (String id : List.copyOf(accepted)) {
            if (finals.contains(id)) {
                continue;
            }
            java.util.Optional<TaskView> found = engine.send(new Command.FindTask(id)).join();
            if (found.isPresent() && found.get().state().isFinal()) {
                finals.add(id);
                finished.add(rebased(found.get(), found.get().state()));
            } else if (found.isPresent()) {
                stillIn++;
            }
        }
        return stillIn;
    }

    private TaskView rebased(TaskView v, TaskState state) {
        return new TaskView(v.id(), v.spec(), state, v.priority(), v.level(), v.instance(), v.sequence(),
                shift(v.arrivedAt()), shift(v.firstDispatchAt()), shift(v.firstTokenAt()), shift(v.finishedAt()),
                v.waitedNanos(), v.generatedTokens(), v.outputTokens(), v.attempts(), v.preemptions(), v.error(),
                v.output(), new ArrayList<>(v.history()), v.generation());
    }

    private long shift(long at) {
        return at < 0 ? at : at - origin;
    }
}
