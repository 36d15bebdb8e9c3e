package io.queuedeck.engine.exec.sim;

import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.exec.ExecutorContext;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * GPU instances simulated on the engine clock, with continuous batching.
 *
 * <p>Each instance runs steps. A step prefills the tasks that joined since the last step
 * (prompt plus any tokens generated before a preemption: vLLM's recompute mode) and then runs
 * one decode pass over the whole batch, so every task in the batch gains one token per step.
 * Its duration is {@code prefill(joining tokens) + decode(batch size)}, times the instance's
 * slowdown. Tasks join and leave only at step boundaries: a task dispatched mid-step waits for
 * the next one. A task whose metadata has {@code poison=true} fails at its first step on every
 * attempt (a fault drill). A task reserves KV cache for its prompt plus its whole output when it joins
 * (no mid-run memory preemption), and releases it when it leaves.
 *
 * <p>Faults for drills: a crash, a slowdown, going offline, a hang (steps stop; nothing fails
 * until a restart), a KV cache cut to a fraction (running tasks that no longer fit are handed
 * back and recompute their context later) and out-of-memory failures on prompts above a size.
 */
public final class SimulatedGpuExecutor implements SimulatedGpus {
    private final List<Instance> instances = new ArrayList<>();
    private ExecutorContext context;
    private long kvPreemptions;
    private long recomputedTokens;
    private final TokenGaps gaps = new TokenGaps();

    /** {@code count} identical instances serving {@code model}. */
    public SimulatedGpuExecutor(int count, String model, GpuProfile profile) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one instance is needed, got " + count);
        }
        for (int i = 0; i < count; i++) {
            instances.add(new Instance(i, model, profile));
        }
    }

    @Override
    public void bind(ExecutorContext context) {
        if (this.context != null) {
            throw new IllegalStateException("executor is already bound to an engine");
        }
        this.context = context;
    }

    @Override
    public int instanceCount() {
        return instances.size();
    }

    @Override
    public String model(int instance) {
        return instances.get(instance).model;
    }

    @Override
    public boolean canAccept(int instance, Task task) {
        Instance gpu = instances.get(instance);
        return gpu.takesWork() && gpu.occupancy() < gpu.profile.maxBatch()
                && gpu.kvUsed + reservation(task) <= gpu.kvCapacity();
    }

    @Override
    public boolean canAcceptReplacing(int instance, Task incoming, Task outgoing) {
        Instance gpu = instances.get(instance);
        return gpu.takesWork()
                && gpu.kvUsed - reservation(outgoing) + reservation(incoming) <= gpu.kvCapacity();
    }

    @Override
    public int load(int instance) {
        return instances.get(instance).occupancy();
    }

    @Override
    public Optional<String> admissionError(TaskSpec spec) {
        boolean modelServed = instances.stream().anyMatch(gpu -> gpu.model.equals(spec.model()));
        if (!modelServed) {
            return Optional.of("model '" + spec.model() + "' is not served here; served: "
                    + instances.stream().map(gpu -> gpu.model).distinct().toList());
        }
        long largest = instances.stream().filter(gpu -> gpu.model.equals(spec.model()))
                .mapToLong(gpu -> gpu.profile.kvCapacityTokens()).max().orElse(0);
        long needed = (long) spec.promptTokens() + (spec.maxTokens() == null ? 0 : spec.maxTokens());
        if (needed > largest) {
            return Optional.of("prompt_tokens + max_tokens = " + needed + " exceeds the KV cache of model '"
                    + spec.model() + "' (" + largest + " tokens)");
        }
        return Optional.empty();
    }

    @Override
    public void dispatch(int instance, Task task) {
        Instance gpu = instances.get(instance);
        if (!canAccept(instance, task)) {
            throw new IllegalStateException("instance " + instance + " cannot take " + task.id());
        }
        if (gpu.occupancy() == 0) {
            gpu.progressAt = context.clock().nanos(); // an idle instance has not stalled: its clock starts now
        }
        if (task.generatedTokens() > 0) {
            recomputedTokens += task.contextTokens(); // vLLM's recompute: the whole context is prefilled again
        }
        gpu.kvUsed += reservation(task);
        gpu.joining.add(task);
        task.setInstance(instance);
        gpu.ensureStepping();
    }

    @Override
    public void evict(Task task) {
        Instance gpu = instances.get(task.instance());
        if (!gpu.batch.remove(task) && !gpu.joining.remove(task)) {
            throw new IllegalStateException(task.id() + " is not on instance " + gpu.id);
        }
        gpu.kvUsed -= reservation(task);
    }

    @Override
    public List<InstanceStatus> status() {
        List<InstanceStatus> result = new ArrayList<>(instances.size());
        for (Instance gpu : instances) {
            result.add(new InstanceStatus(gpu.id, gpu.model, gpu.state, gpu.occupancy(), gpu.profile.maxBatch(),
                    gpu.kvUsed, gpu.kvCapacity(), gpu.slowdown, gpu.draining, null));
        }
        return result;
    }

    @Override
    public void crash(int instance) {
        Instance gpu = instances.get(instance);
        if (gpu.state == InstanceState.DOWN || gpu.state == InstanceState.LOADING || gpu.state == InstanceState.OFFLINE) {
            return; // nothing runs there, and an operator's "offline" outlasts a restart
        }
        List<Task> lost = gpu.clear();
        gpu.hung = false; // a restart ends a hang
        gpu.state = InstanceState.DOWN;
        for (Task task : lost) {
            context.failed(task, "instance " + instance + " crashed", true);
        }
        context.instanceChanged(instance);
        // The process restarts at once and reloads its model; only then does it take work again.
        gpu.state = InstanceState.LOADING;
        long generation = gpu.generation;
        context.clock().scheduleAfter(gpu.profile.modelLoadMillis() * 1_000_000L, () -> {
            if (gpu.generation == generation && gpu.state == InstanceState.LOADING) {
                gpu.state = gpu.slowdown == 1.0 ? InstanceState.UP : InstanceState.SLOW;
                context.instanceChanged(instance);
            }
        });
    }

    @Override
    public void slowDown(int instance, double factor) {
        if (!(factor >= 1.0 && factor <= 1000)) {
            throw new IllegalArgumentException("slowdown factor must be between 1 and 1000, got " + factor);
        }
        Instance gpu = instances.get(instance);
        gpu.slowdown = factor;
        if (gpu.state.acceptsWork()) {
            gpu.state = factor == 1.0 ? InstanceState.UP : InstanceState.SLOW;
        }
        context.instanceChanged(instance);
    }

    @Override
    public void setDraining(int instance, boolean draining) {
        instances.get(instance).draining = draining;
        context.instanceChanged(instance);
    }

    @Override
    public void setOnline(int instance, boolean online) {
        Instance gpu = instances.get(instance);
        if (online && gpu.state == InstanceState.OFFLINE) {
            gpu.state = gpu.slowdown == 1.0 ? InstanceState.UP : InstanceState.SLOW;
        } else if (!online && gpu.state != InstanceState.OFFLINE) {
            List<Task> returned = gpu.clear();
            gpu.state = InstanceState.OFFLINE;
            for (Task task : returned) {
                context.handedBack(task);
            }
        }
        context.instanceChanged(instance);
    }

    @Override
    public void hang(int instance, boolean hung) {
        Instance gpu = instances.get(instance);
        if (gpu.hung == hung) {
            return;
        }
        gpu.hung = hung;
        if (!hung && gpu.occupancy() > 0) {
            gpu.progressAt = context.clock().nanos();
            gpu.stepping = false;
            gpu.generation++; // forget the stalled step; a fresh one starts now
            gpu.ensureStepping();
        }
        context.instanceChanged(instance);
    }

    @Override
    public void limitKvCache(int instance, double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("KV cache fraction must be above 0 and at most 1, got " + fraction);
        }
        Instance gpu = instances.get(instance);
        gpu.kvFraction = fraction;
        // The newest arrivals leave first, as vLLM preempts the most recently scheduled sequences.
        while (gpu.kvUsed > gpu.kvCapacity() && gpu.occupancy() > 0) {
            List<Task> from = gpu.joining.isEmpty() ? gpu.batch : gpu.joining;
            Task victim = from.remove(from.size() - 1);
            gpu.kvUsed -= reservation(victim);
            kvPreemptions++;
            context.handedBack(victim);
        }
        context.instanceChanged(instance);
    }

    @Override
    public void failPromptsAbove(int instance, int promptTokens) {
        if (promptTokens < 0) {
            throw new IllegalArgumentException("prompt size must not be negative, got " + promptTokens);
        }
        instances.get(instance).oomAbove = promptTokens;
    }

    @Override
    public long lastProgressNanos(int instance) {
        return instances.get(instance).progressAt;
    }

    /** Tasks handed back because a KV cache cut left no room for them. Loop thread. */
    public long kvPreemptions() {
        return kvPreemptions;
    }

    /** Context tokens prefilled again by tasks that had generated tokens before they were preempted. Loop thread. */
    public long recomputedTokens() {
        return recomputedTokens;
    }

    @Override
    public GpuUsage usage() {
        long busy = 0, sequences = 0, steps = 0;
        for (Instance gpu : instances) {
            busy += gpu.busyNanos;
            sequences += gpu.sequenceNanos;
            steps += gpu.steps;
        }
        return new GpuUsage(busy, sequences, steps, 0, 0, gaps.histogram.copy());
    }

    /**
     * A task whose metadata says {@code poison=true} fails at its first step, every attempt: the
     * fault a client's bad input causes, for drills of retries and the dead-letter queue.
     */
    static boolean isPoison(Task task) {
        Map<String, String> metadata = task.spec().metadata();
        return metadata != null && "true".equals(metadata.get(POISON_KEY));
    }

    /** Metadata key that marks a poison task. */
    public static final String POISON_KEY = "poison";

    private static long reservation(Task task) {
        return (long) task.promptTokens() + task.outputTokens();
    }

    /** One simulated GPU. Loop thread only. */
    private final class Instance {
        final int id;
        final String model;
        final GpuProfile profile;
        final List<Task> batch = new ArrayList<>();
        final List<Task> joining = new ArrayList<>();
        InstanceState state = InstanceState.UP;
        /** An operator's drain: no new work; what runs finishes. */
        boolean draining;
        double slowdown = 1.0;
        long kvUsed;
        long busyNanos;
        long sequenceNanos;
        long steps;
        boolean stepping;
        /** Bumped whenever in-flight timers must be ignored (crash, offline). */
        long generation;
        /** A hang fault: steps stop, nothing fails. */
        boolean hung;
        /** A KV-cache fault: the part of the cache still usable. */
        double kvFraction = 1.0;
        /** An out-of-memory fault: prompts above this many tokens fail; 0 for none. */
        int oomAbove;
        /** Engine-clock time of the last step that finished (or of the first task of an idle spell). */
        long progressAt;
        /** When the step under way is due to end, on the instance's own timeline. */
        long stepEndsAt;

        Instance(int id, String model, GpuProfile profile) {
            this.id = id;
            this.model = model;
            this.profile = profile;
        }

        int occupancy() {
            return batch.size() + joining.size();
        }

        /** Up (or slow) and not draining: new work may come here. */
        boolean takesWork() {
            return state.acceptsWork() && !draining;
        }

        long kvCapacity() {
            return (long) Math.floor(profile.kvCapacityTokens() * kvFraction);
        }

        /** Starts a step now if the instance is idle; tasks dispatched in this same instant join it. */
        void ensureStepping() {
            if (!stepping) {
                stepping = true;
                EngineClock clock = context.clock();
                StepTimeline.at(clock, clock.nanos(), () -> generation, () -> beginStep(clock.nanos()));
            }
        }

        /** @param startsAt when the step starts: now, or the previous step's end when they run back to back */
        void beginStep(long startsAt) {
            if (hung) {
                return; // stalled: 'stepping' stays set, so nothing restarts it but a recovery or a restart
            }
            if (oomAbove > 0) {
                failOversized();
            }
            long prefillTokens = 0;
            for (Task task : joining) {
                prefillTokens += task.contextTokens();
            }
            batch.addAll(joining);
            joining.clear();
            if (batch.isEmpty()) {
                stepping = false;
                return;
            }
            long duration = Math.round((profile.prefillNanos(prefillTokens) + profile.decodeStepNanos(batch.size())) * slowdown);
            stepEndsAt = startsAt + duration;
            StepTimeline.at(context.clock(), stepEndsAt, () -> generation, () -> endStep(duration));
        }

        void endStep(long duration) {
            long now = context.clock().nanos();
            if (hung) {
                return; // the step never completes
            }
            progressAt = now;
            busyNanos += duration;
            sequenceNanos += duration * batch.size();
            steps++;
            List<Task> finished = null;
            List<Task> poisoned = null;
            for (Task task : batch) {
                task.addService(duration);
                if (isPoison(task)) {
                    if (poisoned == null) {
                        poisoned = new ArrayList<>();
                    }
                    poisoned.add(task);
                    continue;
                }
                boolean first = task.firstTokenAt() < 0;
                task.addToken(now);
                context.tokensGenerated(1);
                gaps.token(task, now);
                if (first) {
                    context.firstToken(task);
                }
                if (task.remainingTokens() <= 0) {
                    if (finished == null) {
                        finished = new ArrayList<>();
                    }
                    finished.add(task);
                }
            }
            if (poisoned != null) {
                batch.removeAll(poisoned);
                for (Task task : poisoned) {
                    kvUsed -= reservation(task);
                    context.failed(task, "poison task: the model server fails on this input", true);
                }
            }
            if (finished != null) {
                batch.removeAll(finished);
                for (Task task : finished) {
                    kvUsed -= reservation(task);
                    gaps.forget(task);
                    context.succeeded(task, "simulated completion of " + task.generatedTokens() + " tokens");
                }
            }
            context.stepFinished(id, batch);
            beginStep(StepTimeline.nextStart(stepEndsAt, now));
        }

        /** Joining tasks whose prompt exceeds the out-of-memory threshold fail before they start. */
        void failOversized() {
            List<Task> failing = null;
            for (Task task : joining) {
                if (task.promptTokens() > oomAbove) {
                    if (failing == null) {
                        failing = new ArrayList<>();
                    }
                    failing.add(task);
                }
            }
            if (failing != null) {
                joining.removeAll(failing);
                for (Task task : failing) {
                    kvUsed -= reservation(task);
                    context.failed(task, "out of memory on instance " + id + ": prompt of " + task.promptTokens()
                            + " tokens exceeds " + oomAbove, true);
                }
            }
        }

        List<Task> clear() {
            generation++;
            stepping = false;
            List<Task> tasks = new ArrayList<>(batch);
            tasks.addAll(joining);
            batch.clear();
            joining.clear();
            kvUsed = 0;
            return tasks;
        }
    }
}
