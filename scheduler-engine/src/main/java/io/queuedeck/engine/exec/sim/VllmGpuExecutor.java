package io.queuedeck.engine.exec.sim;

import io.queuedeck.engine.exec.ExecutorContext;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * GPU instances simulated on the engine clock with vLLM V1's step model ({@link VllmProfile}).
 *
 * <p>A task handed to an instance is admitted there (vLLM's running set) when fewer than
 * {@code max_num_seqs} run and the free KV blocks, less those promised to prompts not yet
 * prefilled, hold its context. Every step then:
 * <ol>
 *   <li>orders the admitted tasks: by the scheduling policy ({@link VllmProfile.ChunkOrder#POLICY},
 *       through {@link ExecutorContext#compareUrgency}) or by admission (vLLM's own order);</li>
 *   <li>gives each decoding task one token of the {@code max_num_batched_tokens} budget and the
 *       KV block it needs; when none is free, the last task in that order that is not yet
 *       scheduled is preempted (its blocks freed, its tokens kept: it recomputes them when it runs
 *       again, as vLLM V1 does) until one is;</li>
 *   <li>hands the rest of the budget out as prefill chunks in the same order (whole prompts only,
 *       without chunked prefill), as far as free blocks allow;</li>
 *   <li>lasts {@code linear(tokens) + Σ attention + CPU overhead} ({@link StepCost}) times the
 *       instance's slowdown. A task whose prefill completes in the step, and every decoding task,
 *       gains a token at its end.</li>
 * </ol>
 * With an urgent class ({@link VllmProfile#urgentPriority()}, decision 0056), a task of that
 * class goes to the instance where its first chunk is expected soonest, preempting (recompute)
 * the least urgent tasks there when it would not fit otherwise, and while an urgent prompt is
 * prefilled on an instance the other tasks' chunks there are capped
 * ({@link VllmProfile#bulkChunkTokens()}).
 * A task whose metadata has {@code poison=true} fails at its first step, as in
 * {@link SimulatedGpuExecutor}.
 */
public final class VllmGpuExecutor implements SimulatedGpus {
    private final List<VllmInstance> instances = new ArrayList<>();
    private final VllmProfile profile;
    /** Linear time per prompt token in a full step, for the urgent class's router. */
    private final double nanosPerPrefillToken;
    private final TokenGaps gaps = new TokenGaps();
    private ExecutorContext context;
    private long admissions;

    /** {@code count} identical instances serving {@code model}. */
    public VllmGpuExecutor(int count, String model, VllmProfile profile) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one instance is needed, got " + count);
        }
        this.profile = profile;
        int budget = profile.maxNumBatchedTokens();
        nanosPerPrefillToken = profile.cost().linearMillis(budget) / budget * 1e6;
        for (int i = 0; i < count; i++) {
            instances.add(new VllmInstance(i, model, profile, gaps));
        }
    }

    @Override
    public void bind(ExecutorContext context) {
        if (this.context != null) {
            throw new IllegalStateException("executor is already bound to an engine");
        }
        this.context = context;
        for (VllmInstance gpu : instances) {
            gpu.bind(context);
        }
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
        VllmInstance gpu = instances.get(instance);
        if (profile.urgent(task.priority())) {
            return placeUrgent(task) == gpu;
        }
        return gpu.fits(task);
    }

    /**
     * Where a task of the urgent class goes (a router of its own, decision 0056): among the
     * instances where it fits, or where preempting less urgent tasks makes room, the one where its
     * first chunk is expected soonest (the rest of the step under way, plus the urgent prompt
     * tokens admitted there and not yet prefilled at a full step's speed); on a tie, the one with
     * fewer tokens to recompute (none at all first), then the lowest id. Null when none can.
     */
    private VllmInstance placeUrgent(Task task) {
        VllmInstance best = null;
        long bestCost = Long.MAX_VALUE;
        long bestWait = Long.MAX_VALUE;
        long now = context.clock().nanos();
        for (VllmInstance gpu : instances) {
            if (!gpu.takesWork() || !gpu.model.equals(task.model())) {
                continue;
            }
            long cost = 0;
            if (!gpu.fits(task)) {
                List<Seq> victims = gpu.victimsFor(task);
                if (victims == null) {
                    continue;
                }
                cost = 1; // preempting anything is worse than preempting nothing
                for (Seq victim : victims) {
                    cost += victim.computed;
                }
            }
            // the router's estimate of the wait for a first chunk: the step under way, then the
            // urgent prompts ahead of it at full-budget speed
            long wait = (gpu.stepping ? Math.max(0, gpu.stepEndsAt - now) : 0)
                    + Math.round(gpu.urgentBacklog() * nanosPerPrefillToken);
            if (wait < bestWait || wait == bestWait && cost < bestCost) {
                best = gpu;
                bestWait = wait;
                bestCost = cost;
            }
        }
        return best;
    }

    @Override
    public boolean canAcceptReplacing(int instance, Task incoming, Task outgoing) {
        VllmInstance gpu = instances.get(instance);
        Seq out = gpu.seqs.get(outgoing);
        long freed = out == null ? 0 : out.blocks + out.promised;
        return gpu.takesWork()
                && gpu.usedBlocks + gpu.promisedBlocks - freed + gpu.blocksFor(incoming.contextTokens()) <= profile.kvBlocks();
    }

    @Override
    public int load(int instance) {
        return instances.get(instance).running.size();
    }

    @Override
    public Optional<String> admissionError(TaskSpec spec) {
        boolean modelServed = instances.stream().anyMatch(gpu -> gpu.model.equals(spec.model()));
        if (!modelServed) {
            return Optional.of("model '" + spec.model() + "' is not served here; served: "
                    + instances.stream().map(gpu -> gpu.model).distinct().toList());
        }
        long needed = (long) spec.promptTokens() + (spec.maxTokens() == null ? 0 : spec.maxTokens());
        if (needed > profile.kvCapacityTokens()) {
            return Optional.of("prompt_tokens + max_tokens = " + needed + " exceeds the KV cache of model '"
                    + spec.model() + "' (" + profile.kvCapacityTokens() + " tokens)");
        }
        return Optional.empty();
    }

    @Override
    public void dispatch(int instance, Task task) {
        VllmInstance gpu = instances.get(instance);
        List<Seq> victims = List.of();
        if (!gpu.fits(task)) { // the loop may also place a task where it fits (a swap, an eviction)
            if (!profile.urgent(task.priority()) || placeUrgent(task) != gpu) {
                throw new IllegalStateException("instance " + instance + " cannot take " + task.id());
            }
            victims = gpu.victimsFor(task);
            for (Seq victim : victims) { // as a full cache does (recompute), but before the urgent task is admitted
                gpu.remove(victim);
                gpu.reported.remove(victim.task); // the loop may be choosing a victim of its own from that list
                gpu.memoryPreemptions++;
                gpu.recomputedTokens += victim.computed;
                victim.computed = 0;
            }
        }
        Seq seq = new Seq(task, admissions++);
        seq.lastTokenAt = gaps.resume(task);
        seq.promised = gpu.blocksFor(task.contextTokens());
        gpu.promisedBlocks += seq.promised;
        gpu.running.add(seq);
        gpu.seqs.put(task, seq);
        task.setInstance(instance);
        gpu.ensureStepping();
        for (Seq victim : victims) {
            context.handedBack(victim.task); // last: the instance's state already holds the urgent task
        }
    }

    @Override
    public void evict(Task task) {
        VllmInstance gpu = instances.get(task.instance());
        Seq seq = gpu.seqs.get(task);
        if (seq == null) {
            throw new IllegalStateException(task.id() + " is not on instance " + gpu.id);
        }
        gpu.recomputedTokens += seq.computed;
        gpu.remove(seq);
        gpu.reported.remove(task); // the loop picks its next victim from the list it was given
    }

    @Override
    public List<InstanceStatus> status() {
        List<InstanceStatus> result = new ArrayList<>(instances.size());
        for (VllmInstance gpu : instances) {
            result.add(new InstanceStatus(gpu.id, gpu.model, gpu.state, gpu.running.size(), profile.maxNumSeqs(),
                    gpu.usedBlocks * profile.cost().blockSize(), profile.kvCapacityTokens(), gpu.slowdown, gpu.draining, null));
        }
        return result;
    }

    @Override
    public void crash(int instance) {
        VllmInstance gpu = instances.get(instance);
        if (gpu.state == InstanceState.DOWN || gpu.state == InstanceState.LOADING || gpu.state == InstanceState.OFFLINE) {
            return; // nothing runs there, and an operator's "offline" outlasts a restart
        }
        List<Task> lost = gpu.clear();
        gpu.state = InstanceState.DOWN;
        for (Task task : lost) {
            context.failed(task, "instance " + instance + " crashed", true);
        }
        context.instanceChanged(instance);
        gpu.state = InstanceState.LOADING;
        long generation = gpu.generation;
        context.clock().scheduleAfter(profile.cost().modelLoadMillis() * 1_000_000L, () -> {
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
        VllmInstance gpu = instances.get(instance);
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
        VllmInstance gpu = instances.get(instance);
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
    public GpuUsage usage() {
        long busy = 0, sequences = 0, steps = 0, memoryPreemptions = 0, recomputedTokens = 0;
        for (VllmInstance gpu : instances) {
            busy += gpu.busyNanos;
            sequences += gpu.sequenceNanos;
            steps += gpu.steps;
            memoryPreemptions += gpu.memoryPreemptions;
            recomputedTokens += gpu.recomputedTokens;
        }
        return new GpuUsage(busy, sequences, steps, memoryPreemptions, recomputedTokens, gaps.histogram.copy());
    }
}
