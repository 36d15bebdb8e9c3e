package io.queuedeck.engine.loop;

import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.clock.SystemClock;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.store.StoreContents;
import io.queuedeck.engine.store.StoreStats;
import io.queuedeck.engine.store.StoreUnavailableException;
import io.queuedeck.engine.store.StoredTask;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.FlowSettings;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs a {@link SchedulerLoop} and is the only way in: commands are sent here as data and
 * answered with futures. On a {@link SystemClock}, a dedicated thread that drains the
 * command queue (many producers, one consumer) and fires timers, parking when there is nothing
 * to do; on a {@link VirtualClock}, nothing at all: commands run at once on the caller's thread,
 * which drives the clock and so is the loop thread.
 */
public final class LoopDriver {
    private static final System.Logger LOG = System.getLogger(LoopDriver.class.getName());
    /** Longest park, so a missed wake-up (there should be none) costs at most this. */
    private static final long MAX_PARK_NANOS = 50_000_000L;
    /** Commands run between two looks at the timers. */
    private static final int COMMAND_BATCH = 1024;
    /** Commands between two wakes of the store writer within one pass (a power of two). */
    private static final int WAKE_EVERY = 64;

    private final SchedulerLoop loop;
    private final CommandHandler handler;
    private final EngineClock clock;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    /** Executors' reports (completions, freed slots): served before waiting commands. */
    private final ConcurrentLinkedQueue<Runnable> urgent = new ConcurrentLinkedQueue<>();
    private final ThreadFactory threadFactory;
    private final TaskStore store;
    private final StoreWriter writer;
    private volatile Thread thread;
    private volatile boolean sleeping;
    /** When the loop's current pass began (system clock only): how a stuck loop is told from a busy one. */
    private volatile long passBegan;
    private final long stallNanos;
    private volatile boolean stopping;
    private volatile boolean failed;
    private final Consumer<Throwable> onLoopFailure;
    private long loopErrors;

    /**
     * Settings of one loop; the engine builder fills them.
     *
     * @param outbox                 where the final view of every finished task goes
     * @param store                  where queue state is kept, or null for none
     * @param idempotencyWindowNanos how long a finished task answers an identical resubmission (with a store)
     * @param maxQueuedBytes         budget of counted body bytes of active tasks; a submission past it is refused
     * @param onLoopFailure          called (on the dying loop thread) when an {@link Error} ends the loop, or (on
     *                               the watchdog's) when one pass has taken longer than {@code stallNanos}
     * @param stallNanos             how long one pass may take before the loop counts as stuck
     * @param rememberedFinished     finished tasks kept whole in memory for the idempotency window when the
     *                               store can be asked about older ones (decision 0058)
     * @param tenantShares           how much of {@code maxQueuedBytes} one tenant may hold
     */
    public record Settings(EngineClock clock, Executor executor, String policy, PolicyConfig policyConfig,
                           RetryRule retry, EventSink events, CompletionOutbox outbox, int finishedRetention,
                           long snapshotIntervalNanos, Consumer<EngineSnapshot> snapshotSink,
                           ThreadFactory threadFactory, InversionProtocol inversion, TaskStore store,
                           long idempotencyWindowNanos, long maxQueuedBytes, Consumer<Throwable> onLoopFailure,
                           long stallNanos, boolean enforceDeadlines, FlowSettings flow, int rememberedFinished,
                           io.queuedeck.engine.task.TenantByteShares tenantShares) {}

    public LoopDriver(Settings settings) {
        this.clock = settings.clock();
        this.threadFactory = settings.threadFactory();
        this.store = settings.store();
        this.writer = store == null ? null
                : new StoreWriter(store, clock instanceof VirtualClock ? null : settings.threadFactory(), clock::nanos);
        this.onLoopFailure = settings.onLoopFailure();
        this.stallNanos = settings.stallNanos();
        this.loop = new SchedulerLoop(settings, this::executeReport, writer);
        this.handler = new CommandHandler(loop);
    }

    /**
     * Starts the loop: binds the executor, puts {@code recovered} back (before any command runs)
     * and, on the system clock, starts the loop thread.
     */
    public void start(StoreContents recovered) {
        if (writer != null) {
            writer.start();
        }
        Runnable start = () -> {
            loop.start();
            if (store != null) {
                loop.durable.recover(recovered, loop.maxAttempts());
            }
        };
        if (clock instanceof SystemClock) {
            Thread started = threadFactory.newThread(this::runOrFail);
            started.setName("queuedeck-scheduler");
            thread = started;
            passBegan = clock.nanos();
            execute(start);
            started.start();
            Thread.ofPlatform().daemon().name("queuedeck-scheduler-watchdog").start(this::watch);
        } else {
            start.run();
        }
    }

    /**
     * After {@link #join}: writes out what the loop queued for the store, then closes the store.
     * Waits up to {@code millis} for the writer.
     */
    public void closeStore(long millis) throws InterruptedException {
        if (store != null) {
            try {
                writer.stop(millis);
            } finally {
                store.close();
            }
        }
    }

    /** Asks the loop thread to stop after the commands already queued; returns at once. */
    public void stop() {
        stopping = true;
        Thread current = thread;
        if (current != null) {
            LockSupport.unpark(current);
        }
    }

    /** Waits for the loop thread to end; for orderly shutdown, never called from the loop itself. */
    public void join(long millis) throws InterruptedException {
        Thread current = thread;
        if (current != null && current != Thread.currentThread()) {
            current.join(millis);
        }
    }

    /** Runs {@code command} on the loop thread. Never blocks the caller. */
    private void execute(Runnable command) {
        if (clock instanceof VirtualClock) {
            command.run();
            return;
        }
        commands.offer(command);
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Runs an executor's report on the loop thread ahead of commands still waiting: a completion
     * frees a GPU slot, and must not queue behind a burst of submissions.
     */
    void executeReport(Runnable report) {
        if (clock instanceof VirtualClock) {
            report.run();
            return;
        }
        urgent.offer(report);
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Runs {@code command} on the loop thread; the future completes with its answer or with the
     * exception that refused it. On a virtual clock it is complete when this returns.
     */
    public <R> CompletableFuture<R> send(Command<R> command) {
        CompletableFuture<R> answer = new CompletableFuture<>();
        if (stopping) {
            answer.completeExceptionally(new IllegalStateException(failed ? "the scheduler loop has died" : "the engine is stopped"));
            return answer;
        }
        if (clock instanceof VirtualClock) {
            answer(command, answer); // the caller drives the clock: it is the loop thread
        } else {
            execute(() -> answer(command, answer));
        }
        return answer;
    }

    private <R> void answer(Command<R> command, CompletableFuture<R> answer) {
        answer(command, answer, () -> handler.handle(command));
    }

    @SuppressWarnings("unchecked") // the handler answers each command with the type the command names
    private <R> void answer(Command<R> command, CompletableFuture<R> answer, Supplier<Object> handle) {
        R result;
        try {
            Object handled = handle.get();
            if (handled instanceof Sliced sliced) {
                runInSlices(sliced, (CompletableFuture<Object>) answer);
                return;
            }
            if (handled instanceof StoreLookup lookup) {
                lookUp(command, lookup, answer);
                return;
            }
            result = (R) handled;
        } catch (RuntimeException e) {
            answer.completeExceptionally(e); // refused: nothing changed, nothing to make durable
            return;
        }
        if (writer != null && command instanceof Command.Change<R>) {
            // acknowledged only once what the change wrote is durable; the loop goes on meanwhile
            writer.afterDurable(failure -> {
                if (failure == null) {
                    answer.complete(result);
                } else {
                    if (result instanceof io.queuedeck.engine.task.SubmitResult submitted && submitted.created()) {
                        writer.refuse(submitted.task().id(), submitted.task().sequence()); // answered "not accepted": never stored later either
                    }
                    answer.completeExceptionally(new StoreUnavailableException(failure));
                }
            });
        } else {
            answer.complete(result);
        }
    }

    /**
     * Reads the finished task's record on the store writer's thread (after the writes queued before
     * it), then answers the command on the loop with it; the loop goes on meanwhile. A failed read
     * answers {@link StoreUnavailableException}, and the command changed nothing.
     */
    private <R> void lookUp(Command<R> command, StoreLookup lookup, CompletableFuture<R> answer) {
        Instant asOf = clock.toInstant(clock.nanos()); // on the loop: the resumed step checks the expiry again
        writer.withStore(taskStore -> {
            StoredTask found;
            try {
                found = taskStore.findFinished(lookup.taskId(), asOf);
            } catch (RuntimeException e) {
                answer.completeExceptionally(new StoreUnavailableException(e));
                return;
            }
            if (stopping) { // the loop may have ended: nothing would run the rest of the command
                answer.completeExceptionally(new IllegalStateException(failed ? "the scheduler loop has died" : "the engine is stopped"));
                return;
            }
            execute(() -> answer(command, answer, () -> {
                Object resumed = lookup.resume().apply(found);
                if (resumed instanceof StoreLookup) {
                    throw new IllegalStateException("a command resumed from the store asked the store again");
                }
                return resumed;
            }));
        });
    }

    /** Finished tasks the loop keeps whole in memory for the idempotency window; any thread. */
    public int rememberedFinished() {
        return loop.durable.rememberedCount();
    }

    /**
     * The completion feed has handed these finished tasks on, and what its listeners keep of them
     * is durable: with a store, a restart will not hand them on again. Any thread; never blocks.
     */
    public void handedOn(List<TaskView> views) {
        loop.durable.handedOn(views);
    }

    /** One slice of the read now; the next behind the commands sent meanwhile (at once on a virtual clock). */
    private void runInSlices(Sliced sliced, CompletableFuture<Object> answer) {
        try {
            boolean done = sliced.step();
            while (!done && clock instanceof VirtualClock) {
                done = sliced.step();
            }
            if (done) {
                answer.complete(sliced.result(clock.nanos()));
            } else {
                execute(() -> runInSlices(sliced, answer));
            }
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
    }

    /** Counts a submission refused before it reached the loop (invalid fields). */
    public void countRejected() {
        execute(loop.commands::countRejected);
    }

    /**
     * True while the loop can answer: on a system clock, its thread has started and no
     * {@link Error} has ended it (an orderly stop also ends it).
     */
    public boolean alive() {
        if (clock instanceof VirtualClock) {
            return !failed;
        }
        Thread current = thread;
        return !failed && current != null && current.isAlive() && !stopping;
    }

    /** The task store's writer's figures; empty without a store. Any thread. */
    public Optional<StoreStats> storeStats() {
        return writer == null ? Optional.empty() : Optional.of(writer.stats());
    }

    /** Whether the store's last write failed (a full disk): true until one succeeds again. */
    public boolean storeFailing() {
        return writer != null && writer.failing();
    }

    /** See {@code Engine.countInByteBudget}. */
    public void countInByteBudget(java.util.function.LongSupplier heldBytes,
                                  java.util.function.ToLongFunction<String> heldByTenant) {
        loop.heldElsewhere = java.util.Objects.requireNonNull(heldBytes, "heldBytes");
        loop.heldElsewhereBy = java.util.Objects.requireNonNull(heldByTenant, "heldByTenant");
    }

    /** Body bytes the active tasks count against the budget, as of the loop's last change; any thread. */
    public long queuedBodyBytes() {
        return loop.tasks.publishedBodyBytes().get();
    }

    /**
     * An {@link Error} (out of memory, a stack overflow) leaves the queue state in doubt and the
     * loop gone: nothing would answer again. Say so, refuse new commands, and hand over to the
     * owner, whose default ends the process so a supervisor restarts it.
     */
    private void runOrFail() {
        try {
            runLive();
        } catch (Error e) {
            failed = true;
            stopping = true;
            try {
                LOG.log(System.Logger.Level.ERROR, "scheduler loop died", e);
            } finally {
                onLoopFailure.accept(e);
            }
        }
    }

    private void runLive() {
        SystemClock systemClock = (SystemClock) clock;
        while (!stopping) {
            passBegan = clock.nanos();
            drain(urgent);
            // A bounded batch of commands, so a flood of submissions cannot hold back timers (GPU
            // steps) or executor reports; reports jump the queue between any two commands.
            Runnable command;
            for (int i = 0; i < COMMAND_BATCH && (command = commands.poll()) != null; i++) {
                runGuarded(command);
                if (!urgent.isEmpty()) {
                    drain(urgent);
                }
                if (writer != null && (i & (WAKE_EVERY - 1)) == WAKE_EVERY - 1) {
                    writer.wake(); // a long pass does not hold back the first writes of a burst
                }
            }
            long next;
            try {
                next = systemClock.fireDue();
            } catch (RuntimeException e) {
                logLoopError(e);
                continue;
            }
            if (writer != null) {
                writer.wake(); // once for everything this pass queued for the store
            }
            sleeping = true;
            if (commands.isEmpty() && urgent.isEmpty() && !stopping) {
                long wait = next == Long.MAX_VALUE ? MAX_PARK_NANOS : next - clock.nanos();
                if (wait > 0) {
                    LockSupport.parkNanos(this, Math.min(wait, MAX_PARK_NANOS));
                }
            }
            sleeping = false;
        }
        drain(urgent);
        drain(commands);
        if (writer != null) {
            writer.wake();
        }
    }

    /**
     * Watches the loop thread: a pass that has run longer than {@link #stallNanos} (a command that
     * never returns, a policy that spins) leaves every command unanswered and the queue still, with
     * the process alive and /healthz green. Then it is treated as a dead loop: no longer alive,
     * logged with where it is stuck, and handed to the failure handler, whose default ends the
     * process so that a supervisor restarts it and the store brings the queue back.
     */
    private void watch() {
        long checkEvery = Math.max(1_000_000L, Math.min(stallNanos / 10, 1_000_000_000L));
        while (!stopping && !failed) {
            LockSupport.parkNanos(this, checkEvery);
            long ran = clock.nanos() - passBegan;
            Thread current = thread;
            if (!sleeping && !stopping && !failed && ran > stallNanos && current != null && current.isAlive()) {
                StringBuilder where = new StringBuilder();
                for (StackTraceElement frame : current.getStackTrace()) {
                    where.append("\n\tat ").append(frame);
                }
                IllegalStateException stuck = new IllegalStateException("the scheduler loop has been in one pass for "
                        + ran / 1_000_000 + " ms (more than " + stallNanos / 1_000_000 + " ms): it is stuck" + where);
                failed = true;
                stopping = true;
                try {
                    LOG.log(System.Logger.Level.ERROR, "scheduler loop stuck", stuck);
                } finally {
                    onLoopFailure.accept(stuck);
                }
                return;
            }
        }
    }

    private void drain(ConcurrentLinkedQueue<Runnable> queue) {
        Runnable command;
        while ((command = queue.poll()) != null) {
            runGuarded(command);
        }
    }

    private void runGuarded(Runnable command) {
        try {
            command.run();
        } catch (RuntimeException e) {
            logLoopError(e);
        }
    }

    private void logLoopError(RuntimeException e) {
        // A bug in a timer or fire-and-forget command must not kill the only thread that schedules.
        loopErrors++;
        LOG.log(System.Logger.Level.ERROR, "scheduler loop error #" + loopErrors, e);
    }
}
