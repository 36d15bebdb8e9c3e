package io.queuedeck.engine.cluster;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import io.queuedeck.engine.store.StoreUnavailableException;
import io.queuedeck.engine.task.SubmitResult;
import io.queuedeck.engine.task.TaskConflictException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import io.queuedeck.engine.tier.TierMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One engine as a node of a shared queue (decision 0034). Submissions go into the shared queue,
 * not into this engine; the node claims only its free capacity plus a small prefetch, hands what
 * it claimed to its engine (whose policy orders it), keeps the leases alive by heartbeats, and
 * acknowledges each task once its engine finished it. Every node also reaps expired leases, so a
 * node that died loses its leases, not its tasks.
 *
 * <p>All of it runs on one injected scheduler thread, never on the engine's loop. While Redis is
 * unreachable the node backs off (50 ms doubling to 2 s), submissions fail with
 * {@link StoreUnavailableException} (the API's 503), and finished tasks' acknowledgements wait in
 * memory until Redis answers again: a task acknowledged to a client is in Redis already, and one
 * whose acknowledgement did not get through is redelivered when its lease expires.
 */
public final class ClusterNode implements AutoCloseable {
    /** The most tasks a node claims beyond its free batch slots: more would hoard the shared queue. */
    public static final int MAX_PREFETCH = 1_000;

    private static final System.Logger LOG = System.getLogger(ClusterNode.class.getName());
    private static final long MIN_BACKOFF_NANOS = 50_000_000L, MAX_BACKOFF_NANOS = 2_000_000_000L;
    private static final int REAP_BATCH = 1_000, HEARTBEAT_BATCH = 1_000;
    private static final long REAP_PERIOD_MILLIS = 250;
    private static final int ACK_BATCH = 256;

    private final Engine engine;
    private final SharedQueue queue;
    private final ScheduledExecutorService scheduler;
    private final int configuredCapacity;
    private final int prefetch;
    private final Duration lease;
    /** Tasks this node claimed and has not acknowledged, by id: whether their lease is still this node's. */
    private final Map<String, Boolean> held = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<SharedQueue.Done> acks = new ConcurrentLinkedQueue<>();
    private final List<ScheduledFuture<?>> jobs = new ArrayList<>();
    private final AtomicBoolean pumpQueued = new AtomicBoolean();
    private final AtomicLong claimed = new AtomicLong(), acked = new AtomicLong(), duplicates = new AtomicLong(),
            redeliveries = new AtomicLong(), lostLeases = new AtomicLong(), reaped = new AtomicLong(),
            outages = new AtomicLong(), cancelsApplied = new AtomicLong(), handedBack = new AtomicLong();
    /** Since when (engine clock) none of this node's instances takes work, or -1; scheduler thread. */
    private long idleSince = -1;
    private boolean handingBack;
    private volatile long backoffNanos;
    private volatile long retryAt;
    private volatile boolean connected = true;
    /** Redis answers but refuses writes (full, read-only) since the last write that went through. */
    private volatile boolean writesRefused;
    private volatile boolean stopping;
    /** Sends the callbacks of tasks that end in the queue itself; null on a node without callbacks. */
    private EndedCallbacks endedCallbacks;

    private ClusterNode(Builder b) {
        this.engine = b.engine;
        this.queue = b.queue;
        this.scheduler = b.scheduler;
        this.configuredCapacity = b.capacity;
        this.prefetch = b.prefetch;
        this.lease = b.queue.lease();
    }

    /** A node of {@code queue} running tasks on {@code engine}, its steps on {@code scheduler}. */
    public static Builder builder(Engine engine, SharedQueue queue, ScheduledExecutorService scheduler) {
        return new Builder(engine, queue, scheduler);
    }

    /** Starts claiming, heartbeats and the reaper; the engine must be started. */
    public synchronized ClusterNode start() {
        long beat = Math.max(20, lease.toMillis() / 3);
        jobs.add(scheduler.scheduleWithFixedDelay(this::pump, 0, 20, TimeUnit.MILLISECONDS));
        jobs.add(scheduler.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS));
        // at once, then at least once a second whatever the lease: how soon a second process under this name is refused
        long announce = NodeScripts.announceMillis(lease);
        jobs.add(scheduler.scheduleWithFixedDelay(this::announce, 0, announce, TimeUnit.MILLISECONDS));
        // other nodes' leases may be shorter than ours: reap often (one range read of the lease index)
        jobs.add(scheduler.scheduleWithFixedDelay(this::reap, REAP_PERIOD_MILLIS, REAP_PERIOD_MILLIS, TimeUnit.MILLISECONDS));
        if (endedCallbacks != null) {
            jobs.add(scheduler.scheduleWithFixedDelay(this::callBackEnded, 0, REAP_PERIOD_MILLIS, TimeUnit.MILLISECONDS));
        }
        return this;
    }

    /**
     * Sends the callbacks of tasks that end in the shared queue itself (decision 0117) through a
     * callback dispatcher's {@code deliver}, made durable by its {@code flush}; once, before or after
     * {@link #start} (after: once the dispatcher has started, so what it resends at its start is not
     * sent twice). A node without it (no REST API, so no callbacks) leaves them to the nodes that have it.
     */
    public synchronized ClusterNode callBackEnded(java.util.function.Consumer<TaskView> deliver,
                                                  java.util.function.BooleanSupplier flush) {
        endedCallbacks = new EndedCallbacks(queue, engine.clock(), deliver, flush);
        if (!jobs.isEmpty()) { // started already
            jobs.add(scheduler.scheduleWithFixedDelay(this::callBackEnded, 0, REAP_PERIOD_MILLIS, TimeUnit.MILLISECONDS));
        }
        return this;
    }

    private void callBackEnded() {
        if (!redisMayAnswer()) {
            return;
        }
        try {
            endedCallbacks.drain();
            succeeded();
        } catch (StoreUnavailableException e) {
            failed(e);
        }
    }

    /** {@link #submit(TaskSpec, int)} from a sender that may use any priority. */
    public CompletableFuture<SubmitResult> submit(TaskSpec spec) {
        return submit(spec, 0);
    }

    /**
     * Validates {@code spec}, classifies it by this engine's priority rules (capped at
     * {@code mostUrgentAllowed}, as a single engine does; decision 0121) and queues it in the shared
     * queue (an id is given when it has none). The future fails with
     * {@link StoreUnavailableException} when Redis did not take it, and with
     * {@link TaskConflictException} when its id is known with another body.
     */
    public CompletableFuture<SubmitResult> submit(TaskSpec spec, int mostUrgentAllowed) {
        try {
            // an id unique across nodes; a missing priority stays missing, for the rules to choose
            TaskSpec named = spec != null && spec.taskId() == null ? spec.withTaskId(UUID.randomUUID().toString()) : spec;
            TaskSpec complete = engine.prepare(named, mostUrgentAllowed);
            return CompletableFuture.completedFuture(queue.enqueue(complete.taskId(), complete)
                    .result(complete, engine.clock().nanos()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Feeds a finished task of this node's engine back to the shared queue (a completion feed listener). */
    public void finished(TaskView task) {
        if (held.containsKey(task.id())) {
            acks.add(SharedQueue.Done.of(task));
            wake();
        }
    }

    private void wake() {
        if (pumpQueued.compareAndSet(false, true)) {
            try {
                scheduler.execute(this::pump);
            } catch (RuntimeException e) {
                pumpQueued.set(false); // the scheduler is shut down: the node is closing
            }
        }
    }

    /** Acknowledges what finished, then claims up to the free capacity plus the prefetch. */
    private void pump() {
        pumpQueued.set(false);
        if (!redisMayAnswer()) {
            return;
        }
        try {
            // one script per batch of finished tasks; a batch stays queued until Redis answered it
            List<SharedQueue.Done> batch = new ArrayList<>();
            for (SharedQueue.Done done : acks) {
                batch.add(done);
                if (batch.size() == ACK_BATCH) {
                    break;
                }
            }
            while (!batch.isEmpty()) {
                List<SharedQueue.Ack> answers = queue.ackAll(batch);
                for (int i = 0; i < batch.size(); i++) {
                    SharedQueue.Done done = acks.poll();
                    switch (answers.get(i)) {
                        case FIRST -> acked.incrementAndGet();
                        case DUPLICATE -> {
                            duplicates.incrementAndGet();
                            if (Boolean.TRUE.equals(held.get(done.id()))) { // lost and finished between two heartbeats
                                lostLeases.incrementAndGet();
                            }
                        }
                        case UNKNOWN -> LOG.log(System.Logger.Level.WARNING, "task " + done.id() + " finished here but"
                                + " is no longer in the shared queue (its record expired, or Redis lost it)");
                    }
                    held.remove(done.id());
                }
                batch.clear();
                for (SharedQueue.Done done : acks) {
                    batch.add(done);
                    if (batch.size() == ACK_BATCH) {
                        break;
                    }
                }
            }
            // no instance up: no prefetch either, or the claims wait here while other nodes could run them
            int capacity = capacity();
            handBackWhenIdle(capacity);
            int want = stopping || capacity == 0 ? 0 : capacity + prefetch - held.size();
            if (want > 0) {
                for (SharedQueue.Claim claim : queue.claim(want, tiersHeldHere())) {
                    take(claim);
                }
            }
            succeeded();
        } catch (StoreUnavailableException e) {
            failed(e);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "shared queue step failed", e);
        }
    }

    /**
     * Gives the shared queue back what this node holds and cannot run: once none of its instances has
     * taken work for a third of the lease, the claims still waiting in its engine are withdrawn from it
     * and released (no attempt counted), so other nodes run them (decision 0116). Scheduler thread.
     */
    private void handBackWhenIdle(int capacity) {
        if (capacity > 0 || stopping) {
            idleSince = -1;
            return;
        }
        long now = engine.clock().nanos();
        if (idleSince < 0) {
            idleSince = now;
        }
        if (handingBack || held.isEmpty() || now - idleSince < lease.toNanos() / 3) {
            return;
        }
        handingBack = true;
        idleSince = now; // what runs here stays: asked again after another third of the lease, not at every pump
        engine.send(new Command.Withdraw(List.copyOf(held.keySet()))).whenComplete((withdrawn, error) -> {
            try {
                scheduler.execute(() -> release(error == null ? withdrawn : List.of()));
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // the node stopped meanwhile: what was withdrawn returns when its leases expire
            }
        });
    }

    private void release(List<String> withdrawn) {
        handingBack = false;
        if (withdrawn.isEmpty()) {
            return;
        }
        try {
            queue.release(withdrawn);
            handedBack.addAndGet(withdrawn.size());
            LOG.log(System.Logger.Level.INFO, withdrawn.size() + " waiting tasks handed back to the shared queue:"
                    + " no instance here takes work");
        } catch (StoreUnavailableException e) {
            failed(e); // not heartbeated any more: their leases run out and they are reaped, an attempt counted
        } finally {
            withdrawn.forEach(held::remove);
        }
    }

    private void take(SharedQueue.Claim claim) {
        held.put(claim.id(), Boolean.TRUE);
        claimed.incrementAndGet();
        if (claim.token() > 1) {
            redeliveries.incrementAndGet();
        }
        // classified where it arrived (decision 0121); a record queued without it is classified here
        CompletableFuture<SubmitResult> queued = claim.spec().classification() != null
                ? engine.sendPrepared(claim.spec()) : engine.send(new Command.Submit(claim.spec()));
        queued.whenComplete((result, error) -> {
            if (error != null) { // this engine cannot run it (a model it does not serve, a full queue): hand it on
                LOG.log(System.Logger.Level.WARNING, "task " + claim.id() + " refused here: " + error.getMessage());
                acks.add(new SharedQueue.Done(claim.id(), SharedQueue.Outcome.REFUSED, "refused by node " + queue.node() + ": "
                        + error.getMessage()));
                wake();
            } else if (!result.created() && result.task().state().isFinal()) {
                // this engine ran it before and still remembers: its earlier acknowledgement was lost
                acks.add(SharedQueue.Done.of(result.task()));
                wake();
            }
        });
    }

    /**
     * The tiers this node's engine pauses or drains (a tier paused on this node only, through its own
     * {@code /v1/queues}): their tasks would wait here, leased and heartbeated, while other nodes run
     * the tier, or be refused.
     */
    private Set<Integer> tiersHeldHere() {
        EngineSnapshot snapshot = engine.latestSnapshot();
        if (snapshot == null) {
            return Set.of();
        }
        Set<Integer> notHere = new HashSet<>();
        snapshot.tierModes().forEach((tier, mode) -> {
            if (mode != TierMode.ACTIVE) {
                notHere.add(tier.index());
            }
        });
        return notHere;
    }

    private int capacity() {
        EngineSnapshot snapshot = engine.latestSnapshot();
        if (snapshot != null && snapshot.dispatchPaused()) {
            return 0; // an operator paused this node's dispatch: what it claimed would only wait here
        }
        if (configuredCapacity > 0) {
            return configuredCapacity;
        }
        if (snapshot == null) {
            return 0;
        }
        int slots = 0;
        for (InstanceStatus instance : snapshot.instances()) {
            if (instance.state().acceptsWork()) {
                slots += instance.batchCapacity();
            }
        }
        return slots;
    }

    private void announce() {
        if (!redisMayAnswer()) {
            return;
        }
        try {
            queue.announce(instances());
            wrote();
        } catch (StoreUnavailableException e) {
            failed(e);
        }
    }

    private void heartbeat() {
        if (!redisMayAnswer() || held.isEmpty()) {
            return;
        }
        try {
            List<String> batch = new ArrayList<>(HEARTBEAT_BATCH);
            for (String id : held.keySet()) {
                batch.add(id);
                if (batch.size() == HEARTBEAT_BATCH) {
                    beat(batch);
                    batch.clear();
                }
            }
            beat(batch);
            wrote();
        } catch (StoreUnavailableException e) {
            failed(e);
        }
    }

    /** This node's instances as the cluster view shows them: {@code [{"id","model","state","running","batch"}…]}. */
    private String instances() {
        EngineSnapshot snapshot = engine.latestSnapshot();
        StringBuilder json = new StringBuilder("[");
        if (snapshot != null) {
            for (InstanceStatus i : snapshot.instances()) {
                json.append(json.length() > 1 ? "," : "").append("{\"id\":").append(i.id())
                        .append(",\"model\":\"").append(String.valueOf(i.model()).replace("\\", "\\\\").replace("\"", "\\\""))
                        .append("\",\"state\":\"").append(i.state().name().toLowerCase(java.util.Locale.ROOT))
                        .append("\",\"running\":").append(i.running()).append(",\"batch\":").append(i.batchCapacity()).append('}');
            }
        }
        return json.append(']').toString();
    }

    private void beat(List<String> batch) {
        SharedQueue.Beat beat = queue.beat(batch);
        // a lost lease is kept running: its task may finish here first (at-least-once); counted once, not at every beat
        for (String id : beat.lost()) {
            if (held.replace(id, Boolean.TRUE, Boolean.FALSE)) {
                lostLeases.incrementAndGet();
            }
        }
        for (String id : beat.cancel()) {
            cancelHeld(id);
        }
    }

    /** Stops a held task that any node cancelled in the shared queue; its completion acknowledges it as cancelled. */
    public void cancelHeld(String id) {
        if (held.containsKey(id)) {
            engine.send(new Command.Cancel(id)).whenComplete((view, error) -> {
                if (error != null) {
                    LOG.log(System.Logger.Level.DEBUG, "cancel of " + id + " not applied here: " + error.getMessage());
                } else {
                    cancelsApplied.incrementAndGet();
                }
            });
        }
    }

    private void reap() {
        if (!redisMayAnswer()) {
            return;
        }
        try {
            SharedQueue.Reaped pass;
            do {
                pass = queue.reap(REAP_BATCH);
                reaped.addAndGet(pass.requeued() + pass.dead());
            } while (pass.requeued() + pass.dead() == REAP_BATCH);
            succeeded();
        } catch (StoreUnavailableException e) {
            failed(e);
        }
    }

    private boolean redisMayAnswer() {
        return connected || engine.clock().nanos() - retryAt >= 0;
    }

    private void succeeded() {
        boolean back = !connected;
        if (back && !writesRefused) {
            LOG.log(System.Logger.Level.INFO, "shared queue reachable again");
        }
        connected = true;
        backoffNanos = 0;
        if (back && !held.isEmpty() && !stopping) {
            // beat now, not up to a third of a lease later, so a short outage costs no lease (docs/distributed.md)
            try {
                scheduler.execute(this::heartbeat);
            } catch (java.util.concurrent.RejectedExecutionException stopped) { /* shut down: nothing held for long */ }
        }
    }

    /** A step that always writes (the announcement, a heartbeat) went through: Redis takes writes. */
    private void wrote() {
        succeeded();
        if (writesRefused) {
            writesRefused = false;
            LOG.log(System.Logger.Level.INFO, "shared queue takes writes again");
        }
    }

    private void failed(StoreUnavailableException e) {
        if (e.refusesWrites()) {
            // reads still answer while writes are refused: the outage lasts until a write goes through,
            // not until the next read (which said "reachable again" at every heartbeat)
            if (!writesRefused) {
                writesRefused = true;
                outages.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "shared queue refuses writes, backing off: " + e.getMessage()
                        + " (" + (e.getCause() == null ? "" : e.getCause().getMessage()) + ")");
            }
        } else if (connected) {
            outages.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "shared queue unreachable, backing off: " + e.getMessage());
        }
        connected = false;
        backoffNanos = Math.min(MAX_BACKOFF_NANOS, Math.max(MIN_BACKOFF_NANOS, backoffNanos * 2));
        retryAt = engine.clock().nanos() + backoffNanos;
    }

    /** Whether the last step reached Redis. */
    public boolean connected() {
        return connected;
    }

    /** Tasks claimed here and not yet acknowledged. */
    public int held() {
        return held.size();
    }

    /**
     * This node's counters: claimed, acknowledged (first completions), duplicates (completions
     * another node had already acknowledged), redeliveries (claims of tasks delivered before),
     * lost leases (reported by heartbeats), reaped (expired leases this node returned), handed back
     * (waiting claims returned while no instance here took work), ended callbacks (of tasks that
     * ended in the shared queue, handed to this node's callback dispatcher), outages.
     */
    public Map<String, Long> counters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("claimed", claimed.get());
        counters.put("acknowledged", acked.get());
        counters.put("duplicates", duplicates.get());
        counters.put("redeliveries", redeliveries.get());
        counters.put("lost_leases", lostLeases.get());
        counters.put("cancels", cancelsApplied.get());
        counters.put("reaped", reaped.get());
        counters.put("handed_back", handedBack.get());
        counters.put("ended_callbacks", endedCallbacks == null ? 0 : endedCallbacks.handedOn());
        counters.put("outages", outages.get());
        counters.put("held", (long) held.size());
        return counters;
    }

    /** What this node found of Redis losing the shared queue's data (decision 0130), as {@code /metrics} shows it. */
    public Map<String, Long> dataLoss() {
        return queue.dataLoss().counters();
    }

    /** The shared queue's counters across all nodes, or an empty map while Redis cannot be reached. */
    public Map<String, Long> queueCounters() {
        try {
            return queue.stats();
        } catch (StoreUnavailableException e) {
            return Map.of();
        }
    }

    /**
     * Stops claiming, acknowledges what finished (for a bounded time) and hands the claims its
     * engine has not finished back to the queue with no attempt counted; a claim that cannot be
     * handed back returns when its lease expires. Call it after the engine drained.
     */
    @Override
    public synchronized void close() {
        stopping = true;
        jobs.forEach(job -> job.cancel(false));
        try {
            scheduler.submit(() -> {
                connected = true; // one last try regardless of the backoff
                pump();
                List<String> left = new ArrayList<>(held.keySet());
                if (!left.isEmpty() && connected) {
                    try {
                        queue.release(left);
                    } catch (StoreUnavailableException e) {
                        LOG.log(System.Logger.Level.WARNING, left.size() + " claims return when their leases expire");
                    }
                }
                if (connected) {
                    try {
                        queue.leave(); // the cluster view showed a stopped node with its last running counts
                    } catch (StoreUnavailableException e) {
                        LOG.log(System.Logger.Level.DEBUG, "the cluster view drops this node within the hour");
                    }
                }
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "closing the node: " + e.getMessage());
        }
        queue.close();
    }

    /** Settings of a node; capacity defaults to the engine's free batch slots. */
    public static final class Builder {
        private final Engine engine;
        private final SharedQueue queue;
        private final ScheduledExecutorService scheduler;
        private int capacity;
        private int prefetch = 2;

        private Builder(Engine engine, SharedQueue queue, ScheduledExecutorService scheduler) {
            if (engine == null || queue == null || scheduler == null) {
                throw new IllegalArgumentException("engine, queue and scheduler are required");
            }
            this.engine = engine;
            this.queue = queue;
            this.scheduler = scheduler;
        }

        /** Tasks this node runs at once; 0 (the default) takes the batch slots of its instances. */
        public Builder capacity(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("capacity must not be negative, got " + value);
            }
            capacity = value;
            return this;
        }

        /** Claims beyond the capacity, so a freed slot finds work without a round trip (default 2). */
        public Builder prefetch(int value) {
            if (value < 0 || value > MAX_PREFETCH) { // a million let one node hoard the whole queue
                throw new IllegalArgumentException("prefetch must be between 0 and " + MAX_PREFETCH + ", got " + value);
            }
            prefetch = value;
            return this;
        }

        public ClusterNode build() {
            return new ClusterNode(this);
        }
    }
}
