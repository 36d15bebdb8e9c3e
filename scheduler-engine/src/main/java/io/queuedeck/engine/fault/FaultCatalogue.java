package io.queuedeck.engine.fault;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.audit.AuditEntry;
import io.queuedeck.engine.audit.AuditQuery;
import io.queuedeck.engine.callback.CallbackFaults;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.exec.openai.BackendFaults;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.TaskSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/**
 * Injects, lists and clears faults on one engine. Instance faults become the engine's fault
 * commands, load faults submit tasks of their own (metadata {@code fault=<id>}), network faults
 * set a registered {@link TcpFaultProxy}. Every fault is a {@link Command.MarkFault} engine event
 * when it begins and ends, and a line in the engine's log ({@code System.Logger}
 * {@code io.queuedeck.engine.fault}).
 *
 * <p>The kill switch ({@link #disarm}) clears every fault and refuses new ones until
 * {@link #arm re-armed}. Thread-safe: the REST API, the console and timers call it; it sends
 * commands to the loop and waits for their answers, so it must never be called on the loop
 * thread of a live engine.
 */
public final class FaultCatalogue {
    /** Faults in force at once: far above what a drill or an incident needs; each holds timers, a load fault a thread. */
    public static final int MAX_IN_FORCE = 64;

    /** Who the audit trail names when a caller does not say (a drill's own steps). */
    public static final String UNNAMED = "fault-catalogue";

    private static final System.Logger LOG = System.getLogger("io.queuedeck.engine.fault");
    /** Load faults submit in slices of this length. */
    private static final long LOAD_TICK_NANOS = 100_000_000L;

    private final Engine engine;
    private final FaultClock clock;
    private final DoubleSupplier baseRate;
    private final Map<String, TcpFaultProxy> proxies = new ConcurrentHashMap<>();
    private volatile FaultyStore store;
    private volatile BackendFaults backends;
    private volatile CallbackFaults callbacks;
    private final Map<String, Running> active = new LinkedHashMap<>();
    /** What the instance faults in force hold each instance to; the lock's. */
    private final InstanceHolds holds = new InstanceHolds();
    private final AtomicLong loadSubmitted = new AtomicLong();
    private final AtomicLong loadRefused = new AtomicLong();
    private long nextId = 1;
    private static final String DISARM = "faults.disarm", ARM = "faults.arm";
    /** Volatile so that {@link #armed} never waits for the lock an injection holds. */
    private volatile boolean armed = true;

    /**
     * A fault in force and how to undo it; {@code heldDown}: the instances a crash with a duration
     * still keeps offline (an operator who brings one online, or takes it offline, takes it over).
     */
    private record Running(ActiveFault fault, List<Runnable> undo, Set<Integer> heldDown) {}

    /**
     * @param baseRate the workload's arrival rate in tasks/s, for {@code burst factor=N}; 0 when unknown
     */
    public FaultCatalogue(Engine engine, FaultClock clock, DoubleSupplier baseRate) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.baseRate = Objects.requireNonNull(baseRate, "baseRate");
        // a kill switch pulled before a restart stays pulled: the audit trail, kept with the tasks, says so
        List<AuditEntry> last = engine.audit().find(new AuditQuery(null, null, "faults", null, null, 0, 16)).entries().stream()
                .filter(e -> e.action().equals(DISARM) || e.action().equals(ARM)).limit(1).toList();
        if (!last.isEmpty() && last.getFirst().action().equals(DISARM)) {
            armed = false;
            LOG.log(System.Logger.Level.WARNING, "fault injection starts disarmed: the kill switch was pulled at {0} by {1}"
                    + " and not re-armed (POST /v1/faults:arm, or Re-arm on the console''s Drills screen)",
                    last.getFirst().at(), last.getFirst().actor());
        }
    }

    /**
     * Waits (up to 2 s) until the kill switch's last change is in the store, so that an answer
     * to it promises that it survives a restart. Not on the FX thread: it may wait for a disk.
     */
    public void awaitKept() {
        engine.audit().awaitWritten(2_000_000_000L);
    }

    /** Puts {@code proxy} in front of {@code backend}'s connection, for {@link FaultKind#NETWORK} faults. */
    public void registerProxy(String backend, TcpFaultProxy proxy) {
        proxies.put(backend, proxy);
    }

    /** The real backends' HTTP fault hooks, for {@link FaultKind#HTTP} faults. */
    public void registerBackends(BackendFaults value) {
        backends = Objects.requireNonNull(value, "backends");
    }

    /** The callback dispatcher's receiver faults, for the {@code callback_*} faults. */
    public void registerCallbacks(CallbackFaults value) {
        callbacks = Objects.requireNonNull(value, "callbacks");
    }

    /** The engine's store, for {@link FaultKind#STORE_FULL} faults. */
    public void registerStore(FaultyStore value) {
        store = Objects.requireNonNull(value, "store");
    }

    /**
     * Injects {@code spec}.
     *
     * @throws IllegalArgumentException when its target does not exist here (field-precise)
     * @throws IllegalStateException    when the kill switch has disarmed injection
     */
    public synchronized ActiveFault inject(FaultSpec spec) {
        return inject(spec, UNNAMED);
    }

    /** As {@link #inject(FaultSpec)}, recorded in the audit trail as done by {@code actor}. */
    public synchronized ActiveFault inject(FaultSpec spec, String actor) {
        if (!armed) {
            throw new IllegalStateException("fault injection is disarmed by the kill switch; re-arm it first");
        }
        if (active.size() >= MAX_IN_FORCE) { // here, under the lock: a count checked before it let 69 in at once
            throw new TooManyFaultsException("at most " + MAX_IN_FORCE + " faults may be in force at once;"
                    + " clear some first (DELETE /v1/faults/{id})");
        }
        String id = "f-" + nextId;
        List<Runnable> undo = new ArrayList<>();
        Set<Integer> heldDown = new HashSet<>();
        switch (spec.kind()) {
            case CRASH, HANG, SLOW, FLAP, KV_EXHAUSTION, OOM -> {
                try {
                    for (int instance : instances(spec.radius())) {
                        onInstance(id, spec, instance, undo, heldDown);
                    }
                } catch (java.util.concurrent.CompletionException e) {
                    undo.forEach(Runnable::run);
                    holds.forget(id); // the instance whose command failed took no undo
                    if (e.getCause() instanceof UnsupportedOperationException unsupported) { // it was a 500
                        throw new IllegalArgumentException("kind: " + spec.kind().name().toLowerCase(java.util.Locale.ROOT)
                                + " cannot act here: " + unsupported.getMessage()
                                + " (real backends take http faults, docs/faults.md)");
                    }
                    throw e;
                }
            }
            case BURST, TENANT_FLOOD, POISON, PREEMPTION_STORM -> undo.add(startLoad(id, spec));
            case STORE_FULL -> {
                FaultyStore target = store;
                if (target == null) {
                    throw new IllegalArgumentException("target: this engine's store cannot take faults (it runs without one,"
                            + " or its store was not wrapped)");
                }
                target.setFull(true);
                undo.add(() -> target.setFull(false));
            }
            case HTTP -> {
                BackendFaults hooks = backends;
                if (hooks == null) {
                    throw new IllegalArgumentException("target: this engine has no real backends (HTTP faults need the OpenAI executor)");
                }
                String url = hooks.set(spec.radius().target(), new BackendFaults.HttpFault((int) spec.parameter("status"),
                        (long) spec.parameter("retry_after_s"), spec.parameter("stall") > 0, spec.parameter("fraction")));
                undo.add(() -> hooks.clear(url));
            }
            case CALLBACK_DOWN, CALLBACK_SLOW, CALLBACK_5XX -> {
                CallbackFaults hooks = callbacks;
                if (hooks == null) {
                    throw new IllegalArgumentException("kind: this engine posts no callbacks (it runs without its REST API)");
                }
                hooks.set(id, callbackFault(spec));
                undo.add(() -> hooks.clear(id));
            }
            case NETWORK -> {
                TcpFaultProxy proxy = proxies.get(spec.radius().target());
                if (proxy == null) {
                    throw new IllegalArgumentException("target: no fault proxy stands in front of backend '"
                            + spec.radius().target() + "'; known: " + proxies.keySet());
                }
                proxy.set(TcpFaultProxy.Toxics.of(spec));
                undo.add(() -> proxy.set(TcpFaultProxy.Toxics.NONE));
            }
        }
        nextId++;
        Instant start = engine.clock().toInstant(engine.clock().nanos());
        Instant end = spec.duration() == null ? null : start.plus(spec.duration());
        ActiveFault fault = new ActiveFault(id, spec, start, end, spec.label());
        mark(id, fault.label(), true);
        audit(actor, "fault.inject", id, fault.label());
        LOG.log(System.Logger.Level.INFO, "fault {0} injected: {1}", id, fault.label());
        if (spec.kind() == FaultKind.CRASH && spec.duration() == null) {
            return fault; // a crash is over once it happened: the instance reloads by itself
        }
        active.put(id, new Running(fault, undo, heldDown));
        if (spec.duration() != null) {
            undo.add(clock.after(spec.duration().toNanos(), () -> {
                synchronized (FaultCatalogue.this) { // a timer's thread: the map and the holds are the lock's
                    end(id, "expiry", "fault.expire");
                }
            }));
        }
        return fault;
    }

    /** Ends fault {@code id}; false if no such fault is in force. */
    public synchronized boolean clear(String id) {
        return clear(id, UNNAMED);
    }

    /** As {@link #clear(String)}, done by {@code actor}. */
    public synchronized boolean clear(String id, String actor) {
        return end(id, actor, "fault.clear");
    }

    private boolean end(String id, String actor, String action) {
        Running running = active.remove(id);
        if (running == null) {
            return false;
        }
        for (Runnable step : running.undo()) {
            step.run();
        }
        mark(id, running.fault().label(), false);
        audit(actor, action, id, running.fault().label());
        LOG.log(System.Logger.Level.INFO, "fault {0} cleared: {1}", id, running.fault().label());
        return true;
    }

    /**
     * Marks a fault's start or end. The marker is published whatever the store says: while a
     * store fault acts (or just after it, carried to the next acknowledgement) the command's
     * answer may report the store's failure, which must not keep a fault from being cleared.
     */
    private void mark(String id, String label, boolean active) {
        try {
            engine.send(new Command.MarkFault(id, label, active)).join();
        } catch (java.util.concurrent.CompletionException e) {
            LOG.log(System.Logger.Level.WARNING, "fault {0} marked, but not durably: {1}", id, e.getCause().getMessage());
        }
    }

    private static CallbackFaults.Fault callbackFault(FaultSpec spec) {
        CallbackFaults.Effect effect = switch (spec.kind()) {
            case CALLBACK_DOWN -> CallbackFaults.Effect.DOWN;
            case CALLBACK_SLOW -> CallbackFaults.Effect.SLOW;
            default -> CallbackFaults.Effect.ERROR;
        };
        BlastRadius radius = spec.radius();
        return new CallbackFaults.Fault(effect, radius.scope() == BlastRadius.Scope.TENANT ? radius.target() : null,
                radius.scope() == BlastRadius.Scope.HOST ? radius.target() : null, (long) spec.parameter("latency_ms"),
                (int) spec.parameter("status"));
    }

    /** Every fault's start and end is in the audit trail, whichever way it was injected (API, console, drill). */
    private void audit(String actor, String action, String target, String detail) {
        engine.audit().record(actor, "faults", action, target, 0, detail);
    }

    /** Ends every fault in force; answers how many there were. */
    public synchronized int clearAll() {
        return clearAll(UNNAMED);
    }

    /** As {@link #clearAll()}, done by {@code actor}. */
    public synchronized int clearAll(String actor) {
        List<String> ids = new ArrayList<>(active.keySet());
        ids.forEach(id -> clear(id, actor));
        return ids.size();
    }

    /**
     * An operator has brought {@code instance} online or taken it offline by hand: a crash fault
     * holding it down lets it go, so that fault's end will not undo the operator's choice, and a
     * crash that holds nothing more is over (cleared by {@code actor}). Waits for the engine: call
     * it from a thread that may wait, never the loop's or the FX thread.
     */
    public synchronized void handBack(int instance, String actor) {
        for (Map.Entry<String, Running> entry : List.copyOf(active.entrySet())) {
            Running running = entry.getValue();
            if (running.heldDown().remove(instance) && running.heldDown().isEmpty()) {
                end(entry.getKey(), actor, "fault.clear");
            }
        }
    }

    /** The faults in force, oldest first. */
    public synchronized List<ActiveFault> active() {
        return active.values().stream().map(Running::fault).toList();
    }

    /** The kill switch: clears every fault and refuses new ones until {@link #arm}. */
    public synchronized int disarm() {
        return disarm(UNNAMED);
    }

    /** As {@link #disarm()}, pulled by {@code actor}. */
    public synchronized int disarm(String actor) {
        return disarm(actor, 0);
    }

    /**
     * As {@link #disarm(String)}, where the caller has already undone {@code undoneOutside} faults
     * that are not the catalogue's (the console's GPU buttons act on the GPUs directly): the audit
     * and the log count them too, so every place that reports the kill switch gives one figure.
     * Answers the faults cleared in all.
     */
    public synchronized int disarm(String actor, int undoneOutside) {
        boolean was = armed;
        armed = false;
        int cleared = clearAll(actor) + undoneOutside;
        if (!was && cleared == 0) {
            return 0; // pulled again (a drill's abort after the console's): nothing to say twice
        }
        String outside = undoneOutside > 0 ? " (" + undoneOutside + " of them set by the GPU buttons)" : "";
        audit(actor, DISARM, "node", cleared + " faults cleared" + outside + "; injection refused until re-armed");
        LOG.log(System.Logger.Level.WARNING, "fault injection disarmed by the kill switch; {0} faults cleared{1}", cleared, outside);
        return cleared;
    }

    /** Allows injection again after {@link #disarm}. */
    public synchronized void arm() {
        arm(UNNAMED);
    }

    /** As {@link #arm()}, done by {@code actor}. */
    public synchronized void arm(String actor) {
        if (!armed) {
            audit(actor, ARM, "node", "injection allowed again");
        }
        armed = true;
    }

    public boolean armed() {
        return armed;
    }

    /** Tasks load faults have had accepted, and refused. */
    public long loadSubmitted() {
        return loadSubmitted.get();
    }

    public long loadRefused() {
        return loadRefused.get();
    }

    // ---------------------------------------------------------------- instance faults

    private List<Integer> instances(BlastRadius radius) {
        List<InstanceStatus> all = engine.send(new Command.TakeSnapshot()).join().instances();
        List<Integer> hit = new ArrayList<>();
        for (InstanceStatus status : all) {
            boolean match = switch (radius.scope()) {
                case INSTANCE -> Integer.toString(status.id()).equals(radius.target());
                case BACKEND -> status.model().equals(radius.target());
                default -> true;
            };
            if (match) {
                hit.add(status.id());
            }
        }
        if (hit.isEmpty()) {
            throw new IllegalArgumentException("target: " + radius + " matches no instance; instances are 0.."
                    + (all.size() - 1) + " serving " + all.stream().map(InstanceStatus::model).distinct().toList());
        }
        return hit;
    }

    private void onInstance(String id, FaultSpec spec, int instance, List<Runnable> undo, Set<Integer> heldDown) {
        switch (spec.kind()) {
            case CRASH -> {
                send(new Command.CrashInstance(instance));
                if (spec.duration() != null) { // stays down for the duration, unless an operator takes it over
                    send(new Command.SetInstanceOnline(instance, false));
                    heldDown.add(instance);
                    undo.add(() -> {
                        if (heldDown.remove(instance)) {
                            send(new Command.SetInstanceOnline(instance, true));
                        }
                    });
                }
            }
            // faults of one kind on one instance compose: the worst acts, and one cleared leaves the others acting
            case HANG -> {
                holds.hold(FaultKind.HANG, instance, id, 1);
                send(new Command.HangInstance(instance, true));
                undo.add(() -> send(new Command.HangInstance(instance, holds.release(FaultKind.HANG, instance, id) > 0)));
            }
            case SLOW -> {
                send(new Command.SlowInstance(instance, holds.hold(FaultKind.SLOW, instance, id, spec.parameter("factor"))));
                undo.add(() -> send(new Command.SlowInstance(instance, holds.release(FaultKind.SLOW, instance, id))));
            }
            case KV_EXHAUSTION -> {
                send(new Command.LimitKvCache(instance, holds.hold(FaultKind.KV_EXHAUSTION, instance, id, spec.parameter("fraction"))));
                undo.add(() -> send(new Command.LimitKvCache(instance, holds.release(FaultKind.KV_EXHAUSTION, instance, id))));
            }
            case OOM -> {
                send(new Command.FailPromptsAbove(instance, (int) holds.hold(FaultKind.OOM, instance, id, spec.parameter("prompt_tokens"))));
                undo.add(() -> send(new Command.FailPromptsAbove(instance, (int) holds.release(FaultKind.OOM, instance, id))));
            }
            case FLAP -> {
                Flap flap = new Flap(instance, Math.round(spec.parameter("period_s") * 1e9));
                flap.toggle();
                undo.add(flap::stop);
            }
            default -> throw new IllegalStateException(spec.kind() + " is not an instance fault");
        }
    }

    private void send(Command<Void> command) {
        engine.send(command).join();
    }

    /** Down and up every period, until stopped (then up). */
    private final class Flap {
        private final int instance;
        private final long periodNanos;
        private boolean down;
        private boolean stopped;
        private Runnable pending = () -> {};

        Flap(int instance, long periodNanos) {
            this.instance = instance;
            this.periodNanos = periodNanos;
        }

        void toggle() {
            synchronized (FaultCatalogue.this) {
                if (stopped) {
                    return;
                }
                down = !down;
                send(new Command.SetInstanceOnline(instance, !down));
                pending = clock.after(periodNanos, this::toggle);
            }
        }

        void stop() {
            stopped = true;
            pending.run();
            if (down) {
                send(new Command.SetInstanceOnline(instance, true));
            }
        }
    }

    // ---------------------------------------------------------------- load faults

    private Runnable startLoad(String id, FaultSpec spec) {
        double rate = spec.kind() == FaultKind.BURST && !(spec.parameter("rate") > 0)
                ? (spec.parameter("factor") - 1) * baseRate.getAsDouble() : spec.parameter("rate");
        if (spec.kind() == FaultKind.BURST && !(spec.parameter("rate") > 0) && !(baseRate.getAsDouble() > 0)) {
            throw new IllegalArgumentException("parameters.rate: the base load is not known here, so burst needs a rate in tasks/s");
        }
        if (rate > FaultSpec.MAX_LOAD_RATE) { // a factor of a high base load
            throw new IllegalArgumentException(String.format(Locale.ROOT, "parameters.factor: the burst would add %.0f tasks/s,"
                    + " more than the %.0f a load fault may; give a smaller factor or a rate", rate, FaultSpec.MAX_LOAD_RATE));
        }
        String model = engine.send(new Command.TakeSnapshot()).join().instances().get(0).model();
        int priority = switch (spec.radius().scope()) {
            case TIER -> middleOf(spec.radius().target());
            default -> spec.kind() == FaultKind.PREEMPTION_STORM ? 0 : TaskSpec.DEFAULT_PRIORITY;
        };
        if (spec.kind() == FaultKind.PREEMPTION_STORM) {
            priority = 0;
        }
        String tenant = spec.radius().scope() == BlastRadius.Scope.TENANT ? spec.radius().target() : null;
        Map<String, String> metadata = spec.kind() == FaultKind.POISON
                ? Map.of("fault", id, SimulatedGpuExecutor.POISON_KEY, "true") : Map.of("fault", id);
        long most = spec.duration() == null ? Long.MAX_VALUE : (long) Math.ceil(rate * spec.duration().toNanos() / 1e9 - EPSILON);
        Load load = new Load(id, rate, most, model, priority, tenant, metadata,
                (int) spec.parameter("prompt_tokens"), (int) spec.parameter("output_tokens"));
        load.tick(); // the first slice at once: the load starts when the fault does
        return load::stop;
    }

    /** Rounding slack when a count of tasks is worked out from a rate and a time. */
    private static final double EPSILON = 1e-9;

    /**
     * Submits {@code rate} tasks a second in slices, deterministically (no random draws): the task
     * of each {@code 1/rate} s at the first slice that reaches its start, so 1 task/s for 3 s is 3
     * tasks (counting what the slices owed, in floating point, made it 2), and never more than
     * {@code most}.
     */
    private final class Load {
        private final String id;
        private final double rate;
        private final long most;
        private final String model;
        private final int priority;
        private final String tenant;
        private final Map<String, String> metadata;
        private final int promptTokens;
        private final int outputTokens;
        private long slices;
        private long sent;
        private boolean stopped;
        private volatile boolean refusalLogged;
        private Runnable pending = () -> {};

        Load(String id, double rate, long most, String model, int priority, String tenant, Map<String, String> metadata,
             int promptTokens, int outputTokens) {
            this.id = id;
            this.rate = rate;
            this.most = most;
            this.model = model;
            this.priority = priority;
            this.tenant = tenant;
            this.metadata = metadata;
            this.promptTokens = promptTokens;
            this.outputTokens = Math.max(1, outputTokens);
        }

        void schedule() {
            pending = clock.after(LOAD_TICK_NANOS, this::tick);
        }

        void tick() {
            synchronized (FaultCatalogue.this) {
                if (stopped) {
                    return;
                }
                double elapsedSeconds = slices++ * (LOAD_TICK_NANOS / 1e9);
                long due = Math.min(most, (long) Math.floor(rate * elapsedSeconds + EPSILON) + 1);
                while (sent < due) {
                    String taskId = id + "-" + (++sent);
                    TaskSpec spec = new TaskSpec(taskId, model, "", priority, null, tenant, null, null,
                            outputTokens, promptTokens, metadata);
                    engine.send(new Command.Submit(spec)).whenComplete((ok, error) -> {
                        (error == null ? loadSubmitted : loadRefused).incrementAndGet();
                        if (error != null && !refusalLogged) { // once per fault: a flood of the same line says nothing more
                            refusalLogged = true;
                            Throwable why = error instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : error;
                            LOG.log(System.Logger.Level.WARNING, "load fault {0}: the engine refuses its tasks ({1}); counted in"
                                    + " queuedeck_tasks_rejected_total", id, why.getMessage());
                        }
                    });
                }
                schedule();
            }
        }

        void stop() {
            stopped = true;
            pending.run();
        }
    }

    /** The ids of the faults in force, for logs. */
    @Override
    public synchronized String toString() {
        return "FaultCatalogue" + active.keySet() + (armed ? "" : " (disarmed)");
    }

    /** A priority in the middle of the named tier's band in the engine's table (core 1, normal 5, batch 8 by default). */
    private int middleOf(String tierName) {
        io.queuedeck.engine.tier.Tier tier = engine.tiers().named(tierName).orElseThrow(() ->
                new IllegalArgumentException("target: tier '" + tierName + "' is not one of " + engine.tiers().names()));
        if (tier.deadLetter()) { // it holds no band: its middle read as priority 0, so a load into it landed in the most urgent lane
            throw new IllegalArgumentException("target: tier 'dead_letter' holds no priorities, so no load is submitted into it;"
                    + " name one of " + engine.tiers().names());
        }
        return (tier.first() + tier.last() + 1) / 2;
    }
}
