package io.queuedeck.engine.cluster;

import io.queuedeck.engine.command.BulkAction;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The console's Search over the whole shared queue (distributed mode, decision 0083a): the same
 * {@link TaskFilter} as a node's own search, answered from Redis's lists by rank, and bulk actions
 * over what it matches, each task changed by its own atomic script (so a task another node claimed,
 * moved or cancelled meanwhile is refused with its state, never changed twice).
 *
 * <p>What Redis can answer, and how: the state picks the lists read ({@code QUEUED}: each tier's
 * waiting set, in claim order; {@code RUNNING}: the leases; {@code DEAD_LETTERED}: the dead
 * letters; none: all of them). A waiting set is ordered by priority, so a maximum priority ends its
 * read at the first task above it. Id prefix, tenant, model, class, metadata text and a minimum
 * priority have no index in Redis: they are checked on each entry read, and one search reads at most
 * {@link #READ_BUDGET} entries ({@link Result#complete()} says whether it read every one). Ages
 * cannot be answered (the shared record keeps no arrival time), nor other states (a finished task is
 * read by id only): {@link #unsupported} names them. Runs on the caller's thread (never the loop).
 */
public final class SharedSearch {
    /** Entries one list read returns. */
    static final int CHUNK = 500;
    /** Entries one search (or one bulk action) reads at most. */
    public static final int READ_BUDGET = 10_000;
    private static final Set<TaskState> SHARED_STATES = EnumSet.of(TaskState.QUEUED, TaskState.RUNNING, TaskState.DEAD_LETTERED);

    private SharedSearch() {
    }

    /** A task the search matched: its listed record, its tier's name (waiting tasks; else null) and its spec. */
    public record Match(SharedQueue.Listed task, String tier, TaskSpec spec, TaskState state) {}

    /**
     * One page of what matched.
     *
     * @param matched  matches among the entries read (all of them when {@code complete})
     * @param read     entries read
     * @param complete whether every entry of the lists searched was read (else the budget ended the read)
     */
    public record Result(List<Match> tasks, int matched, int read, boolean complete) {}

    /**
     * What a bulk action did.
     *
     * @param answers each script answer ("changed", "cancelled", "cancel_requested", "retried", or the state that
     *                forbade it) and how many tasks gave it
     */
    public record Applied(int matched, boolean complete, Map<String, Integer> answers) {
        /** Tasks the action changed. */
        public int changed() {
            return answers.entrySet().stream().filter(e -> SUCCESS.contains(e.getKey())).mapToInt(Map.Entry::getValue).sum();
        }
    }

    private static final Set<String> SUCCESS = Set.of("changed", "cancelled", "cancel_requested", "retried");

    /** Why the shared queue cannot answer {@code filter}, naming the fields; null when it can. */
    public static String unsupported(TaskFilter filter) {
        List<String> no = new ArrayList<>();
        if (filter.minAgeMillis() != null || filter.maxAgeMillis() != null) {
            no.add("age (the shared queue keeps no arrival time)");
        }
        if (filter.states() != null && !SHARED_STATES.containsAll(filter.states())) {
            no.add("states other than queued, running and dead-lettered (a finished task is found by its full id)");
        }
        return no.isEmpty() ? null : "The shared queue cannot filter by " + String.join(" or ", no);
    }

    /** Matches {@code offset} to {@code offset + limit} (in list order: tiers most urgent first, then leases, then dead). */
    public static Result search(SharedQueue queue, TaskFilter filter, int offset, int limit) {
        List<Match> page = new ArrayList<>();
        int[] counts = new int[2]; // matched, read
        boolean complete = walk(queue, filter, match -> {
            if (counts[0] >= offset && page.size() < limit) {
                page.add(match);
            }
            counts[0]++;
        }, counts);
        return new Result(List.copyOf(page), counts[0], counts[1], complete);
    }

    /**
     * Applies {@code action} to every task the filter matches now (within the read budget), one
     * atomic script per task: reprioritize (waiting tasks, to {@code priority}), cancel (waiting ones
     * at once, leased ones by their holder), retry (dead, failed or cancelled ones). Moves to a lane's
     * front or back have no shared form.
     */
    public static Applied apply(SharedQueue queue, TaskFilter filter, BulkAction action, Integer priority) {
        if (action == BulkAction.MOVE) {
            throw new IllegalArgumentException("a move to a lane's front or back applies to this node's own lanes only;"
                    + " reprioritize instead");
        }
        if (action == BulkAction.REPRIORITIZE && (priority == null || priority < 0 || priority > 9)) {
            throw new IllegalArgumentException("priority must be 0..9 to reprioritize, got " + priority);
        }
        // the ids first: a change moves a task out of the list being read, which would shift the ranks
        List<String> ids = new ArrayList<>();
        int[] counts = new int[2];
        boolean complete = walk(queue, filter, match -> {
            ids.add(match.task().id());
            counts[0]++;
        }, counts);
        Map<String, Integer> answers = new LinkedHashMap<>();
        for (String id : ids) {
            String answer = switch (action) {
                case REPRIORITIZE -> queue.reprioritize(id, priority);
                case CANCEL -> queue.cancel(id);
                case RETRY -> queue.retry(id);
                case MOVE -> throw new AssertionError();
            };
            answers.merge(answer, 1, Integer::sum);
        }
        return new Applied(ids.size(), complete, Map.copyOf(answers));
    }

    /** Feeds every match to {@code sink}; answers whether every entry was read. {@code counts[1]}: entries read. */
    private static boolean walk(SharedQueue queue, TaskFilter filter, java.util.function.Consumer<Match> sink, int[] counts) {
        String no = unsupported(filter);
        if (no != null) {
            throw new IllegalArgumentException(no);
        }
        Set<TaskState> states = filter.states() == null ? SHARED_STATES : filter.states();
        SharedQueue.Levels levels = queue.levels();
        if (states.contains(TaskState.QUEUED)) {
            for (SharedQueue.TierLevel tier : levels.tiers()) {
                if (tier.waiting() > 0 && !read(queue, SharedQueue.Listing.WAITING, tier, filter, sink, counts)) {
                    return false;
                }
            }
        }
        if (states.contains(TaskState.RUNNING) && !read(queue, SharedQueue.Listing.LEASED, null, filter, sink, counts)) {
            return false;
        }
        return !states.contains(TaskState.DEAD_LETTERED) || levels.dead() == 0
                || read(queue, SharedQueue.Listing.DEAD, null, filter, sink, counts);
    }

    /** Reads one list by rank in chunks; false when the budget ended the read before the list did. */
    private static boolean read(SharedQueue queue, SharedQueue.Listing listing, SharedQueue.TierLevel tier, TaskFilter filter,
                                java.util.function.Consumer<Match> sink, int[] counts) {
        TaskState state = switch (listing) {
            case WAITING -> TaskState.QUEUED;
            case LEASED -> TaskState.RUNNING;
            case DEAD -> TaskState.DEAD_LETTERED;
        };
        for (int offset = 0; ; ) {
            int want = Math.min(CHUNK, READ_BUDGET - counts[1]);
            if (want <= 0) {
                return false;
            }
            SharedQueue.Page page = queue.list(listing, tier == null ? 0 : tier.tier(), offset, want, true);
            for (SharedQueue.Listed task : page.tasks()) {
                counts[1]++;
                if (listing == SharedQueue.Listing.WAITING && filter.maxPriority() != null && task.priority() > filter.maxPriority()) {
                    return true; // a waiting set is ordered by priority: nothing after this one matches
                }
                TaskSpec spec = task.spec() == null ? null : SharedSpecs.decode(task.spec());
                if (spec != null && filter.matches(task.id(), spec, state, task.priority(), 0)) {
                    sink.accept(new Match(task, tier == null ? null : tier.name(), spec, state));
                }
            }
            offset += want;
            if (offset >= page.total()) {
                return true;
            }
        }
    }
}
