package io.queuedeck.engine.api;

import io.javalin.http.Context;
import io.queuedeck.engine.task.TaskView;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What task listings and searches may take at once (decision 0100). Turns at building a page: a
 * page costs far more CPU than a submission (a hundred task views to JSON), so on a small machine
 * unbounded listers would take every core from writers; half the cores (at least one), fair, so
 * every lister gets its turn. A page is written after its turn, so a client that reads slowly
 * holds only its own page, never another lister's turn; the bytes of pages being written share a
 * budget of an eighth of the heap. And a page carries at most {@link #PAGE_OUTPUT_CHARS} of
 * answers: past it the page ends early and its cursor goes on from there.
 */
final class Listings {
    /** Answer text one page may carry (at least one task, whatever its size). */
    static final long PAGE_OUTPUT_CHARS = 4L << 20;

    private final Semaphore turns = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), true);
    private final Semaphore writingKib = new Semaphore((int) Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() / 8 / 1024));
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
        int kib = Math.max(1, json.length / 1024);
        take(writingKib, kib, "too many large task listings are being sent; retry later");
        try {
            Routes.write(ctx, 200, json);
        } finally {
            writingKib.release(kib);
        }
    }

    /** How many of {@code views} one page takes: at least one, then while their answers stay within the bound. */
    static int fitting(List<TaskView> views) {
        long chars = 0;
        for (int i = 0; i < views.size(); i++) {
            String output = views.get(i).output();
            chars += output == null ? 0 : output.length();
            if (chars > PAGE_OUTPUT_CHARS && i > 0) {
                return i;
            }
        }
        return views.size();
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
