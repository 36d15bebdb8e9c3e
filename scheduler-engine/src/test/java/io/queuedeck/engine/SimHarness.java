package io.queuedeck.engine;

import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.GpuModel;
import io.queuedeck.engine.exec.sim.SimulatedGpus;
import io.queuedeck.engine.outbox.CompletionOutbox;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.snapshot.EngineEvent.TaskTransitioned;
import io.queuedeck.engine.snapshot.EngineEvent;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.util.ArrayList;
import java.util.List;

/**
 * An engine on a virtual clock with simulated GPUs, for tests. Every engine command runs
 * synchronously on the test thread, so the futures it returns are already complete; events are
 * drained into {@link #events()} after every call that may publish some.
 */
public final class SimHarness implements AutoCloseable {
    /** The model the simulated instances serve. */
    public static final String MODEL = Engine.Builder.DEFAULT_MODEL;
    /** Default profile with one sequence per batch: tasks run strictly one at a time. */
    public static final GpuProfile ONE_AT_A_TIME = GpuProfile.LLAMA2_7B_H100.withMaxBatch(1);

    private final VirtualClock clock = new VirtualClock();
    private final Engine engine;
    private final EventSubscription subscription;
    private final List<EngineEvent> events = new ArrayList<>();
    private final CompletionOutbox outbox;
    private final List<TaskView> completions = new ArrayList<>();
    private final GpuModel profile;
    private final SimulatedGpus executor;

    private SimHarness(String policy, PolicyConfig config, int instances, GpuModel profile) {
        this.profile = profile;
        executor = profile.newExecutor(instances, MODEL);
        engine = Engine.builder()
                .clock(clock)
                .policy(policy)
                .policyConfig(config)
                .executor(executor)
                .enforceDeadlines(false) // policy tests read deadlines as an order: late tasks still run, as in the simulator
                .idSupplier(new java.util.function.Supplier<>() {
                    private int next;

                    @Override
                    public String get() {
                        return "gen-" + next++;
                    }
                })
                .build();
        subscription = engine.subscribe(100_000);
        outbox = engine.completions();
        engine.start();
    }

    /** One instance that runs one task at a time. */
    public static SimHarness oneAtATime(String policy) {
        return new SimHarness(policy, PolicyConfig.empty(), 1, ONE_AT_A_TIME);
    }

    public static SimHarness of(String policy, PolicyConfig config, int instances, GpuModel profile) {
        return new SimHarness(policy, config, instances, profile);
    }

    /** A complete spec with an explicit id, priority and prompt length; max_tokens = {@code outputTokens}. */
    public static TaskSpec spec(String id, int priority, int promptTokens, int outputTokens) {
        return new TaskSpec(id, MODEL, "x", priority, null, null, null, null, outputTokens, promptTokens, null);
    }

    /** Submits a task that generates exactly {@code outputTokens} tokens; returns it as admitted. */
    public TaskView submit(String id, int priority, int promptTokens, int outputTokens) {
        TaskView view = engine.send(new Command.Submit(spec(id, priority, promptTokens, outputTokens), outputTokens)).join().task();
        drain();
        return view;
    }

    /**
     * Submits a full spec (tenant, business class, deadline, metadata...) whose task generates
     * exactly {@code outputTokens} tokens; returns it as admitted.
     */
    public TaskView submit(TaskSpec spec, int outputTokens) {
        TaskView view = engine.send(new Command.Submit(spec, outputTokens)).join().task();
        drain();
        return view;
    }

    public TaskView task(String id) {
        return engine.send(new Command.FindTask(id)).join().orElseThrow(() -> new AssertionError("no task " + id));
    }

    public void pause(boolean pause) {
        engine.send(new Command.PauseDispatch(pause)).join();
        drain();
    }

    /** Fires every timer up to {@code nanos} (absolute virtual time). */
    public void runUntil(long nanos) {
        clock.runUntil(nanos);
        drain();
    }

    /**
     * Fires timers until no task is waiting, running or retrying. Works with policies that tick
     * (MLFQ), where the clock never runs out of timers.
     *
     * @throws AssertionError when tasks are still active once the clock has no timers left or
     *                        after {@code maxEvents} timers: a task is stuck
     */
    public void runUntilAllFinished() {
        long fired = 0;
        while (activeCount() > 0) {
            if (!clock.runNext()) {
                drain();
                throw new AssertionError(activeCount() + " task(s) still active but no timer is left; snapshot: "
                        + engine.send(new Command.TakeSnapshot()).join());
            }
            if (++fired % 4096 == 0) {
                drain();
            }
            if (fired > 5_000_000) {
                throw new AssertionError("tasks still active after 5,000,000 timers");
            }
        }
        drain();
    }

    /** Tasks waiting, running or waiting to retry. */
    public int activeCount() {
        return engine.send(new Command.CountActive()).join();
    }

    /** The final view of every task that reached a final state so far, in order (from the completion outbox). */
    public List<TaskView> completions() {
        drain();
        return completions;
    }

    /** Every event published so far, in order. */
    public List<EngineEvent> events() {
        drain();
        return events;
    }

    /** Ids in the order they first moved to RUNNING. */
    public List<String> dispatchOrder() {
        return events().stream()
                .filter(e -> e instanceof TaskTransitioned t && t.to() == TaskState.RUNNING && t.from() == TaskState.QUEUED)
                .map(e -> ((TaskTransitioned) e).taskId())
                .distinct()
                .toList();
    }

    /** Every move to RUNNING (first dispatches and resumptions), in order. */
    public List<String> runOrder() {
        return events().stream()
                .filter(e -> e instanceof TaskTransitioned t && t.to() == TaskState.RUNNING)
                .map(e -> ((TaskTransitioned) e).taskId())
                .toList();
    }

    public Engine engine() {
        return engine;
    }

    public VirtualClock clock() {
        return clock;
    }

    /** The simple model's profile; fails for other models. */
    public GpuProfile profile() {
        return (GpuProfile) profile;
    }

    /** What the instances have done so far. */
    public io.queuedeck.engine.exec.sim.GpuUsage usage() {
        return executor.usage();
    }

    /** The instances as the executor sees them now: cheaper than a whole snapshot, for checks after every event. */
    public List<io.queuedeck.engine.exec.InstanceStatus> instances() {
        return executor.status();
    }

    public long now() {
        return clock.nanos();
    }

    public EngineSnapshot snapshot() {
        return engine.send(new Command.TakeSnapshot()).join();
    }

    public void drain() {
        while (subscription.drain(Integer.MAX_VALUE, events::add) > 0) {
            // until empty
        }
        outbox.drain(Integer.MAX_VALUE, completions::add);
        if (subscription.dropped() > 0) {
            throw new AssertionError("test subscription dropped " + subscription.dropped() + " events");
        }
    }

    public static long millis(double ms) {
        return Math.round(ms * 1_000_000);
    }

    @Override
    public void close() {
        subscription.close();
        engine.close();
    }
}
