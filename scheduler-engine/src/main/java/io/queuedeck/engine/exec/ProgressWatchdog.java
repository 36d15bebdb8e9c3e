package io.queuedeck.engine.exec;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * Wraps an executor and fails over an instance that has work but has made no progress for
 * {@code timeout}: a hung GPU neither finishes nor fails its tasks, so without a watchdog they
 * would wait for ever. The instance is restarted ({@link Executor#crash}), which fails its tasks
 * back to the scheduler to be retried elsewhere. Progress is what the wrapped executor reports in
 * {@link Executor#lastProgressNanos}; an executor that reports nothing (-1) is never judged.
 *
 * <p>The check runs on the loop thread on the engine clock, every quarter of the timeout, so a
 * hang is caught between one and 1.25 timeouts after the last step.
 */
public final class ProgressWatchdog implements Executor {
    private final Executor inner;
    private final long timeoutNanos;
    private final IntConsumer onFailover;
    private final AtomicLong failovers = new AtomicLong();
    private ExecutorContext context;

    /**
     * @param onFailover told (on the loop thread) which instance was failed over; it must return at once
     */
    public ProgressWatchdog(Executor inner, java.time.Duration timeout, IntConsumer onFailover) {
        this.inner = Objects.requireNonNull(inner, "inner");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("watchdog timeout must be positive, got " + timeout);
        }
        this.timeoutNanos = timeout.toNanos();
        this.onFailover = Objects.requireNonNull(onFailover, "onFailover");
    }

    /** Instances failed over so far. Any thread. */
    public long failovers() {
        return failovers.get();
    }

    @Override
    public void bind(ExecutorContext context) {
        this.context = context;
        inner.bind(context);
        context.clock().scheduleAfter(timeoutNanos / 4, this::check);
    }

    private void check() {
        long now = context.clock().nanos();
        for (int i = 0; i < inner.instanceCount(); i++) {
            long progress = inner.lastProgressNanos(i);
            if (progress >= 0 && inner.load(i) > 0 && now - progress > timeoutNanos
                    && inner.status().get(i).state().acceptsWork()) {
                failovers.incrementAndGet();
                inner.crash(i);
                onFailover.accept(i);
            }
        }
        context.clock().scheduleAfter(timeoutNanos / 4, this::check);
    }

    // ---------------------------------------------------------------- the rest is the wrapped executor's

    @Override
    public int instanceCount() {
        return inner.instanceCount();
    }

    @Override
    public String model(int instance) {
        return inner.model(instance);
    }

    @Override
    public boolean canAccept(int instance, Task task) {
        return inner.canAccept(instance, task);
    }

    @Override
    public boolean canAcceptReplacing(int instance, Task incoming, Task outgoing) {
        return inner.canAcceptReplacing(instance, incoming, outgoing);
    }

    @Override
    public int load(int instance) {
        return inner.load(instance);
    }

    @Override
    public Optional<String> admissionError(TaskSpec spec) {
        return inner.admissionError(spec);
    }

    @Override
    public void dispatch(int instance, Task task) {
        inner.dispatch(instance, task);
    }

    @Override
    public void evict(Task task) {
        inner.evict(task);
    }

    @Override
    public List<InstanceStatus> status() {
        return inner.status();
    }

    @Override
    public void crash(int instance) {
        inner.crash(instance);
    }

    @Override
    public void slowDown(int instance, double factor) {
        inner.slowDown(instance, factor);
    }

    @Override
    public void setDraining(int instance, boolean draining) {
        inner.setDraining(instance, draining);
    }

    @Override
    public void setOnline(int instance, boolean online) {
        inner.setOnline(instance, online);
    }

    @Override
    public BackendLoad reportedLoad(int instance) {
        return inner.reportedLoad(instance);
    }

    @Override
    public void hang(int instance, boolean hung) {
        inner.hang(instance, hung);
    }

    @Override
    public void limitKvCache(int instance, double fraction) {
        inner.limitKvCache(instance, fraction);
    }

    @Override
    public void failPromptsAbove(int instance, int promptTokens) {
        inner.failPromptsAbove(instance, promptTokens);
    }

    @Override
    public long lastProgressNanos(int instance) {
        return inner.lastProgressNanos(instance);
    }
}
