package io.queuedeck.engine.drill;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.EventSubscription;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.drill.DrillResult.LogLine;
import io.queuedeck.engine.drill.DrillResult.Marker;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.fault.ActiveFault;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultClock;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.sim.Arrival;
import io.queuedeck.engine.sim.SyntheticWorkload;
import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Runs a {@link Drill}. By default headless on a simulated cluster on the virtual clock: a
 * 30-minute game day takes seconds, and the same file gives the same run. {@link #live} runs it
 * against an engine already running on the real clock (the console's), and {@link #realtime}
 * against a fresh in-process one; both pace the same timeline to the wall clock and count only the
 * drill's own tasks.
 *
 * <p>The workload is the simulator's chat mix at the target's load; the steps are laid out on a
 * timeline after the steady state; every second the runner samples the engine, checks the stop
 * conditions and writes the run log. At the end it stops arrivals, lets every accepted task reach
 * a final state and does the accounting: a task still unfinished then counts as lost.
 */
public final class DrillRunner {
    private static final long SECOND = 1_000_000_000L;
    /** A live run advances its timeline in slices of this length, so arrivals spread over each second. */
    private static final long SLICE = SECOND / 10;
    /** How long, after the drill, accepted tasks have to reach a final state before the unfinished count as lost. */
    private static final long SETTLE_NANOS = 3_600 * SECOND;

    private final Drill drill;
    private final LiveEngine live;
    private final boolean ownEngine;
    private final LongConsumer pacer;
    private final Consumer<DrillControl> everySecond;
    /** An abort asked for from another thread (the console's kill switch); read by the run every slice. */
    private volatile String abortRequest;
    /** Set when the engine is about to stop: a live run reports at once, without waiting for its tasks to settle. */
    private volatile boolean noSettling;

    /**
     * @param pacer       told the virtual time reached each second (nanos), so a caller can pace the run in real time
     * @param everySecond called every virtual second with the drill's controls
     */
    public DrillRunner(Drill drill, LongConsumer pacer, Consumer<DrillControl> everySecond) {
        this(drill, null, false, pacer, everySecond);
    }

    public DrillRunner(Drill drill) {
        this(drill, nanos -> {}, control -> {});
    }

    private DrillRunner(Drill drill, LiveEngine live, boolean ownEngine, LongConsumer pacer, Consumer<DrillControl> everySecond) {
        this.drill = drill;
        this.live = live;
        this.ownEngine = ownEngine;
        this.pacer = pacer;
        this.everySecond = everySecond;
    }

    /**
     * Against "the running engine" on the real clock: the drill's load, steps and faults go to
     * {@code target}; its cluster settings ({@code gpus}, {@code policy}, …) are the engine's own.
     * Takes as long as the drill says, on the calling thread (never an FX or loop thread).
     */
    public static DrillRunner live(Drill drill, LiveEngine target, Consumer<DrillControl> everySecond) {
        return new DrillRunner(drill, target, false, nanos -> {}, everySecond);
    }

    /** A live game day on a fresh in-process engine built from the drill's target, on the real clock. */
    public static DrillRunner realtime(Drill drill, Consumer<DrillControl> everySecond) {
        return new DrillRunner(drill, null, true, nanos -> {}, everySecond);
    }

    /** Asks a running drill to abort (thread-safe): it clears every fault and disarms injection within a slice. */
    public void abort(String reason) {
        abortRequest = reason;
    }

    /**
     * Aborts a live drill whose engine is about to stop (thread-safe): reported at once, its unfinished tasks
     * as still queued, not after the settle limit, a wait the stopping process would cut off unwritten.
     */
    public void abortForStop(String reason) {
        noSettling = true;
        abort(reason);
    }

    public DrillResult run() {
        if (ownEngine) {
            ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("drill-fault-timers").factory());
            List<String> notes = new ArrayList<>();
            SimulatedCluster cluster = new SimulatedCluster(drill.target(), null, null, notes::add);
            cluster.engine.start();
            java.util.Optional.ofNullable(cluster.awaitServing()).ifPresent(notes::add);
            double[] rate = new double[1];
            FaultCatalogue faults = cluster.catalogue(FaultClock.live(timers, cluster.engine.clock()::nanos), () -> rate[0],
                    notes::add);
            try {
                return new Run(new LiveEngine(cluster.engine, faults), cluster, rate).execute();
            } finally {
                timers.shutdownNow();
                cluster.close();
            }
        }
        return live == null ? new Run().execute() : new Run(live, null, new double[1]).execute();
    }

    /** One run's state; all on the caller's thread, which drives the timeline. */
    private final class Run implements DrillControl, StopChecks.Run {
        final Drill.Target target = drill.target();
        /** The drill's timeline: on the virtual clock also the engine's clock; live, paced to the engine's clock. */
        final VirtualClock clock = new VirtualClock();
        final GpuProfile profile = GpuProfile.LLAMA2_7B_H100.withMaxBatch(target.maxBatch());
        final SyntheticWorkload workload = SyntheticWorkload.chat(1, target.seed());
        final SplittableRandom random = new SplittableRandom(target.seed());
        final boolean isLive;
        final Engine engine;
        final SimulatedCluster cluster;
        final CompletionOutbox outbox;
        final EventSubscription events;
        /** What operators did to the live engine meanwhile, for the run log; drained with the events. */
        private final OperatorActions operators = new OperatorActions();
        final FaultCatalogue faults;
        final LiveTasks owned;
        /** The drill's callbacks when its target has them (virtual clock only); null otherwise. */
        final DrillCallbacks callbacks;
        final long origin;
        final long settleNanos;
        final double capacity;
        final double[] rateCell;
        final List<TaskView> finished = new ArrayList<>();
        final List<LogLine> log = new ArrayList<>();
        final List<Marker> markers = new ArrayList<>();
        final List<Marker> plan = new ArrayList<>();
        final List<String> ownFaults = new ArrayList<>();
        final List<int[]> live = new ArrayList<>(); // per second: queued, running, serving, refused
        final Map<String, String> named = new HashMap<>();
        final StopChecks stops;
        DrillResult.Phases phases;
        long arrivals;
        long refused;
        int refusedThisSecond;
        boolean arriving = true;
        String abortReason;
        /** The faults a step asked for that the catalogue refused, each with why: the hypothesis was not tested against them. */
        final List<String> notInjected = new ArrayList<>();
        long faultsEnd;

        /** On a simulated cluster on the virtual clock. */
        Run() {
            isLive = false;
            rateCell = new double[1];
            cluster = new SimulatedCluster(target, clock, () -> "x-" + (++arrivals), text -> note("watchdog", text));
            engine = cluster.engine;
            outbox = engine.completions();
            events = engine.subscribe(1 << 16);
            faults = cluster.catalogue(FaultClock.of(clock), () -> rateCell[0], text -> note("redis", text));
            owned = null;
            callbacks = target.callbacks() == null ? null : new DrillCallbacks(target.callbacks(), clock, faults);
            origin = 0;
            settleNanos = SETTLE_NANOS;
            capacity = workload.capacityTasksPerSecond(profile, target.gpus());
            stops = new StopChecks(drill);
            rateCell[0] = target.load() * capacity;
        }

        /** Against a running engine on the real clock. */
        Run(LiveEngine target, SimulatedCluster own, double[] rate) {
            isLive = true;
            rateCell = rate;
            cluster = own;
            engine = target.engine();
            outbox = null;
            events = engine.subscribe(1 << 16);
            faults = target.faults();
            callbacks = null; // a live engine posts its own callbacks: target.callbacks is a virtual-clock setting
            origin = engine.clock().nanos();
            owned = new LiveTasks(engine, origin, "drill-" + Long.toString(origin & 0xffffffffL, 36) + "-");
            settleNanos = target.settleLimit().toNanos();
            int gpus = engine.send(new Command.TakeSnapshot()).join().instances().size();
            // real servers: the capacity the drill file states; simulated GPUs: the step model's
            capacity = this.target.backends() != null ? this.target.backends().capacity()
                    : workload.capacityTasksPerSecond(profile, Math.max(1, gpus));
            stops = new StopChecks(drill);
            rate[0] = this.target.load() * capacity;
        }

        DrillResult execute() {
            if (isLive) { // on the console's long-lived engine: the listener goes with the run, however it ends
                operators.watch(engine.audit());
            }
            try {
                return executeTimeline();
            } finally {
                operators.stop();
            }
        }

        private DrillResult executeTimeline() {
            if (!isLive) {
                engine.start();
            }
            long steady = drill.steadyState().toNanos();
            scheduleArrival();
            long stepsEnd = Math.max(schedule(drill.steps(), steady), faultsEnd);
            long recovery = stepsEnd + drill.recoveryWindow().toNanos();
            long end = recovery + drill.observe().toNanos();
            phases = new DrillResult.Phases(steady / 1e9, stepsEnd / 1e9, recovery / 1e9, end / 1e9);
            clock.schedule(steady, () -> log("steady state observed", "", true));
            clock.schedule(stepsEnd, () -> {
                int cleared = clearOwn();
                marker("steps done" + (cleared > 0 ? ", " + cleared + " faults cleared" : ""));
            });
            clock.schedule(recovery, () -> log("recovery window over", "", stops.steady(this)));
            if (isLive) {
                EngineSnapshot now = engine.send(new Command.TakeSnapshot()).join(); // no sample yet at t=0
                log(DrillResult.LIVE_TARGET, "the running engine on the real clock: " + observed(now.queued(), now.running(), serving(now))
                        + "; its own GPUs, policy and retries", true);
            }
            long reached = end;
            for (long t = SECOND; t <= end; t += SECOND) {
                if (isLive) {
                    for (long slice = t - SECOND + SLICE; slice < t; slice += SLICE) {
                        advance(slice);
                    }
                }
                advance(t);
                second(t);
                if (isLive && abortReason != null) {
                    reached = t; // a live drill ends at its abort: nobody waits for the rest of a game day called off
                    break;
                }
            }
            if (reached < end) {
                phases = new DrillResult.Phases(Math.min(phases.during(), reached / 1e9), Math.min(phases.recovery(), reached / 1e9),
                        Math.min(phases.after(), reached / 1e9), reached / 1e9);
            }
            arriving = false;
            clearOwn(); // no fault, and no load fault's arrivals, outlives the drill
            settle();
            drainEvents();
            long stillIn = owned == null ? 0 : owned.finishUnseen(finished);
            EngineSnapshot last = engine.send(new Command.TakeSnapshot()).join();
            DrillCallbacks.Count delivered = callbacks == null ? null : callbacks.count();
            if (callbacks != null) {
                callbacks.close();
            }
            if (!isLive) {
                cluster.close();
            }
            return new Verdict(drill, finished, live, phases, last, refused, abortReason, notInjected, log, markers,
                    cluster == null ? 0 : cluster.failovers(), owned == null ? -1 : owned.acceptedCount(),
                    stillIn, delivered).result();
        }

        /** Runs the timeline up to {@code t}; live, once the engine's clock has reached it. */
        private void advance(long t) {
            if (isLive) {
                long wait;
                while ((wait = origin + t - engine.clock().nanos()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                drainEvents();
            }
            String request = abortRequest;
            if (request != null && abortReason == null) {
                abort(request);
            }
            clock.runUntil(t);
        }

        private void settle() {
            if (isLive) {
                long by = engine.clock().nanos() + settleNanos;
                long nextNote = engine.clock().nanos();
                while (engine.clock().nanos() < by) {
                    drainEvents();
                    if (owned.settled() || noSettling) {
                        break;
                    }
                    long now = engine.clock().nanos();
                    if (now >= nextNote) { // the operator sees why no verdict shows yet, and how long it may take
                        log("settling", owned.unsettled() + " of the drill's tasks not finished yet; waiting up to "
                                + (by - now + SECOND - 1) / SECOND + " s more (then those still queued are reported as unfinished,"
                                + " any the engine no longer knows as lost)", true);
                        everySecond.accept(this);
                        nextNote = now + 10 * SECOND;
                    }
                    LockSupport.parkNanos(SLICE);
                }
                drainEvents();
                return;
            }
            long settleBy = clock.nanos() + settleNanos;
            while (engine.send(new Command.CountActive()).join() > 0 && clock.nanos() < settleBy && clock.runNext()) {
                outbox.drain(Integer.MAX_VALUE, this::finished);
            }
            outbox.drain(Integer.MAX_VALUE, this::finished);
            // callbacks still waiting for a retry get the rest of their schedule; one still pending after it counts as lost
            while (callbacks != null && callbacks.inFlight() > 0 && clock.nanos() < settleBy && clock.runNext()) {
                // each step fires one timer: a retry, or the engine's own
            }
        }

        /** A task reached a final state: kept for the verdict and, with callbacks, posted. */
        private void finished(TaskView view) {
            finished.add(view);
            if (callbacks != null) {
                callbacks.finished(view);
            }
        }

        // ---------------------------------------------------------------- every second

        private void second(long t) {
            if (outbox != null) {
                outbox.drain(Integer.MAX_VALUE, this::finished);
            }
            drainEvents();
            EngineSnapshot snapshot = engine.send(new Command.TakeSnapshot()).join();
            live.add(new int[] {snapshot.queued(), snapshot.running(), serving(snapshot), refusedThisSecond});
            refusedThisSecond = 0;
            if (abortReason == null) {
                String broken = stops.broken(this, snapshot);
                if (broken != null) {
                    abort("stop condition: " + broken);
                }
            }
            everySecond.accept(this);
            pacer.accept(t);
        }

        private void drainEvents() {
            events.drain(Integer.MAX_VALUE, event -> {
                if (owned != null) {
                    owned.onEvent(event, finished);
                }
                if (event instanceof EngineEvent.FaultMarked mark) {
                    double at = (mark.at() - origin) / 1e9;
                    markers.add(new Marker(at, (mark.active() ? "" : "end ") + mark.label()));
                    log(mark.active() ? "inject " + mark.faultId() : "clear " + mark.faultId(), mark.label(), true);
                } else if (event instanceof EngineEvent.InstanceChanged change) {
                    log("GPU " + change.instance(), change.reason() + " (" + change.state().name().toLowerCase(Locale.ROOT) + ")", true);
                }
            });
            operators.drain((action, observed) -> log(action, observed, true));
        }

        @Override
        public double second() {
            return clock.nanos() / 1e9;
        }

        @Override
        public double end() {
            return phases.end();
        }

        @Override
        public void abort(String reason) {
            if (abortReason != null) {
                return;
            }
            abortReason = reason;
            int cleared = faults.disarm(); // none when the caller pulled the kill switch first and says so in the reason
            marker("ABORT: " + reason);
            log("abort", reason + "; " + (cleared > 0 ? cleared + " faults cleared, " : "") + "injection disarmed", false);
        }

        @Override
        public List<Marker> plan() {
            return List.copyOf(plan);
        }

        @Override
        public List<Marker> markers() {
            return List.copyOf(markers);
        }

        @Override
        public List<LogLine> log() {
            return List.copyOf(log);
        }

        @Override
        public List<ProbeLight> lights() {
            long twice = finished.stream().filter(v -> v.state() == io.queuedeck.engine.task.TaskState.SUCCEEDED)
                    .collect(java.util.stream.Collectors.groupingBy(TaskView::id, java.util.stream.Collectors.counting()))
                    .values().stream().filter(n -> n > 1).count();
            return ProbeLight.of(drill, phases, finished, live, clock.nanos(), twice);
        }

        @Override
        public String abortReason() {
            return abortReason;
        }

        // ---------------------------------------------------------------- load

        private void scheduleArrival() {
            double now = rateCell[0];
            if (!arriving) {
                return;
            }
            if (!(now > 0)) {
                clock.scheduleAfter(SECOND, this::scheduleArrival); // look again when the load may have changed
                return;
            }
            long gap = Math.max(1, Math.round(-Math.log(1 - random.nextDouble()) / now * 1e9));
            clock.scheduleAfter(gap, () -> {
                if (!arriving) {
                    return;
                }
                // the drawn task's true length, not its max_tokens: the workload's max_tokens is a
                // client cap (4,000 for every task), and a GPU told nothing generates up to the cap
                ++arrivals;
                String id = owned == null ? "w-" + arrivals : owned.id("w", arrivals);
                Arrival arrival = workload.draw(random, id, engine.clock().nanos(), Engine.Builder.DEFAULT_MODEL);
                submit(withCallback(arrival.spec()), arrival.outputTokens());
                scheduleArrival();
            });
        }

        private TaskSpec withCallback(TaskSpec s) {
            return callbacks == null ? s : new TaskSpec(s.taskId(), s.model(), s.input(), s.priority(), callbacks.url(),
                    s.tenant(), s.businessClass(), s.deadline(), s.maxTokens(), s.promptTokens(), s.metadata());
        }

        private void submit(TaskSpec spec, int outputTokens) {
            try {
                engine.send(new Command.Submit(spec, outputTokens)).join();
                if (owned != null) {
                    owned.accepted(spec.taskId());
                }
            } catch (CompletionException e) {
                refused++;
                refusedThisSecond++;
            }
        }

        // ---------------------------------------------------------------- steps

        /** Lays {@code steps} out from {@code at}; answers when they end. */
        private long schedule(List<Drill.Step> steps, long at) {
            for (Drill.Step step : steps) {
                switch (step) {
                    case Drill.Step.Wait w -> at += w.duration().toNanos();
                    case Drill.Step.Inject i -> {
                        clock.schedule(at, () -> inject(i));
                        plan.add(new Marker(at / 1e9, "inject " + i.fault().label()));
                        if (i.fault().duration() != null) {
                            faultsEnd = Math.max(faultsEnd, at + i.fault().duration().toNanos());
                        }
                    }
                    case Drill.Step.Clear c -> {
                        clock.schedule(at, () -> clear(c.name()));
                        plan.add(new Marker(at / 1e9, "clear " + c.name()));
                    }
                    case Drill.Step.Load l -> {
                        clock.schedule(at, () -> {
                            if (abortReason == null) {
                                rateCell[0] = l.load() * capacity;
                                marker("load " + l.load() + "× capacity");
                            }
                        });
                        plan.add(new Marker(at / 1e9, "load " + l.load() + "×"));
                    }
                    case Drill.Step.Submit s -> {
                        clock.schedule(at, () -> submitBatch(s));
                        plan.add(new Marker(at / 1e9, "submit " + s.count() + " × P" + s.priority()));
                    }
                    case Drill.Step.Parallel p -> {
                        long end = at;
                        for (List<Drill.Step> branch : p.branches()) {
                            end = Math.max(end, schedule(branch, at));
                        }
                        at = end;
                    }
                }
            }
            return at;
        }

        private void inject(Drill.Step.Inject step) {
            if (abortReason != null) {
                return;
            }
            try {
                ActiveFault fault = faults.inject(step.fault());
                ownFaults.add(fault.id());
                if (owned != null) {
                    owned.faultInjected(fault.id());
                }
                if (step.name() != null) {
                    named.put(step.name(), fault.id());
                }
            } catch (RuntimeException e) {
                log("inject " + step.fault().label(), "refused: " + e.getMessage(), false);
                notInjected.add(step.fault().label() + ": " + e.getMessage());
            }
        }

        private void clear(String name) {
            if ("all".equals(name)) {
                clearOwn();
            } else if (named.containsKey(name)) {
                faults.clear(named.get(name));
            }
        }

        /** Clears the faults this drill injected (a live engine's catalogue may hold others'); answers how many. */
        private int clearOwn() {
            int cleared = 0;
            for (String id : ownFaults) {
                if (faults.clear(id)) {
                    cleared++;
                }
            }
            ownFaults.clear();
            return cleared;
        }

        private void submitBatch(Drill.Step.Submit s) {
            if (abortReason != null) {
                return;
            }
            for (int i = 0; i < s.count(); i++) {
                Map<String, String> metadata = s.resource() == null ? null : Map.of("exclusive_resource", s.resource());
                ++arrivals;
                String id = owned == null ? "s-" + arrivals : owned.id("s", arrivals);
                submit(withCallback(new TaskSpec(id, Engine.Builder.DEFAULT_MODEL, "", s.priority(), null, null, null,
                        null, s.outputTokens(), s.promptTokens(), metadata)), -1);
            }
            marker("submit " + s.count() + " × P" + s.priority());
        }

        // ---------------------------------------------------------------- log

        private void marker(String label) {
            markers.add(new Marker(second(), label));
            log(label, "", true);
        }

        void note(String action, String observed) {
            log(action, observed, true);
        }

        private void log(String action, String observed, boolean steady) {
            log.add(new LogLine(second(), action, observed.isEmpty() ? observedNow() : observed, steady));
        }

        private String observedNow() {
            int[] now = live.isEmpty() ? new int[3] : live.getLast();
            return observed(now[0], now[1], now[2]);
        }

        private static String observed(int waiting, int running, int serving) {
            return waiting + " waiting, " + running + " running, " + serving + " GPUs serving";
        }

        private static int serving(EngineSnapshot snapshot) {
            // a draining GPU finishes what it has and takes nothing new: not serving, as the console counts it
            return (int) snapshot.instances().stream().filter(i -> i.state().acceptsWork() && !i.draining()).count();
        }

        @Override
        public List<TaskView> finished() {
            return finished;
        }

        @Override
        public List<int[]> live() {
            return live;
        }
    }
}
