package io.queuedeck.console.lanes;

import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.task.VisibleText;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A task as the inspector shows it: identity, where it runs, sizes, latencies so far, and its
 * timeline with times relative to its arrival.
 *
 * @param waitMs  time spent waiting, so far
 * @param ttftMs  time to first token, or NaN before it
 * @param e2eMs   arrival to finish, or NaN while it has not finished
 * @param score   a scoring policy's factors, one line each; empty under other policies
 * @param why     why the task sits where it does ({@link WhyHere}); empty until known
 */
public record TaskDetails(String id, String model, String tenant, int priority, String state, int instance, int attempts,
                          int preemptions, int promptTokens, int generatedTokens, int outputTokens, double waitMs,
                          double ttftMs, double e2eMs, List<String> timeline, String error, List<String> score,
                          List<String> why, java.time.Instant deadline, String instanceName, boolean givenUp) {

    /** The same task with its score breakdown, one line per factor and the total last. */
    TaskDetails withScore(io.queuedeck.engine.policy.ScoreBreakdown breakdown) {
        List<String> lines = new ArrayList<>();
        for (var f : breakdown.factors()) {
            lines.add(String.format(Locale.ROOT, "%-10s %.3f × %.2f = %.3f", f.name(), f.value(), f.weight(), f.contribution()));
        }
        lines.add(String.format(Locale.ROOT, "%-10s %.3f (higher runs first)", "score", breakdown.score()));
        return new TaskDetails(id, model, tenant, priority, state, instance, attempts, preemptions, promptTokens,
                generatedTokens, outputTokens, waitMs, ttftMs, e2eMs, timeline, error, List.copyOf(lines), why, deadline, instanceName, givenUp);
    }

    /** The same task with the score lines another reading of it already had. */
    TaskDetails withScore(TaskDetails earlier) {
        return new TaskDetails(id, model, tenant, priority, state, instance, attempts, preemptions, promptTokens,
                generatedTokens, outputTokens, waitMs, ttftMs, e2eMs, timeline, error, earlier.score, why, deadline, instanceName, givenUp);
    }

    /** The same task with the reasons for its place. */
    TaskDetails withWhy(List<String> lines) {
        return new TaskDetails(id, model, tenant, priority, state, instance, attempts, preemptions, promptTokens,
                generatedTokens, outputTokens, waitMs, ttftMs, e2eMs, timeline, error, score, List.copyOf(lines), deadline, instanceName, givenUp);
    }

    /** The same task with its instance named as the engine's instances are ("backend 0 (http://…)", "GPU 0"). */
    TaskDetails withInstanceName(String name) {
        return new TaskDetails(id, model, tenant, priority, state, instance, attempts, preemptions, promptTokens,
                generatedTokens, outputTokens, waitMs, ttftMs, e2eMs, timeline, error, score, why, deadline, name, givenUp);
    }

    /** Whether the task still waits for a GPU or a retry, or runs: cancel and reprioritize apply. */
    public boolean active() {
        return switch (state) {
            case "queued", "preempted", "running", "retry_wait" -> true;
            default -> false;
        };
    }

    /** Whether the task sits in the dead letters: retry applies. */
    public boolean deadLettered() {
        return state.equals("dead_lettered");
    }

    /**
     * Its wait, or NaN ("–") when not known: a task finished before a restart comes back with its
     * arrival and end only, and showed "waited 0 ms" after waiting minutes.
     */
    private static double waitedMs(TaskView v) {
        boolean unknown = v.state().isFinal() && v.firstDispatchAt() < 0 && v.waitedNanos() == 0 && v.history().size() <= 1;
        return unknown ? Double.NaN : v.waitedNanos() / 1e6;
    }

    static TaskDetails of(TaskView v) {
        // state changes and moves by hand, in time order (a drag to P0 showed only "queued")
        List<Map.Entry<Long, String>> events = new ArrayList<>();
        for (var t : v.history()) {
            events.add(Map.entry(t.at(), t.to().name().toLowerCase(Locale.ROOT).replace('_', ' ')));
        }
        for (var m : v.movedByHand()) {
            String lane = m.from() == m.to() ? "placed in P" + m.to() : "moved P" + m.from() + " → P" + m.to();
            events.add(Map.entry(m.at(), lane + (m.where() == null ? "" : ", " + m.where()) + " by hand"));
        }
        events.sort(Map.Entry.comparingByKey()); // stable: a state change before a move at the same moment
        List<String> timeline = new ArrayList<>();
        for (var e : events) {
            timeline.add(String.format(Locale.ROOT, "+%8.3f s  %s", (e.getKey() - v.arrivedAt()) / 1e9, e.getValue()));
        }
        Integer prompt = v.spec().promptTokens();
        return new TaskDetails(v.id(), v.spec().model(), v.spec().tenant() == null ? "" : v.spec().tenant(), v.priority(),
                v.state().name().toLowerCase(Locale.ROOT), v.instance(), v.attempts(), v.preemptions(),
                prompt == null ? 0 : prompt, v.generatedTokens(), v.outputTokens(), waitedMs(v),
                v.firstTokenAt() < 0 ? Double.NaN : (v.firstTokenAt() - v.arrivedAt()) / 1e6,
                v.finishedAt() < 0 ? Double.NaN : (v.finishedAt() - v.arrivedAt()) / 1e6,
                List.copyOf(timeline), VisibleText.of(v.error()), List.of(), List.of(), v.spec().deadline(),
                v.instance() < 0 ? "–" : "GPU " + v.instance(), v.givenUp());
    }
}
