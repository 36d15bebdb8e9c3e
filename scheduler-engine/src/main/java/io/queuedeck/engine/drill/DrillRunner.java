package io.queuedeck.engine.drill;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.EventSubscription;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.drill.DrillResult.LogLine;
import io.queuedeck.engine.drill.DrillResult.Marker;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.exec.ProgressWatchdog;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.fault.ActiveFault;
import io.queuedeck.engine.fault.FaultCatalogue;
import io.queuedeck.engine.fault.FaultClock;
import io.queuedeck.engine.loop.InversionProtocol;
import io.queuedeck.engine.loop.RetryRule;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.policy.PolicyConfig;
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
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Runs a {@link Drill} headless on a simulated cluster on the virtual clock: a 30-minute game day
 * takes seconds, and the same file gives the same run. The workload is the simulator's chat mix
 * at the target's load; the steps are laid out on a timeline after the steady state; every
 * second the runner samples the engine, checks the stop conditions and writes the run log. At
 * the end it stops arrivals, lets every accepted task reach a final state (up to an hour of
 * virtual time) and does the accounting: a task still unfinished then counts as lost.
 */
public final class DrillRunner {
    private static final long SECOND = 1_000_000_000L;
    /** How long, after the drill, accepted tasks have to reach a final state before the unfinished count as lost. */
    private static final long SETTLE_NANOS = 3_600 * SECOND;

    private final Drill drill;
    private final LongConsumer pacer;
    private final Consumer<Control> everySecond;

    /** What a listener may do while a drill runs: pull the kill switch. */
    public interface Control {
        /** Seconds since the start. */
        double second();

        /** Aborts the drill and clears every fault (the kill switch). */
        void abort(String reason);
    }

    /**
     * @param pacer       told the virtual time reached each second (nanos), so a caller can pace the run in real time
     * @param everySecond called every virtual second with the drill's controls
     */
    public DrillRunner(Drill drill, LongConsumer pacer, Consumer<Control> everySecond) {
        this.drill = drill;
        this.pacer = pacer;
        this.everySecond = everySecond;
    }

    public DrillRunner(Drill drill) {
        this(drill, nanos -> {}, control -> {});
    }

    public DrillResult run() {
        return new Run().execute();
    }

    /** One run's state; all on the caller's thread, which drives the virtual clock. */
    private final class Run implements Control, StopChecks.Run {
        final Drill.Target target = drill.target();
        final VirtualClock clock = new VirtualClock();
        final GpuProfile profile = GpuProfile.LLAMA2_7B_H100.withMaxBatch(target.maxBatch());
        final SyntheticWorkload workload = SyntheticWorkload.chat(1, target.seed());
        final double capacity = workload.capacityTasksPerSecond(profile, target.gpus());
        final SplittableRandom random = new SplittableRandom(target.seed());
        final Engine engine;
        final CompletionOutbox outbox;
        final EventSubscription events;
        final FaultCatalogue faults;
        final ProgressWatchdog watchdog;
        final List<TaskView> finished = new ArrayList<>();
        final List<LogLine> log = new ArrayList<>();
        final List<Marker> markers = new ArrayList<>();
        final List<int[]> live = new ArrayList<>(); // per second: queued, running, serving
        final Map<String, String> named = new HashMap<>();
        final StopChecks stops;
        double rate;
        long arrivals;
        long refused;
        boolean arriving = true;
        String abortReason;
        long faultsEnd;

        Run() {
            // pinned: the drills were designed for this model, which has every fault hook (hang, KV cut, OOM)
            Executor gpus = new SimulatedGpuExecutor(target.gpus(), Engine.Builder.DEFAULT_MODEL, profile);
            watchdog = target.watchdog() == null ? null
                    : new ProgressWatchdog(gpus, target.watchdog(), instance -> note("watchdog", "GPU " + instance
                    + " made no progress for " + target.watchdog().toSeconds() + " s: failed over"));
            engine = Engine.builder()
                    .clock(clock)
                    .executor(watchdog == null ? gpus : watchdog)
                    .policy(target.policy())
                    .policyConfig(PolicyConfig.of(target.policyParameters()))
                    .retry(new RetryRule(target.maxAttempts(), RetryRule.DEFAULT.baseNanos(), RetryRule.DEFAULT.capNanos()))
                    .inversionProtocol(InversionProtocol.valueOf(target.inversion().toUpperCase(Locale.ROOT)))
                    .idSupplier(() -> "x-" + (++arrivals))
                    .build();
            outbox = engine.completions();
            events = engine.subscribe(1 << 16);
            faults = new FaultCatalogue(engine, FaultClock.of(clock), () -> rate);
            stops = new StopChecks(drill.stopConditions());
            rate = target.load() * capacity;
        }

        DrillResult execute() {
            engine.start();
            long steady = drill.steadyState().toNanos();
            scheduleArrival();
            long stepsEnd = Math.max(schedule(drill.steps(), steady), faultsEnd);
            long recovery = stepsEnd + drill.recoveryWindow().toNanos();
            long end = recovery + drill.observe().toNanos();
            clock.schedule(steady, () -> log("steady state observed", "", true));
            clock.schedule(stepsEnd, () -> {
                int cleared = faults.clearAll();
                marker("steps done" + (cleared > 0 ? ", " + cleared + " faults cleared" : ""));
            });
            clock.schedule(recovery, () -> log("recovery window over", "", stops.steady(this)));
            for (long t = SECOND; t <= end; t += SECOND) {
                clock.runUntil(t);
                second(t);
            }
            arriving = false;
            faults.clearAll(); // no fault, and no load fault's arrivals, outlives the drill
            long settleBy = clock.nanos() + SETTLE_NANOS;
            while (engine.send(new Command.CountActive()).join() > 0 && clock.nanos() < settleBy && clock.runNext()) {
                outbox.drain(Integer.MAX_VALUE, finished::add);
            }
            outbox.drain(Integer.MAX_VALUE, finished::add);
            drainEvents();
            EngineSnapshot last = engine.send(new Command.TakeSnapshot()).join();
            engine.close();
            DrillResult.Phases phases = new DrillResult.Phases(steady / 1e9, stepsEnd / 1e9, recovery / 1e9, end / 1e9);
            return new Verdict(drill, finished, live, phases, last, refused, abortReason, log, markers,
                    watchdog == null ? 0 : watchdog.failovers()).result();
        }

        // ---------------------------------------------------------------- every second

        private void second(long t) {
            outbox.drain(Integer.MAX_VALUE, finished::add);
            drainEvents();
            EngineSnapshot snapshot = engine.send(new Command.TakeSnapshot()).join();
            int serving = (int) snapshot.instances().stream().filter(i -> i.state().acceptsWork()).count();
            live.add(new int[] {snapshot.queued(), snapshot.running(), serving});
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
                if (event instanceof EngineEvent.FaultMarked mark) {
                    markers.add(new Marker(mark.at() / 1e9, (mark.active() ? "" : "end ") + mark.label()));
                    log(mark.active() ? "inject " + mark.faultId() : "clear " + mark.faultId(), mark.label(), true);
                } else if (event instanceof EngineEvent.InstanceChanged change) {
                    log("GPU " + change.instance(), change.reason() + " (" + change.state().name().toLowerCase(Locale.ROOT) + ")", true);
                }
            });
        }

        @Override
        public double second() {
            return clock.nanos() / 1e9;
        }

        @Override
        public void abort(String reason) {
            if (abortReason != null) {
                return;
            }
            abortReason = reason;
            int cleared = faults.disarm();
            marker("ABORT: " + reason);
            log("abort", reason + "; " + cleared + " faults cleared, injection disarmed", false);
        }

        // ---------------------------------------------------------------- load

        private void scheduleArrival() {
            double now = rate;
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
                Arrival arrival = workload.draw(random, "w-" + (++arrivals), clock.nanos(), Engine.Builder.DEFAULT_MODEL);
                submit(arrival.spec(), arrival.outputTokens());
                scheduleArrival();
            });
        }

        private void submit(TaskSpec spec, int outputTokens) {
            try {
                engine.send(new Command.Submit(spec, outputTokens)).join();
            } catch (CompletionException e) {
                refused++;
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
                        if (i.fault().duration() != null) {
                            faultsEnd = Math.max(faultsEnd, at + i.fault().duration().toNanos());
                        }
                    }
                    case Drill.Step.Clear c -> clock.schedule(at, () -> clear(c.name()));
                    case Drill.Step.Load l -> clock.schedule(at, () -> {
                        if (abortReason == null) {
                            rate = l.load() * capacity;
                            marker("load " + l.load() + "× capacity");
                        }
                    });
                    case Drill.Step.Submit s -> clock.schedule(at, () -> submitBatch(s));
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
                if (step.name() != null) {
                    named.put(step.name(), fault.id());
                }
            } catch (RuntimeException e) {
                log("inject " + step.fault().label(), "refused: " + e.getMessage(), false);
            }
        }

        private void clear(String name) {
            if ("all".equals(name)) {
                faults.clearAll();
            } else if (named.containsKey(name)) {
                faults.clear(named.get(name));
            }
        }

        private void submitBatch(Drill.Step.Submit s) {
            if (abortReason != null) {
                return;
            }
            for (int i = 0; i < s.count(); i++) {
                Map<String, String> metadata = s.resource() == null ? null : Map.of("exclusive_resource", s.resource());
                submit(new TaskSpec("s-" + (++arrivals), Engine.Builder.DEFAULT_MODEL, "", s.priority(), null, null, null,
                        null, s.outputTokens(), s.promptTokens(), metadata), -1);
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
            return now[0] + " waiting, " + now[1] + " running, " + now[2] + " GPUs serving";
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
