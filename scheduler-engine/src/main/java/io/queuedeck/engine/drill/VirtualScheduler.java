package io.queuedeck.engine.drill;

import io.queuedeck.engine.clock.EngineClock;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler whose timers are the drill's virtual clock, for the callback dispatcher's retries:
 * a backoff of 30 s passes in the drill's time, on the drill's thread. Only what the dispatcher
 * uses ({@link #schedule(Runnable, long, TimeUnit)} and {@link #execute}) is supported.
 */
final class VirtualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final EngineClock clock;
    private volatile boolean shutdown;

    VirtualScheduler(EngineClock clock) {
        this.clock = clock;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (shutdown) {
            throw new java.util.concurrent.RejectedExecutionException("the drill is over");
        }
        long at = clock.nanos() + unit.toNanos(Math.max(0, delay));
        io.queuedeck.engine.clock.Timer timer = clock.schedule(at, command);
        return new Pending(at, timer);
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("not used by the callback dispatcher");
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("not used by the callback dispatcher");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("not used by the callback dispatcher");
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }

    /** A timer on the virtual clock as a future: cancellable, never waited for. */
    private final class Pending implements ScheduledFuture<Object> {
        private final long at;
        private final io.queuedeck.engine.clock.Timer timer;
        private boolean cancelled;

        Pending(long at, io.queuedeck.engine.clock.Timer timer) {
            this.at = at;
            this.timer = timer;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(at - clock.nanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterrupt) {
            timer.cancel();
            cancelled = true;
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return cancelled || clock.nanos() >= at;
        }

        @Override
        public Object get() {
            throw new UnsupportedOperationException("a drill never waits for its timers");
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            throw new UnsupportedOperationException("a drill never waits for its timers");
        }
    }
}
