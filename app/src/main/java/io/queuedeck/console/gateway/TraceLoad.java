package io.queuedeck.console.gateway;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.sim.Arrival;
import io.queuedeck.engine.task.TaskSpec;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Replays a trace's arrivals into the live engine in real time, from the console's clients
 * thread: every 5 ms it submits the arrivals that are due. Ids are left to the engine, so the
 * same trace can be replayed again.
 */
final class TraceLoad implements AutoCloseable {
    private static final long TICK_NANOS = 5_000_000L;

    private final Engine engine;
    private final List<Arrival> arrivals;
    private final LongSupplier nanoTime;
    private final AtomicInteger submitted = new AtomicInteger();
    private ScheduledFuture<?> ticking;
    private long start;
    private int next;

    TraceLoad(Engine engine, List<Arrival> arrivals, LongSupplier nanoTime) {
        this.engine = engine;
        this.arrivals = List.copyOf(arrivals);
        this.nanoTime = nanoTime;
    }

    synchronized void start(ScheduledExecutorService scheduler) {
        start = nanoTime.getAsLong();
        ticking = scheduler.scheduleAtFixedRate(this::tick, 0, TICK_NANOS, TimeUnit.NANOSECONDS);
    }

    int submitted() {
        return submitted.get();
    }

    int total() {
        return arrivals.size();
    }

    /** The trace's arrivals per second over its (time-scaled) span. */
    double averageRate() {
        double seconds = arrivals.isEmpty() ? 0 : arrivals.getLast().atNanos() / 1e9;
        return seconds > 0 ? arrivals.size() / seconds : arrivals.size();
    }

    synchronized boolean finished() {
        return next >= arrivals.size();
    }

    private synchronized void tick() {
        long elapsed = nanoTime.getAsLong() - start;
        while (next < arrivals.size() && arrivals.get(next).atNanos() <= elapsed) {
            Arrival a = arrivals.get(next++);
            TaskSpec s = a.spec();
            // no id (a replay may run twice) and no deadline (a trace's deadlines are in its own time)
            TaskSpec anonymous = new TaskSpec(null, s.model(), s.input(), s.priority(), s.callbackUrl(), s.tenant(),
                    s.businessClass(), null, s.maxTokens(), s.promptTokens(), s.metadata());
            engine.send(new Command.Submit(anonymous, a.outputTokens()));
            submitted.incrementAndGet();
        }
        if (next >= arrivals.size() && ticking != null) {
            ticking.cancel(false);
        }
    }

    @Override
    public synchronized void close() {
        if (ticking != null) {
            ticking.cancel(false);
        }
    }
}
