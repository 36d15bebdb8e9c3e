package io.queuedeck.engine.loop;

import io.queuedeck.engine.task.SearchPage;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSearch;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A search in progress: counts every match and keeps the first {@code offset + limit} of them in
 * the order asked for (a bounded heap whose head is the last one kept). Tasks that change between
 * slices are judged as they are at the end: one that stopped matching is left out of the page.
 * Loop thread only.
 */
final class SearchWalk implements Sliced {
    private final TaskSearch search;
    private final FilterWalk walk;
    private final Comparator<Task> order;
    private final PriorityQueue<Task> kept;
    private final int keep;
    private int total;

    SearchWalk(TaskTable tasks, TaskSearch search, long now) {
        this.search = search;
        this.walk = new FilterWalk(tasks, search.filter(), now);
        this.order = order(search);
        this.keep = search.offset() + search.limit();
        this.kept = new PriorityQueue<>(Math.min(keep, 1024), order.reversed());
    }

    @Override
    public boolean step() {
        return walk.step(task -> {
            total++;
            if (kept.size() < keep) {
                kept.add(task);
            } else if (order.compare(task, kept.peek()) < 0) {
                kept.poll();
                kept.add(task);
            }
        });
    }

    @Override
    public Object result(long now) {
        List<Task> sorted = new ArrayList<>(kept.size());
        for (Task task : kept) {
            if (walk.matches(task)) {
                sorted.add(task);
            }
        }
        sorted.sort(order);
        List<TaskView> views = new ArrayList<>(search.limit());
        for (int i = search.offset(); i < sorted.size(); i++) {
            views.add(sorted.get(i).view(now));
        }
        return new SearchPage(List.copyOf(views), total, search.offset());
    }

    private static Comparator<Task> order(TaskSearch search) {
        Comparator<Task> first = switch (search.sort()) {
            case SUBMITTED -> Comparator.comparingLong(Task::sequence);
            case PRIORITY -> Comparator.comparingInt(Task::priority);
            case MODEL -> Comparator.comparing(t -> orEmpty(t.spec().model()));
            case TENANT -> Comparator.comparing(t -> orEmpty(t.spec().tenant()));
            case STATE -> Comparator.comparing(Task::state);
        };
        Comparator<Task> bySequence = Comparator.comparingLong(Task::sequence);
        if (search.descending()) {
            first = first.reversed();
            bySequence = bySequence.reversed();
        }
        return first.thenComparing(bySequence);
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }
}
