package io.queuedeck.engine.exec.sim;

import io.queuedeck.engine.exec.ExecutorContext;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
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
    private final List<Instance> instances = new ArrayList<>();
    private final VllmProfile profile;
    /** Linear time per prompt token in a full step, for the urgent class's router. */
    private final double nanosPerPrefillToken;
    private final TokenGaps gaps = new TokenGaps();
    private ExecutorContext context;
    private long memoryPreemptions;
    private long recomputedTokens;
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
            instances.add(new Instance(i, model));
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
        if (profile.urgent(task.priority())) {
            return placeUrgent(task) == gpu;
        }
        return fits(gpu, task);
    }

    private boolean fits(Instance gpu, Task task) {
        return gpu.state.acceptsWork() && gpu.running.size() < profile.maxNumSeqs()
                && gpu.usedBlocks + gpu.promisedBlocks + blocksFor(task.contextTokens()) <= profile.kvBlocks();
    }

    /**
     * Where a task of the urgent class goes (a router of its own, decision 0056): among the
     * instances where it fits, or where preempting less urgent tasks makes room, the one where its
     * first chunk is expected soonest (the rest of the step under way, plus the urgent prompt
     * tokens admitted there and not yet prefilled at a full step's speed); on a tie, the one with
     * fewer tokens to recompute (none at all first), then the lowest id. Null when none can.
     */
    private Instance placeUrgent(Task task) {
        Instance best = null;
        long bestCost = Long.MAX_VALUE;
        long bestWait = Long.MAX_VALUE;
        long now = context.clock().nanos();
        for (Instance gpu : instances) {
            if (!gpu.state.acceptsWork() || !gpu.model.equals(task.model())) {
                continue;
            }
            long cost = 0;
            if (!fits(gpu, task)) {
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
        Instance gpu = instances.get(instance);
        Seq out = gpu.seqs.get(outgoing);
        long freed = out == null ? 0 : out.blocks + out.promised;
        return gpu.state.acceptsWork()
                && gpu.usedBlocks + gpu.promisedBlocks - freed + blocksFor(incoming.contextTokens()) <= profile.kvBlocks();
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
        Instance gpu = instances.get(instance);
        List<Seq> victims = List.of();
        if (!fits(gpu, task)) { // the loop may also place a task where it fits (a swap, an eviction)
            if (!profile.urgent(task.priority()) || placeUrgent(task) != gpu) {
                throw new IllegalStateException("instance " + instance + " cannot take " + task.id());
            }
            victims = gpu.victimsFor(task);
            for (Seq victim : victims) { // as a full cache does (recompute), but before the urgent task is admitted
                gpu.remove(victim);
                gpu.reported.remove(victim.task); // the loop may be choosing a victim of its own from that list
                memoryPreemptions++;
                recomputedTokens += victim.computed;
                victim.computed = 0;
            }
        }
        Seq seq = new Seq(task, admissions++);
        seq.lastTokenAt = gaps.resume(task);
        seq.promised = blocksFor(task.contextTokens());
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
        Instance gpu = instances.get(task.instance());
        Seq seq = gpu.seqs.get(task);
        if (seq == null) {
            throw new IllegalStateException(task.id() + " is not on instance " + gpu.id);
        }
        recomputedTokens += seq.computed;
        gpu.remove(seq);
        gpu.reported.remove(task); // the loop picks its next victim from the list it was given
    }

    @Override
    public List<InstanceStatus> status() {
        List<InstanceStatus> result = new ArrayList<>(instances.size());
        for (Instance gpu : instances) {
            result.add(new InstanceStatus(gpu.id, gpu.model, gpu.state, gpu.running.size(), profile.maxNumSeqs(),
                    gpu.usedBlocks * profile.cost().blockSize(), profile.kvCapacityTokens(), gpu.slowdown));
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
        Instance gpu = instances.get(instance);
        gpu.slowdown = factor;
        if (gpu.state.acceptsWork()) {
            gpu.state = factor == 1.0 ? InstanceState.UP : InstanceState.SLOW;
        }
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
    public GpuUsage usage() {
        long busy = 0, sequences = 0, steps = 0;
        for (Instance gpu : instances) {
            busy += gpu.busyNanos;
            sequences += gpu.sequenceNanos;
            steps += gpu.steps;
        }
        return new GpuUsage(busy, sequences, steps, memoryPreemptions, recomputedTokens, gaps.histogram.copy());
    }

    private long blocksFor(long tokens) {
        int size = profile.cost().blockSize();
        return (Math.max(1, tokens) + size - 1) / size;
    }

    /** One simulated GPU. Loop thread only. */
    private final class Instance {
        final int id;
        final String model;
        /** Admitted tasks, in admission order. */
        final List<Seq> running = new ArrayList<>();
        final Map<Task, Seq> seqs = new IdentityHashMap<>();
        final Comparator<Seq> byPolicy = (a, b) -> {
            int c = context.compareUrgency(a.task, b.task);
            return c != 0 ? c : Long.compare(a.admitted, b.admitted);
        };
        /** Least urgent first: the lowest priority class, then the policy's order backwards (vLLM's victim). */
        final Comparator<Seq> victimOrder = (a, b) -> {
            int c = Integer.compare(b.task.priority(), a.task.priority());
            return c != 0 ? c : byPolicy.compare(b, a);
        };
        /** The step under way; reused from step to step (a run makes millions of them). */
        final List<Seq> step = new ArrayList<>();
        /** The running tasks reported to the loop at a step's end, while it reads them: kept live, as evictions go. */
        final List<Task> reported = new ArrayList<>();
        final StepOrder order = new StepOrder();
        InstanceState state = InstanceState.UP;
        double slowdown = 1.0;
        long usedBlocks;
        long promisedBlocks;
        long busyNanos;
        long sequenceNanos;
        long steps;
        boolean stepping;
        /** When the step under way ends (while {@link #stepping}): a router's estimate of its wait. */
        long stepEndsAt;
        /** Bumped whenever in-flight timers must be ignored (crash, offline). */
        long generation;

        Instance(int id, String model) {
            this.id = id;
            this.model = model;
        }

        void ensureStepping() {
            if (!stepping) {
                stepping = true;
                long generationNow = generation;
                context.clock().scheduleAfter(0, () -> {
                    if (generation == generationNow) {
                        beginStep(context.clock().nanos());
                    }
                });
            }
        }

        /** @param startsAt when the step starts: now, or the previous step's end when they run back to back */
        void beginStep(long startsAt) {
            if (running.isEmpty()) {
                stepping = false;
                return;
            }
            int size = running.size();
            boolean byPolicyOrder = profile.chunkOrder() == VllmProfile.ChunkOrder.POLICY;
            Seq[] order = byPolicyOrder ? this.order.sorted(running, byPolicy) : this.order.admission(running);
            StepCost cost = profile.cost();
            int budget = profile.maxNumBatchedTokens();
            // while an urgent prompt is prefilled here, the others' chunks may not make its steps long
            long bulkBudget = profile.bulkChunkTokens() >= 0 && urgentBacklog() > 0 ? profile.bulkChunkTokens() : Long.MAX_VALUE;
            long tokens = 0;
            double attentionMs = 0;
            List<Seq> scheduled = step;
            scheduled.clear();
            List<Seq> preempted = null;
            int last = size - 1; // the last task in order that may still be preempted
            for (int i = 0; i <= last && budget > 0; i++) {
                Seq seq = order[i];
                if (!decoding(seq)) {
                    continue;
                }
                long need = blocksFor(seq.computed + 1) - seq.blocks;
                while (need > free() && last > i) {
                    (preempted == null ? preempted = new ArrayList<>() : preempted).add(order[last]);
                    release(order[last]);
                    last--;
                }
                if (need > free()) { // nothing after it left to preempt: it gives up its own place
                    (preempted == null ? preempted = new ArrayList<>() : preempted).add(seq);
                    release(seq);
                    System.arraycopy(order, i + 1, order, i, last - i);
                    order[last] = seq; // with the preempted, past the last that may still run
                    last--;
                    i--;
                    continue;
                }
                allocate(seq, need);
                seq.scheduled = 1;
                seq.samples = true;
                budget--;
                tokens++;
                attentionMs += cost.decodeAttentionMillis(seq.task.contextTokens());
                scheduled.add(seq);
            }
            for (int i = 0; i <= last && budget > 0; i++) {
                Seq seq = order[i];
                if (seq.scheduled > 0) {
                    continue;
                }
                long need = Math.max(1, seq.task.contextTokens() - seq.computed);
                long chunk = Math.min(need, budget);
                boolean bulk = profile.chunkedPrefill() && !profile.urgent(seq.task.priority());
                if (bulk) {
                    if (bulkBudget <= 0) {
                        continue;
                    }
                    chunk = Math.min(chunk, bulkBudget);
                }
                if (!profile.chunkedPrefill()) {
                    if (need > budget && tokens > 0) {
                        continue; // a whole prompt or nothing; alone it may exceed the budget
                    }
                    chunk = need;
                }
                long blockSize = cost.blockSize();
                long affordable = (seq.blocks + seq.promised + free()) * blockSize - seq.computed;
                if (affordable < chunk) {
                    if (!profile.chunkedPrefill() || affordable <= 0) {
                        continue;
                    }
                    chunk = affordable;
                }
                allocate(seq, blocksFor(seq.computed + chunk) - seq.blocks);
                seq.scheduled = (int) chunk;
                seq.samples = seq.computed + chunk >= seq.task.contextTokens();
                budget -= (int) Math.min(budget, chunk);
                if (bulk) {
                    bulkBudget -= chunk;
                }
                tokens += chunk;
                attentionMs += cost.prefillAttentionMillis(chunk, seq.computed);
                scheduled.add(seq);
            }
            if (!byPolicyOrder) {
                this.order.forget(size);
            }
            if (preempted != null) {
                for (Seq seq : preempted) {
                    remove(seq);
                    memoryPreemptions++;
                    recomputedTokens += seq.computed;
                    seq.computed = 0;
                }
            }
            if (!scheduled.isEmpty()) {
                double millis = cost.linearMillis(tokens) + attentionMs + cost.cpuOverheadMs();
                long duration = Math.max(1, Math.round(millis * 1e6 * slowdown));
                long generationNow = generation;
                stepEndsAt = startsAt + duration;
                context.clock().schedule(stepEndsAt, () -> {
                    if (generation == generationNow) {
                        endStep(duration);
                    }
                });
            } else {
                stepping = false; // nothing fits: the next dispatch or a freed block starts a step
            }
            if (preempted != null) {
                for (Seq seq : preempted) {
                    context.handedBack(seq.task); // after the plan: the loop may dispatch to this instance at once
                }
            }
        }

        void endStep(long duration) {
            long now = context.clock().nanos();
            busyNanos += duration;
            sequenceNanos += duration * step.size();
            steps++;
            List<Seq> finished = null;
            List<Seq> poisoned = null;
            for (int i = 0, n = step.size(); i < n; i++) {
                Seq seq = step.get(i);
                int done = seq.scheduled;
                seq.scheduled = 0;
                if (seq.gone) {
                    continue; // evicted while the step ran
                }
                Task task = seq.task;
                task.addService(duration);
                seq.computed += done;
                updatePromise(seq);
                if (SimulatedGpuExecutor.isPoison(task)) {
                    (poisoned == null ? poisoned = new ArrayList<>() : poisoned).add(seq);
                    continue;
                }
                if (!seq.samples) {
                    continue;
                }
                seq.samples = false;
                boolean first = task.firstTokenAt() < 0;
                task.addToken(now);
                seq.lastTokenAt = gaps.token(seq.lastTokenAt, now);
                if (first) {
                    context.firstToken(task);
                }
                if (task.remainingTokens() <= 0) {
                    (finished == null ? finished = new ArrayList<>() : finished).add(seq);
                }
            }
            step.clear();
            if (poisoned != null) {
                for (Seq seq : poisoned) {
                    seq.lastTokenAt = TokenGaps.NONE;
                    remove(seq);
                    context.failed(seq.task, "poison task: the model server fails on this input", true);
                }
            }
            if (finished != null) {
                for (Seq seq : finished) {
                    seq.lastTokenAt = TokenGaps.NONE;
                    remove(seq);
                    context.succeeded(seq.task, "simulated completion of " + seq.task.generatedTokens() + " tokens");
                }
            }
            List<Task> batch = reported;
            for (int i = 0, n = running.size(); i < n; i++) {
                batch.add(running.get(i).task);
            }
            context.stepFinished(id, batch);
            batch.clear();
            beginStep(StepTimeline.nextStart(stepEndsAt, now));
        }

        long urgentBacklog() {
            return UrgentClass.backlog(running, profile);
        }

        List<Seq> victimsFor(Task task) {
            return UrgentClass.victims(running, task, free(), blocksFor(task.contextTokens()), profile.maxNumSeqs(), victimOrder);
        }

        boolean decoding(Seq seq) {
            return seq.task.generatedTokens() > 0 && seq.task.contextTokens() - seq.computed == 1;
        }

        long free() {
            return profile.kvBlocks() - usedBlocks - promisedBlocks;
        }

        /** Gives {@code seq} {@code blocks} more blocks, taken first from those promised to it. */
        void allocate(Seq seq, long blocks) {
            if (blocks <= 0) {
                return;
            }
            long fromPromise = Math.min(seq.promised, blocks);
            seq.promised -= fromPromise;
            promisedBlocks -= fromPromise;
            seq.blocks += blocks;
            usedBlocks += blocks;
        }

        /** A task's promise covers its context not yet in the cache; it shrinks as prefill proceeds. */
        void updatePromise(Seq seq) {
            long wanted = Math.max(0, blocksFor(seq.task.contextTokens()) - seq.blocks);
            if (seq.task.generatedTokens() > 0 && seq.task.contextTokens() - seq.computed <= 1) {
                wanted = 0; // decoding: growth is not promised, it may preempt
            }
            long cut = Math.max(0, seq.promised - wanted);
            seq.promised -= cut;
            promisedBlocks -= cut;
        }

        /** Frees everything {@code seq} holds (blocks and promise), for a preemption planned in this step. */
        void release(Seq seq) {
            usedBlocks -= seq.blocks;
            promisedBlocks -= seq.promised;
            seq.blocks = 0;
            seq.promised = 0;
        }

        void remove(Seq seq) {
            release(seq);
            running.remove(seq);
            seqs.remove(seq.task);
            seq.gone = true;
            gaps.park(seq.task, seq.lastTokenAt);
            if (!stepping && !running.isEmpty()) {
                ensureStepping();
            }
        }

        List<Task> clear() {
            generation++;
            stepping = false;
            List<Task> tasks = new ArrayList<>(running.size());
            for (Seq seq : running) {
                tasks.add(seq.task);
                seq.gone = true;
                gaps.park(seq.task, seq.lastTokenAt);
            }
            running.clear();
            seqs.clear();
            step.clear();
            usedBlocks = 0;
            promisedBlocks = 0;
            return tasks;
        }
    }
}
