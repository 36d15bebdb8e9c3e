package io.queuedeck.engine.api;

import io.javalin.http.Context;
import io.queuedeck.engine.task.TaskReport;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
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
 * budget of an eighth of the heap, of which one client may hold a quarter (and always one page), so
 * a client that asks for pages and does not read them runs out of its own share, not everyone's.
 * And a page is at most {@link #PAGE_BYTES} of JSON, whatever its
 * tasks carry (answers, metadata, characters JSON escapes six times over): past it the page ends
 * early and its cursor goes on from there.
 */
final class Listings {
    /** JSON one page may hold (at least one task, whatever its size). */
    static final long PAGE_BYTES = 4L << 20;

    private final Semaphore turns = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), true);
    private final int writingBudgetKib;
    private final int clientShareKib;
    private final Semaphore writingKib;
    /** KiB of pages being written, per client: a key while it holds any. */
    private final ConcurrentHashMap<String, Integer> heldKib = new ConcurrentHashMap<>();
    private final long timeoutNanos;

    Listings(long timeoutNanos) {
        this(timeoutNanos, Runtime.getRuntime().maxMemory() / 8);
    }

    Listings(long timeoutNanos, long writingBudgetBytes) {
        this.timeoutNanos = timeoutNanos;
        this.writingBudgetKib = (int) Math.min(Integer.MAX_VALUE, Math.max(1, writingBudgetBytes / 1024));
        this.clientShareKib = Math.max(1, writingBudgetKib / 4);
        this.writingKib = new Semaphore(writingBudgetKib);
    }

    /** Pages being written and counted; closing one gives its bytes back. */
    interface Held extends AutoCloseable {
        @Override
        void close();
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

    /** Writes a page, its bytes counted while its client reads them. */
    void send(Context ctx, byte[] json) {
        Client client = TaskAccess.client(ctx);
        try (Held page = hold(client != null ? "client " + client.policy().name() : "address " + ctx.ip(), json.length)) {
            Routes.write(ctx, 200, json);
        }
    }

    /**
     * Counts {@code bytes} of a page for {@code who}: 429 {@code listings_unread} when that client's
     * pages being written already hold its share, 503 {@code server_busy} when all of them together
     * hold the budget for the request timeout.
     */
    Held hold(String who, int bytes) {
        int kib = Math.min(writingBudgetKib, Math.max(1, bytes / 1024)); // a page over the budget waits for all of it
        int[] before = {0};
        boolean taken = heldKib.compute(who, (key, held) -> {
            before[0] = held == null ? 0 : held;
            return held == null || held + kib <= clientShareKib ? before[0] + kib : held;
        }) != before[0];
        if (!taken) {
            String held = before[0] < 1024 ? before[0] + " KiB" : before[0] / 1024 + " MiB";
            throw new ApiException(429, "listings_unread", "this client's earlier task listings (" + held
                    + ") are still being sent; read them before asking for more").retryAfter(1);
        }
        try {
            take(writingKib, kib, "too many large task listings are being sent; retry later");
        } catch (ApiException busy) {
            release(who, kib);
            throw busy;
        }
        return () -> {
            writingKib.release(kib);
            release(who, kib);
        };
    }

    private void release(String who, int kib) {
        heldKib.computeIfPresent(who, (key, held) -> held == kib ? null : held - kib);
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

    /**
     * The cursor that goes on after {@code sequence}: the sequence in base 36 and two check
     * characters, so a cursor cut short or mistyped ({@code abc}) is refused, not read as another
     * place in the list (it answered an empty last page).
     */
    static String cursor(long sequence) {
        return Long.toString(sequence, 36) + check(sequence);
    }

    /** The sequence a {@link #cursor} goes on after; 400 on {@code cursor} for anything else. */
    static long after(String cursor) {
        if (cursor.length() > 2) {
            try {
                long sequence = Long.parseLong(cursor.substring(0, cursor.length() - 2), 36);
                if (sequence >= 0 && cursor.equals(cursor(sequence))) {
                    return sequence;
                }
            } catch (NumberFormatException notOurs) {
                // refused below
            }
        }
        throw ApiException.invalid("cursor", "cursor is not one this server gave out: pass next_cursor as it came");
    }

    private static String check(long sequence) {
        int bits = (int) ((sequence * 0x9E3779B97F4A7C15L) >>> 54); // 10 bits of a multiplicative hash
        return Character.toString(Character.forDigit(bits / 36, 36)) + Character.forDigit(bits % 36, 36);
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
