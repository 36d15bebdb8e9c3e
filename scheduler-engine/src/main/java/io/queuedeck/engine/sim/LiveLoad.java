package io.queuedeck.engine.sim;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSpec;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Feeds a live engine with a synthetic workload in real time, the way clients would: Poisson
 * arrivals at a fixed rate, submitted through the public API from a scheduler thread of the
 * caller's (never the engine's loop thread).
 */
public final class LiveLoad implements AutoCloseable {
    private static final long TICK_NANOS = 5_000_000L;

    private final Engine engine;
    private final SyntheticWorkload shape;
    private final double ratePerSecond;
    private final String model;
    private final LongSupplier nanoTime;
    private final SplittableRandom random;
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private ScheduledFuture<?> ticking;
    private long nextArrival;

    /**
     * @param nanoTime the caller's time source (the engine clock's reading is loop-only)
     */
    public LiveLoad(Engine engine, SyntheticWorkload shape, String model, double ratePerSecond, LongSupplier nanoTime) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive, got " + ratePerSecond);
        }
        this.engine = engine;
        this.shape = shape;
        this.ratePerSecond = ratePerSecond;
        this.model = model;
        this.nanoTime = nanoTime;
        this.random = new SplittableRandom(shape.seed());
    }

    /** Starts submitting on {@code scheduler}. */
    public synchronized void start(ScheduledExecutorService scheduler) {
        if (ticking != null) {
            throw new IllegalStateException("already started");
        }
        nextArrival = nanoTime.getAsLong();
        ticking = scheduler.scheduleAtFixedRate(this::tick, 0, TICK_NANOS, TimeUnit.NANOSECONDS);
    }

    public long submitted() {
        return submitted.get();
    }

    public long refused() {
        return refused.get();
    }

    private synchronized void tick() {
        long now = nanoTime.getAsLong();
        while (nextArrival <= now) {
            // One arrival drawn from the same distributions as the simulator's workload; it runs its
            // true length (max_tokens is only the client's cap, decision 0044).
            Arrival arrival = shape.draw(random, null, now, model);
            engine.send(new Command.Submit(arrival.spec(), arrival.outputTokens())).whenComplete((result, error) -> {
                if (error == null) {
                    submitted.incrementAndGet();
                } else {
                    refused.incrementAndGet();
                }
            });
            nextArrival += (long) (-Math.log(1 - random.nextDouble()) / ratePerSecond * 1e9);
        }
    }

    @Override
    public synchronized void close() {
        if (ticking != null) {
            ticking.cancel(false);
        }
    }
}
