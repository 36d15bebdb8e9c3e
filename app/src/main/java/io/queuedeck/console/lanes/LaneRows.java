package io.queuedeck.console.lanes;

import io.queuedeck.console.lanes.LanesViewModel.TaskRow;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javafx.collections.ObservableList;

/**
 * Brings a lane's rows to a new listing in place, by task id, as the dead-letter list does:
 * rows that left are removed, new ones inserted, and a row whose task did not change is kept as
 * the same object. A ListView's selection, focus and scroll position follow its items by index,
 * so replacing every row each second (as a plain {@code setAll} does) loses them all.
 */
final class LaneRows {
    /** Two estimates of when a task began waiting closer than this are the same wait (listings are timed by the latest snapshot). */
    static final long SAME_WAIT_NANOS = 2_000_000_000L;

    private LaneRows() {}

    /** Makes {@code rows} equal to {@code next} by ids, with as few changes as it takes when tasks join at the back and leave at the front. */
    static void update(ObservableList<TaskRow> rows, List<TaskRow> next) {
        Map<String, TaskRow> wanted = new HashMap<>(next.size() * 2);
        for (TaskRow row : next) {
            wanted.put(row.id(), row);
        }
        if (rows.stream().anyMatch(row -> !wanted.containsKey(row.id()))) {
            rows.removeIf(row -> !wanted.containsKey(row.id())); // one change, however many left
        }
        Set<String> present = new HashSet<>(rows.size() * 2);
        rows.forEach(row -> present.add(row.id()));
        for (int i = 0; i < next.size(); i++) {
            TaskRow want = next.get(i);
            if (i >= rows.size() && !present.contains(want.id())) {
                rows.addAll(next.subList(i, next.size())); // the usual case: the rest are new arrivals, one change
                return;
            }
            TaskRow have = rows.get(i);
            if (have.id().equals(want.id())) {
                if (!same(have, want)) {
                    rows.set(i, want);
                }
                continue;
            }
            if (present.contains(want.id())) {
                rows.remove(indexOf(rows, want.id(), i + 1)); // moved up in the lane
            } else {
                present.add(want.id());
            }
            rows.add(i, want);
        }
    }

    /**
     * Equal but for the estimate of when the wait began, which may differ by a listing's timing. A
     * dead letter's wait stopped growing, so its estimate moves on with every listing's clock: were
     * it compared, its row would be replaced every 2 s, and a replaced row loses its selection
     * (Retry then did nothing on a loaded machine); its row shows its attempts, not a wait.
     */
    static boolean same(TaskRow a, TaskRow b) {
        return a.equals(b) || (a.withWaitOrigin(b.waitOriginNanos()).equals(b)
                && (DEAD_LETTERED.equals(b.state()) || Math.abs(a.waitOriginNanos() - b.waitOriginNanos()) < SAME_WAIT_NANOS));
    }

    private static final String DEAD_LETTERED = "dead_lettered";

    private static int indexOf(List<TaskRow> rows, String id, int from) {
        for (int i = from; i < rows.size(); i++) {
            if (rows.get(i).id().equals(id)) {
                return i;
            }
        }
        throw new IllegalStateException("row " + id + " not found");
    }
}
