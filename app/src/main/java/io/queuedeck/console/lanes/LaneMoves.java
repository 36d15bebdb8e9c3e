package io.queuedeck.console.lanes;

import io.queuedeck.console.gateway.EngineCommands;
import io.queuedeck.console.lanes.LanesViewModel.Shift;
import io.queuedeck.console.lanes.LanesViewModel.TaskRow;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.Placement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import javafx.collections.ObservableList;

/**
 * An operator's moves of tasks between and within lanes: each is sent to the engine and shown
 * at once (the row jumps lanes or places); the next listing confirms it.
 */
final class LaneMoves {
    static final String ORDERS_ITSELF = " policy orders each lane itself: places within a lane hold under fifo, priority or mlfq";

    private final EngineCommands commands;
    private final List<ObservableList<TaskRow>> lanes;
    private final Consumer<String> notice;
    private final Runnable stale;
    private final Consumer<String> refused;

    /** {@code lanes}: each lane's rows by priority; {@code stale}: marks the listing out of date once the engine has answered. */
    /** @param refused told of a move refused here, before any command: the operator must see it */
    LaneMoves(EngineCommands commands, List<ObservableList<TaskRow>> lanes, Consumer<String> notice, Runnable stale,
              Consumer<String> refused) {
        this.commands = commands;
        this.lanes = lanes;
        this.notice = notice;
        this.stale = stale;
        this.refused = refused;
    }

    CompletableFuture<Void> move(Collection<String> taskIds, int priority) {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (String id : List.copyOf(taskIds)) {
            moveLocally(id, priority);
            sent.add(commands.send(new Command.Reprioritize(id, priority)));
        }
        return settle(sent);
    }

    CompletableFuture<Void> cancel(Collection<String> taskIds) {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        Set<String> ids = Set.copyOf(taskIds);
        for (ObservableList<TaskRow> lane : lanes) {
            if (lane.stream().anyMatch(row -> ids.contains(row.id()))) {
                lane.removeIf(row -> ids.contains(row.id()));
            }
        }
        for (String id : List.copyOf(taskIds)) {
            sent.add(commands.send(new Command.Cancel(id)));
        }
        // the rows went without a word: say what happened, since a cancel cannot be undone
        notice.accept(taskIds.size() == 1 ? "Cancelled " + taskIds.iterator().next() : "Cancelled " + taskIds.size() + " tasks");
        return settle(sent);
    }

    CompletableFuture<Void> shift(List<String> ids, Shift shift, String policy, boolean laneOrderKept) {
        int lane = laneOf(ids.getFirst());
        if (lane < 0 || ids.stream().anyMatch(id -> laneOf(id) != lane)) {
            notice.accept("Select tasks of one lane to move them within it");
            return CompletableFuture.completedFuture(null);
        }
        if (!laneOrderKept) {
            refused.accept("The " + policy + ORDERS_ITSELF);
            return CompletableFuture.completedFuture(null);
        }
        List<String> order = lanes.get(lane).stream().map(TaskRow::id).toList();
        Set<String> chosen = Set.copyOf(ids);
        List<String> selected = order.stream().filter(chosen::contains).toList(); // in lane order
        List<String> sending; // the order commands go in: each lands next to the same anchor
        Placement placement;
        switch (shift) {
            case FRONT -> {
                placement = Placement.front();
                sending = selected.reversed(); // each goes to the front: the last first keeps their order
            }
            case BACK -> {
                placement = Placement.back();
                sending = selected;
            }
            case UP -> {
                int first = order.indexOf(selected.getFirst());
                if (first == 0) {
                    return CompletableFuture.completedFuture(null);
                }
                placement = Placement.before(order.get(first - 1));
                sending = selected;
            }
            case DOWN -> {
                int last = order.indexOf(selected.getLast());
                if (last == order.size() - 1) {
                    return CompletableFuture.completedFuture(null);
                }
                placement = Placement.after(order.get(last + 1));
                sending = selected.reversed(); // each goes just after it: the last first keeps their order
            }
            default -> throw new IllegalStateException(shift.name());
        }
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (String id : sending) {
            sent.add(commands.send(new Command.Place(id, lane, placement)));
        }
        reorderLocally(lane, selected, placement);
        return settle(sent);
    }

    /**
     * Puts {@code ids} just ahead of task {@code beforeId} in {@code lane}, in their order. The
     * listing the drop was aimed at is up to a second old, so the anchor may have been dispatched
     * (or moved, or cancelled) while the tasks were dragged: then they go just ahead of the next
     * task listed after it that still waits, which now stands where the anchor stood, and to the
     * front of the lane when none of those waits any more (decision 0134). The operator is told
     * where they went instead; a dragged task that itself left the queue is refused alone, with the
     * engine's reason, and the others still move.
     */
    CompletableFuture<Void> place(List<String> ids, int lane, String beforeId) {
        Set<String> moving = Set.copyOf(ids);
        List<String> anchors = new ArrayList<>(List.of(beforeId));
        boolean behind = false;
        for (TaskRow row : lanes.get(lane)) { // as listed when dropped: the places after the anchor's, nearest first
            if (behind && !moving.contains(row.id())) {
                anchors.add(row.id());
            }
            behind |= row.id().equals(beforeId);
        }
        for (String id : ids) {
            int from = laneOf(id);
            if (from >= 0 && from != lane) {
                moveLocally(id, lane);
            }
        }
        reorderLocally(lane, ids, Placement.before(beforeId));
        CompletableFuture<Void> done = new CompletableFuture<>();
        placeBefore(ids, lane, anchors, 0, null, done);
        return done.thenRun(stale);
    }

    /**
     * One round: {@code ids} (in order) just ahead of {@code anchors[anchor]}, each goes just ahead
     * of it; those refused because the anchor no longer waits in the lane go on to the next anchor.
     * {@code placed}: the last task placed in an earlier round, if any.
     */
    private void placeBefore(List<String> ids, int lane, List<String> anchors, int anchor, String placed,
                             CompletableFuture<Void> done) {
        if (anchor == anchors.size()) { // every task listed from the anchor on has left: where they stood is the lane's front
            List<CompletableFuture<?>> sent = new ArrayList<>();
            Placement at = placed == null ? Placement.front() : Placement.after(placed);
            for (String id : ids.reversed()) { // each goes to the same end: the last first keeps their order
                sent.add(commands.send(new Command.Place(id, lane, at)));
            }
            notice.accept(anchors.getFirst() + " and the tasks after it left P" + lane + " during the drag: "
                    + (ids.size() == 1 ? ids.getFirst() + " went" : ids.size() + " tasks went")
                    + (placed == null ? " to the front of the lane" : " after " + placed));
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).handle((ok, error) -> done.complete(null));
            return;
        }
        String before = anchors.get(anchor);
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (String id : ids) {
            sent.add(commands.sendUnreported(new Command.Place(id, lane, Placement.before(before))));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).handle((ok, error) -> {
            List<String> again = new ArrayList<>();
            String last = placed;
            for (int i = 0; i < ids.size(); i++) {
                Throwable failed = sent.get(i).handle((v, e) -> e).join(); // all complete: join does not wait
                if (failed == null) {
                    last = ids.get(i);
                } else if (anchorLeft(failed)) {
                    again.add(ids.get(i));
                } else {
                    refused.accept("Move task " + ids.get(i) + " within lane P" + lane + ": "
                            + io.queuedeck.console.gateway.CommandFailure.of("", failed).reason());
                }
            }
            if (again.isEmpty()) {
                if (anchor > 0) {
                    notice.accept(anchors.getFirst() + " left P" + lane + " during the drag: "
                            + (ids.size() == 1 ? ids.getFirst() + " went" : "the tasks went") + " just above " + before + ", where it stood");
                }
                done.complete(null);
            } else {
                placeBefore(again, lane, anchors, anchor + 1, last, done);
            }
            return null;
        });
    }

    /** Whether {@code error} refused a place because its anchor no longer waits in the lane (dispatched, moved, gone). */
    private static boolean anchorLeft(Throwable error) {
        Throwable cause = error;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof io.queuedeck.engine.task.InvalidTaskException invalid
                && invalid.errors().stream().anyMatch(e -> e.field().equals("before"));
    }

    int laneOf(String id) {
        for (int p = 0; p < lanes.size(); p++) {
            for (TaskRow row : lanes.get(p)) {
                if (row.id().equals(id)) {
                    return p;
                }
            }
        }
        return -1;
    }

    CompletableFuture<Void> settle(List<CompletableFuture<?>> sent) {
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                .handle((ok, error) -> null)
                .thenRun(stale)
                .thenApply(v -> null);
    }

    /** Puts the rows of the tasks in {@code order} (already in this lane) together at {@code placement}, as the engine will. */
    private void reorderLocally(int lane, List<String> order, Placement placement) {
        Set<String> ids = new LinkedHashSet<>(order);
        ObservableList<TaskRow> rows = lanes.get(lane);
        Map<String, TaskRow> byId = new HashMap<>();
        List<TaskRow> rest = new ArrayList<>(rows.size());
        for (TaskRow row : rows) { // one pass: a lane holds up to 1,000 rows, a selection as many
            if (ids.contains(row.id())) {
                byId.put(row.id(), row);
            } else {
                rest.add(row);
            }
        }
        List<TaskRow> moved = ids.stream().map(byId::get).filter(Objects::nonNull).toList();
        int at = switch (placement) {
            case Placement.Front front -> 0;
            case Placement.Back back -> rest.size();
            case Placement.Before before -> indexOf(rest, before.taskId(), rest.size());
            case Placement.After after -> indexOf(rest, after.taskId(), rest.size() - 1) + 1;
        };
        rest.addAll(at, moved);
        LaneRows.update(rows, rest);
    }

    private static int indexOf(List<TaskRow> rows, String id, int otherwise) {
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).id().equals(id)) {
                return i;
            }
        }
        return otherwise;
    }

    private void moveLocally(String id, int priority) {
        for (ObservableList<TaskRow> lane : lanes) {
            for (int i = 0; i < lane.size(); i++) {
                TaskRow row = lane.get(i);
                if (row.id().equals(id)) {
                    lane.remove(i);
                    insertByWait(lanes.get(priority), row.withPriority(priority));
                    return;
                }
            }
        }
    }

    /** Until the next listing shows its place, a moved task goes by its wait: arrival order, roughly. */
    private static void insertByWait(ObservableList<TaskRow> tasks, TaskRow row) {
        int at = 0;
        while (at < tasks.size() && tasks.get(at).waitOriginNanos() <= row.waitOriginNanos()) {
            at++;
        }
        tasks.add(at, row);
    }
}
