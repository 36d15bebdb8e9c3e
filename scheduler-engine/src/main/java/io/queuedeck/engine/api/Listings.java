package io.queuedeck.engine.api;

import io.javalin.http.Context;
import io.queuedeck.engine.task.TaskReport;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What task listings and searches may take at once (decision 0100). Turns at building a page: a
 * page costs far more CPU than a submission (a hundred task views to JSON), so on a small machine
 * unbounded listers would take every core from writers; half the cores (at least one), fair, so
 * every lister gets its turn. A page is written after its turn, so a client that reads slowly
 * holds only its own page, never another lister's turn; the bytes of pages being written share a
 * budget of an eighth of the heap. And a page is at most {@link #PAGE_BYTES} of JSON, whatever its
 * tasks carry (answers, metadata, characters JSON escapes six times over): past it the page ends
 * early and its cursor goes on from there.
 */
final class Listings {
    /** JSON one page may hold (at least one task, whatever its size). */
    static final long PAGE_BYTES = 4L << 20;

    private final Semaphore turns = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), true);
    private final int writingBudgetKib = (int) Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() / 8 / 1024);
    private final Semaphore writingKib = new Semaphore(writingBudgetKib);
    private final long timeoutNanos;

    Listings(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /** Builds a page in a turn; 503 {@code server_busy} when none comes within the request timeout. */
    byte[] inTurn(Supplier<byte[]> page) {
        take(turns, 1, "too many task listings in progress; retry later");
        try {
            return page.get();
        } finally {
            turns.release();
        }
    }

    /** Writes a page, its bytes counted while a client reads them. */
    void send(Context ctx, byte[] json) {
        int kib = Math.min(writingBudgetKib, Math.max(1, json.length / 1024)); // a page over the budget waits for all of it
        take(writingKib, kib, "too many large task listings are being sent; retry later");
        try {
            Routes.write(ctx, 200, json);
        } finally {
            writingKib.release(kib);
        }
    }

    /**
     * The reports one page takes: at least one, then while their JSON stays within {@link #PAGE_BYTES}
     * (measured as written: a page counted by its answers alone ran a 256 MB heap out of memory on
     * tasks whose metadata was control characters).
     */
    static List<TaskReport> fitting(List<TaskView> views, Function<TaskView, TaskReport> report) {
        List<TaskReport> kept = new ArrayList<>(views.size());
        long bytes = 0;
        for (TaskView view : views) {
            TaskReport next = report.apply(view);
            bytes += Json.write(next).length;
            if (bytes > PAGE_BYTES && !kept.isEmpty()) {
                break;
            }
            kept.add(next);
        }
        return kept;
    }

    private void take(Semaphore semaphore, int permits, String busy) {
        try {
            if (!semaphore.tryAcquire(permits, timeoutNanos, TimeUnit.NANOSECONDS)) {
                throw new ApiException(503, "server_busy", busy).retryAfter(1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "unavailable", "the server is shutting down");
        }
    }
}
