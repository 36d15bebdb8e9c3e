package io.queuedeck.engine.exec.sim;

import io.queuedeck.engine.clock.EngineClock;
import io.queuedeck.engine.exec.ExecutorContext;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.task.Task;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One simulated GPU of a {@link VllmGpuExecutor}: its admitted tasks, KV blocks and the step
 * model that runs them. Loop thread only.
 */
final class VllmInstance {
    final int id;
    final String model;
    private final VllmProfile profile;
    private final TokenGaps gaps;
    private ExecutorContext context;
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
    /** An operator's drain: no new work; what runs finishes. */
    boolean draining;
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
    /** Tasks preempted for want of KV blocks (recompute), and the tokens they must compute again. */
    long memoryPreemptions;
    long recomputedTokens;

    /** @param gaps the executor's token gaps, shared by its instances (a task may move between them) */
    VllmInstance(int id, String model, VllmProfile profile, TokenGaps gaps) {
        this.id = id;
        this.model = model;
        this.profile = profile;
        this.gaps = gaps;
    }

    void bind(ExecutorContext context) {
        this.context = context;
    }

    /** Whether {@code task} may be admitted now: a sequence free and its context's blocks not taken or promised. */
    boolean fits(Task task) {
        return takesWork() && running.size() < profile.maxNumSeqs()
                && usedBlocks + promisedBlocks + blocksFor(task.contextTokens()) <= profile.kvBlocks();
    }

    /** Up (or slow) and not draining: new work may come here. */
    boolean takesWork() {
        return state.acceptsWork() && !draining;
    }

    long blocksFor(long tokens) {
        int size = profile.cost().blockSize();
        return (Math.max(1, tokens) + size - 1) / size;
    }

    void ensureStepping() {
        if (!stepping) {
            stepping = true;
            EngineClock clock = context.clock();
            StepTimeline.at(clock, clock.nanos(), () -> generation, () -> beginStep(clock.nanos()));
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
            stepEndsAt = startsAt + duration;
            StepTimeline.at(context.clock(), stepEndsAt, () -> generation, () -> endStep(duration));
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
            context.tokensGenerated(1);
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
