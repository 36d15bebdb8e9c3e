package io.queuedeck.engine.loop;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskNotFoundException;
import io.queuedeck.engine.task.TaskQuery;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every task the loop knows by id: the active ones (waiting, running, waiting to retry) and the
 * most recent finished ones, up to a retention count and a byte budget (oldest forgotten first),
 * and an index of them in submission order for listings. Loop thread only.
 */
final class TaskTable {
    /**
     * What one task counts beyond its strings: the task, its spec, map entries, policy and lane
     * nodes measured about 550 bytes (docs/performance.md, "Queued memory"); this errs above.
     */
    static final long TASK_OVERHEAD_BYTES = 1024;

    private final TaskIndex index = new TaskIndex();
    private final Map<String, Task> active = new HashMap<>();
    /** Counted body bytes of the active tasks; the loop's own count, published for metrics. */
    private long bodyBytes;
    private final AtomicLong publishedBodyBytes = new AtomicLong();
    /** The same per tenant (null: tasks without one), kept only when some tenant's share is capped. */
    private final Map<String, long[]> tenantBodyBytes;
    private final LinkedHashMap<String, Task> finished;
    /**
     * Finished tasks keep their bodies too: without a byte bound, large ones finishing fast would
     * fill the heap. Half the budget is theirs, half the dead letters'.
     */
    private final long finishedBytesLimit;
    private long finishedBytes;
    /**
     * Dead letters (parked tasks among them) are kept until replayed, apart from the other finished
     * tasks, so that no amount of other traffic pushes them out (another tenant's made them
     * unreachable); past their own bound a tenant's oldest goes first (decision 0131).
     */
    private final DeadLetterShelf deadLetters;

    TaskTable(int finishedRetention, long finishedBytesLimit, boolean perTenant) {
        this.finishedBytesLimit = finishedBytesLimit / 2;
        this.deadLetters = new DeadLetterShelf(finishedRetention, finishedBytesLimit - this.finishedBytesLimit, index);
        this.tenantBodyBytes = perTenant ? new HashMap<>() : null;
        this.finished = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Task> eldest) {
                if (size() > finishedRetention) {
                    index.remove(eldest.getValue());
                    finishedBytes -= finishedBytes(eldest.getValue());
                    return true;
                }
                return false;
            }
        };
    }

    /** The task with this id, if it is active or finished recently; null otherwise. */
    Task lookup(String id) {
        Task task = active.get(id);
        if (task == null) {
            task = finished.get(id);
        }
        return task != null ? task : deadLetters.get(id);
    }

    Task require(String id) {
        Task task = lookup(id);
        if (task == null) {
            throw new TaskNotFoundException(id);
        }
        return task;
    }

    void activate(Task task) {
        if (finished.remove(task.id()) != null) {
            finishedBytes -= finishedBytes(task);
        }
        deadLetters.remove(task);
        if (active.put(task.id(), task) == null) {
            long bytes = bodyBytes(task.spec());
            bodyBytes += bytes;
            publishedBodyBytes.lazySet(bodyBytes);
            if (tenantBodyBytes != null) {
                tenantBodyBytes.computeIfAbsent(task.spec().tenant(), tenant -> new long[1])[0] += bytes;
            }
        }
        index.add(task);
    }

    /** Keeps the index in step: called after every state change of a known task. */
    void moved(Task task, TaskState from) {
        index.moved(task, from);
    }

    /** The first known task in {@code state} after sequence {@code after}, or null. */
    Task next(TaskState state, long after) {
        return index.next(state, after);
    }

    /** The first known task after sequence {@code after} that passes the query's filters, or null. */
    Task next(TaskQuery query, long after) {
        return index.next(query, after);
    }

    /** The first known task after sequence {@code after} in {@code state} of {@code tenant} (null: any), or null. */
    Task next(TaskState state, String tenant, long after) {
        return index.next(state, tenant, after);
    }

    void retire(Task task) {
        if (active.remove(task.id()) != null) {
            long bytes = bodyBytes(task.spec());
            bodyBytes -= bytes;
            publishedBodyBytes.lazySet(bodyBytes);
            if (tenantBodyBytes != null) {
                long[] held = tenantBodyBytes.get(task.spec().tenant());
                if (held != null && (held[0] -= bytes) <= 0) {
                    tenantBodyBytes.remove(task.spec().tenant()); // a tenant gone quiet leaves no entry behind
                }
            }
        }
        if (task.state() == TaskState.DEAD_LETTERED) {
            deadLetters.add(task);
            return;
        }
        deadLetters.remove(task); // a dead letter ended otherwise (cancelled) is an ordinary finished task now
        if (finished.put(task.id(), task) == null) {
            finishedBytes += finishedBytes(task);
        }
        var eldest = finished.values().iterator();
        while (finishedBytes > finishedBytesLimit && eldest.hasNext()) {
            Task gone = eldest.next();
            finishedBytes -= finishedBytes(gone);
            index.remove(gone);
            eldest.remove();
        }
    }

    /** Forgets a finished task before its time (its id is used again). */
    void forget(Task task) {
        if (finished.remove(task.id(), task)) {
            finishedBytes -= finishedBytes(task);
            index.remove(task);
        } else if (deadLetters.remove(task)) {
            index.remove(task);
        }
    }

    /** Told of each dead letter let go past the bound, so that nothing else holds it. */
    void onDeadLetterEvicted(java.util.function.Consumer<Task> listener) {
        deadLetters.onEvicted(listener);
    }

    /** Counted body bytes of the active tasks (loop thread). */
    long bodyBytes() {
        return bodyBytes;
    }

    /** Counted body bytes of one tenant's active tasks (null: tasks without a tenant); 0 unless counted per tenant. */
    long bodyBytes(String tenant) {
        long[] held = tenantBodyBytes == null ? null : tenantBodyBytes.get(tenant);
        return held == null ? 0 : held[0];
    }

    /** The same, readable from any thread (as of the loop's last change). */
    AtomicLong publishedBodyBytes() {
        return publishedBodyBytes;
    }

    /** What a finished task holds: its body and its answer, which a backend may make far larger than the body. */
    static long finishedBytes(Task task) {
        return bodyBytes(task.spec()) + 2L * (task.output() == null ? 0 : task.output().length());
    }

    /**
     * What a task counts against the byte budget: two bytes per character of its input, its
     * callback URL and its metadata keys and values (the most a Java string takes), plus a fixed
     * overhead for the rest, whose lengths are capped. Metadata has at most 64 entries, so this is
     * cheap enough for the loop.
     */
    static long bodyBytes(TaskSpec spec) {
        long chars = (spec.input() == null ? 0 : spec.input().length())
                + (spec.callbackUrl() == null ? 0 : spec.callbackUrl().length());
        if (spec.metadata() != null) {
            for (Map.Entry<String, String> e : spec.metadata().entrySet()) {
                chars += e.getKey().length() + (e.getValue() == null ? 0 : e.getValue().length());
            }
        }
        return 2 * chars + TASK_OVERHEAD_BYTES;
    }

    int activeCount() {
        return active.size();
    }

    Collection<Task> active() {
        return active.values();
    }
}
