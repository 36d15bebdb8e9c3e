package io.queuedeck.engine.cluster;

import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.tier.Tier;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One queue shared by several engines (nodes) in Redis (decision 0034): waiting tasks in per-tier
 * sorted sets ordered by priority, then arrival; a node claims the best of them with a lease,
 * extends it by heartbeats and acknowledges each task once it finished; a reaper on every node
 * returns expired leases to the queue with an attempt counted. Every step is one atomic script,
 * so two nodes acting on one task at once leave it with exactly one outcome.
 *
 * <p>Delivery is at-least-once (docs/distributed.md): a task whose lease expired while its node
 * was still running it may run again elsewhere; the first acknowledgement wins and later ones are
 * counted as duplicates. Methods throw {@link io.queuedeck.engine.store.StoreUnavailableException}
 * while Redis cannot be reached. Safe for use from several threads.
 */
public interface SharedQueue extends AutoCloseable {
    /** The longest lease a node may take: a dead node's claimed tasks wait that long before another node runs them. */
    java.time.Duration MAX_LEASE = java.time.Duration.ofHours(1);


    /** This node's name, unique among the nodes on the queue. */
    String node();

    /** How long a claim holds without a heartbeat. */
    Duration lease();

    /** Queues {@code spec} under {@code id} unless that id is known (then: the known task's answer). */
    default Enqueued enqueue(String id, TaskSpec spec) {
        return enqueueAll(List.of(spec.withTaskId(id))).getFirst();
    }

    /** Queues each spec under its task id in one atomic step; one answer per spec, in order. */
    List<Enqueued> enqueueAll(List<TaskSpec> specs);

    /** Leases up to {@code max} of the best waiting tasks (unpaused tiers, most urgent first) to this node. */
    default List<Claim> claim(int max) {
        return claim(max, Set.of());
    }

    /** As {@link #claim(int)}, taking nothing of the tiers (by index) in {@code notHere}: this node's engine holds them. */
    List<Claim> claim(int max, Set<Integer> notHere);

    /** Extends this node's leases on {@code ids}; answers those it no longer holds (reaped, finished). */
    default List<String> heartbeat(Collection<String> ids) {
        return beat(ids).lost();
    }

    /** Extends this node's leases on {@code ids}; answers those it lost and those someone asked to cancel. */
    Beat beat(Collection<String> ids);

    /** Records how a task ended; the first acknowledgement of a task wins, later ones are duplicates. */
    default Ack ack(String id, Outcome outcome, String detail) {
        return ackAll(List.of(new Done(id, outcome, detail))).getFirst();
    }

    /** Acknowledges several tasks in one atomic step; one answer per task, in order. */
    List<Ack> ackAll(List<Done> done);

    /** Hands claims this node has not started back in their places, no attempt counted (a stop). */
    int release(Collection<String> ids);

    /** Returns expired leases (up to {@code limit}) to the queue or, after the last attempt, to the dead letters. */
    Reaped reap(int limit);

    /** Changes a waiting task's priority (and so its tier); answers "changed" or the state that forbids it. */
    String reprioritize(String id, int priority);

    /** Puts a waiting task just before another of its tier; answers "changed" or why not. */
    String place(String id, String beforeId);

    /**
     * Cancels a waiting task ("cancelled"); asks the holder of a leased one to stop it
     * ("cancel_requested": its next heartbeat reports it); otherwise answers the state that forbids it.
     */
    String cancel(String id);

    /**
     * A task's stored fields (state, node, attempts, deliveries…), empty when unknown or expired; a
     * leased task's also {@code lease_left_ms}, how long its lease holds without a heartbeat (Redis's time).
     */
    Map<String, String> task(String id);

    /**
     * Caps the tasks of each tier leased at once across every node (a tier's {@code max_concurrency}
     * enforced cluster-wide: Redis counts leased tasks per tier); tiers not in the map are uncapped.
     * Every node should be given the same caps; a claim checks the caps of the node that makes it.
     */
    void capTiers(Map<Tier, Integer> maxLeased);

    /** Caps each served tier at its {@code max_concurrency} in {@code flow} across the cluster (the rest uncapped). */
    default void capTiersOf(io.queuedeck.engine.tier.FlowSettings flow) {
        Map<Tier, Integer> caps = new java.util.HashMap<>();
        flow.tiers().forEach((tier, limits) -> {
            if (limits.maxConcurrency() > 0 && tier != Tier.DEAD_LETTER) {
                caps.put(tier, limits.maxConcurrency());
            }
        });
        capTiers(caps);
    }

    /**
     * Limits each tenant's submissions across every node: a token bucket per tenant in Redis,
     * refilled from Redis's own clock inside the enqueue script, so the sum over all nodes stays
     * within the rate. {@code fallback} applies to tenants not named (null: they are not limited);
     * tasks without a tenant never are. Every node should be given the same rates.
     */
    void rateTenants(Map<String, TenantRate> named, TenantRate fallback);

    /**
     * Takes one request from {@code client}'s token bucket in Redis ({@code perSecond} on average,
     * {@code burst} at once), refilled from Redis's own clock, so a client's rate holds for the sum of
     * its requests to every node; answers 0 when taken, else the milliseconds until one will be.
     */
    long takeRequest(String client, double perSecond, int burst);

    /** A tenant's rate: submissions per second on average, and how many may come at once. */
    record TenantRate(double perSecond, int burst) {
        public TenantRate {
            if (!(perSecond > 0) || burst < 1) {
                throw new IllegalArgumentException("a tenant rate needs a positive rate and a burst of at least 1");
            }
        }
    }

    /**
     * This node's own modes (its instance holds, decision 0122), kept in Redis under its name across
     * its restarts, whatever else its process keeps: a store's text pairs.
     */
    io.queuedeck.engine.store.TaskStore.ModePairs nodeModes();

    /** Records this node's state ({@code detail}: its instances, as JSON) and that it is alive, in Redis's time. */
    void announce(String detail);

    /**
     * What this process found, at its announcements, of Redis losing the shared queue's keys (decision
     * 0130): how often, and what the queue held before the last time; {@link DataLoss#NONE} while nothing.
     */
    DataLoss dataLoss();

    /**
     * Returns every lease of node {@code name}, which must be gone, to the queue at once, as the reaper
     * returns an expired one (an attempt counted; dead after the last; cancelled when a cancel was
     * asked): an operator's reclaim of a dead node's leases (decision 0130), in one atomic script.
     * Refused while the node is alive: heard within two of its announcement periods and a second
     * (15 s while it starts), the rule by which its name passes on (decision 0115).
     */
    Reclaimed reclaim(String name);

    /** Takes this node out of {@link #nodes()}: it stops cleanly and runs nothing any more. */
    void leave();

    /** Every node heard from within the last hour, by name: how long ago, and what it last announced. */
    List<NodeStatus> nodes();

    /** Pauses or resumes claiming from a tier on every node. */
    void pauseTier(int tier, boolean paused);

    /**
     * Sets a served tier's mode on every node: paused (no node claims from it), draining (no node
     * queues anything new in it; its tasks still run) or active.
     */
    void tierMode(int tier, io.queuedeck.engine.tier.TierMode mode);

    /** Each served tier's waiting and leased tasks and mode, and the dead letters: the cluster's queue levels. */
    Levels levels();

    /**
     * One page of a list of the queue, read by rank: {@code waiting} in tier {@code tier} best first,
     * {@code leased} by lease expiry, or {@code dead} by when they died. {@code withSpec} adds each
     * task's spec JSON.
     */
    Page list(Listing listing, int tier, int offset, int limit, boolean withSpec);

    /** Puts a dead, failed or cancelled task back in its place; answers "retried" or the state that forbids it. */
    String retry(String id);

    /** Counters of the whole queue: enqueued, claimed, redelivered, acked, duplicates, reaped, dead, cancelled. */
    Map<String, Long> stats();

    /** Tasks waiting, leased, and the lease time. */
    Depth depth();

    @Override
    void close();

    /**
     * The callbacks this node owes for tasks that ended in the queue itself (cancelled while waiting,
     * cancelled or dead-lettered by the reaper, refused by a node): first those it took and never
     * settled, else up to {@code max} taken from the cluster's list (to which the batches of nodes
     * gone silent return first). They stay this node's until {@link #settleOwed}.
     */
    List<Ended> owed(int max);

    /** The callbacks {@link #owed} answered are durable in this node's callback store: forgets them. */
    void settleOwed();

    /**
     * A task that ended in the shared queue, as its record reads now (empty strings and zeros for
     * what it lacks: the record expired, or predates the field).
     *
     * @param state          its state now: cancelled, dead or failed, or another when it was retried since
     * @param queuedAtMillis when it was queued (epoch milliseconds), or 0
     * @param endedAtMillis  when it ended (epoch milliseconds), or 0
     */
    record Ended(String id, String spec, String state, int priority, int attempts, String detail, long sequence,
                 long queuedAtMillis, long endedAtMillis) {
        /** From one row of the OWED script: id, then the record's fields in this record's order. */
        static Ended of(List<String> row) {
            return new Ended(row.get(0), row.get(1), row.get(2), (int) number(row.get(3)), (int) number(row.get(4)),
                    row.get(5), number(row.get(6)), number(row.get(7)), number(row.get(8)));
        }

        /** 0 for a field that is missing or not a whole number: one odd record must not hold back the others' callbacks. */
        private static long number(String text) {
            try {
                return text == null || text.isEmpty() ? 0 : Long.parseLong(text);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }

    /** A task's state in the shared queue as the engine names it; null for one it does not know. */
    static TaskState stateOf(String state) {
        return switch (state) {
            case "waiting" -> TaskState.QUEUED;
            case "leased" -> TaskState.RUNNING;
            case "succeeded" -> TaskState.SUCCEEDED;
            case "failed" -> TaskState.FAILED;
            case "cancelled" -> TaskState.CANCELLED;
            case "dead" -> TaskState.DEAD_LETTERED;
            default -> null;
        };
    }

    /** How an acknowledged task ended; {@code REFUSED}: failed without running, refused by the node that claimed it. */
    enum Outcome { SUCCEEDED, FAILED, CANCELLED, REFUSED }

    /** How one task ended, to acknowledge. */
    record Done(String id, Outcome outcome, String detail) {
        /** How {@code task}, finished by this node's engine, ended. */
        static Done of(io.queuedeck.engine.task.TaskView task) {
            return switch (task.state()) {
                case SUCCEEDED -> new Done(task.id(), Outcome.SUCCEEDED, "");
                case CANCELLED -> new Done(task.id(), Outcome.CANCELLED, "");
                default -> new Done(task.id(), Outcome.FAILED,
                        task.state().name().toLowerCase(java.util.Locale.ROOT) + (task.error() == null ? "" : ": " + task.error()));
            };
        }
    }

    /** The answer to an acknowledgement. */
    enum Ack { FIRST, DUPLICATE, UNKNOWN }

    /**
     * The answer to an enqueue: created, an identical retry of a known id, or a different body under
     * a known id; or nothing queued because its tier drains or its tenant is over its rate.
     *
     * @param retryAfterMillis for {@code RATE_LIMITED}: how long until the tenant's bucket holds one submission
     */
    record Enqueued(Kind kind, String state, long sequence, long retryAfterMillis) {
        /** Without a wait. */
        public Enqueued(Kind kind, String state, long sequence) {
            this(kind, state, sequence, 0);
        }

        /** What an enqueue did ({@code DRAINING}, {@code RATE_LIMITED}: nothing). */
        public enum Kind { CREATED, EXISTING, CONFLICT, DRAINING, RATE_LIMITED }

        /**
         * The submission's answer: the task as queued ({@code complete}, seen at engine-clock {@code nowNanos}),
         * or the refusal a single engine would throw.
         */
        io.queuedeck.engine.task.SubmitResult result(io.queuedeck.engine.task.TaskSpec complete, long nowNanos) {
            switch (kind) {
                case CONFLICT -> throw new io.queuedeck.engine.task.TaskConflictException("task_id " + complete.taskId()
                        + " is already used by a different task");
                case RATE_LIMITED -> {
                    long seconds = Math.max(1, (retryAfterMillis + 999) / 1000);
                    throw new io.queuedeck.engine.task.TenantRateLimitedException(complete.tenant(), seconds, "tenant '"
                            + complete.tenant() + "' is over its rate across the cluster; retry in " + seconds + " s");
                }
                case DRAINING -> throw new io.queuedeck.engine.task.DrainingException("the tier of priority " + complete.priority()
                        + " is draining across the cluster and takes no new tasks");
                default -> {
                }
            }
            var taskState = java.util.Objects.requireNonNullElse(stateOf(state), io.queuedeck.engine.task.TaskState.FAILED);
            var view = new io.queuedeck.engine.task.TaskView(complete.taskId(), complete, taskState, complete.priority(), 0, -1,
                    sequence, nowNanos, 0, 0, 0, 0, 0, 0, 0, 0, null, null, List.of());
            return new io.queuedeck.engine.task.SubmitResult(view, kind == Kind.CREATED);
        }

        /** One row of {@link QueueScripts#ENQUEUE}'s answer: {outcome, state, sequence or wait in ms}. */
        static Enqueued ofRow(List<?> row) {
            Kind kind = switch ((String) row.get(0)) {
                case "created" -> Kind.CREATED;
                case "existing" -> Kind.EXISTING;
                case "draining" -> Kind.DRAINING;
                case "rate_limited" -> Kind.RATE_LIMITED;
                default -> Kind.CONFLICT;
            };
            String number = (String) row.get(2);
            long value = number == null ? 0 : Long.parseLong(number);
            return kind == Kind.RATE_LIMITED ? new Enqueued(kind, (String) row.get(1), 0, value)
                    : new Enqueued(kind, (String) row.get(1), value, 0);
        }
    }

    /**
     * A task leased to this node.
     *
     * @param token    the delivery count; above 1 the task was delivered before (a redelivery)
     * @param attempts leases of it that expired before
     */
    record Claim(String id, TaskSpec spec, long token, int attempts) {}

    /** What a heartbeat found: leases lost, and held tasks someone asked to cancel. */
    record Beat(List<String> lost, List<String> cancel) {}

    /**
     * Redis lost the shared queue's keys (a FLUSHALL, a restart without persistence, a failover to an
     * empty replica), as a node found it at an announcement: the queue's marker gone, or another
     * (decision 0130). Sizes are the queue's at the node's look before (its previous announcement, at
     * most a second earlier, or the last before Redis went away): what may be lost.
     *
     * @param times          how often this process found it; 0: never, and the rest is empty
     * @param markerGone     the last time, the marker was gone and this node wrote it again (else another
     *                       node had already, or the node now reaches another Redis)
     * @param markerBy       the node that wrote the marker in effect since
     * @param markerAtMillis when, in Redis's time (epoch milliseconds)
     * @param leasedHere     of the leased tasks, those leased to this node
     */
    record DataLoss(long times, boolean markerGone, String markerBy, long markerAtMillis, long waiting, long leased,
                    long leasedHere, long dead) {
        /** Nothing found. */
        public static final DataLoss NONE = new DataLoss(0, false, "", 0, 0, 0, 0, 0);

        /** What an operator reads of it: the log line, the cluster view's and the console's alert. */
        public String message() {
            if (times == 0) {
                return "";
            }
            return String.format(java.util.Locale.ROOT, "Redis lost the shared queue's data: %s. Before, the queue held"
                    + " %,d waiting and %,d dead-lettered tasks, now gone, and %,d leased (%,d to this node), which run on"
                    + " where they are and call back but have no record any more; submit again what must run (their"
                    + " task_ids are free: the idempotency keys went too). The tier pauses and drains, and this node's"
                    + " instance holds, are written back as they were at that look; tenant and client buckets start full."
                    + " The marker was written again by"
                    + " node %s at %s (Redis's time); new submissions are taken%s", markerGone
                    ? "its marker was gone at this node's announcement (a FLUSHALL, a restart without persistence, a"
                    + " failover to an empty replica)" : "its marker is another than this node knew (another node found"
                    + " it gone first, or the nodes now reach another Redis)", waiting, dead, leased, leasedHere, markerBy,
                    java.time.Instant.ofEpochMilli(markerAtMillis), times == 1 ? "." : " (found " + times + " times since"
                    + " this node started).");
        }

        /** As {@code /metrics} shows it: {@code times}, and the last loss's {@code waiting}, {@code leased}, {@code leased_here}, {@code dead}. */
        public Map<String, Long> counters() {
            Map<String, Long> counters = new java.util.LinkedHashMap<>();
            counters.put("times", times);
            counters.put("waiting", waiting);
            counters.put("leased", leased);
            counters.put("leased_here", leasedHere);
            counters.put("dead", dead);
            return counters;
        }
    }

    /**
     * The answer to {@link #reclaim}.
     *
     * @param heardMillisAgo for {@code ALIVE}: how long ago Redis last heard from the node
     */
    record Reclaimed(Kind kind, long heardMillisAgo, int requeued, int dead, int cancelled) {
        /** What a reclaim did: returned the node's leases; nothing, as the node is alive, or unknown. */
        public enum Kind { RECLAIMED, ALIVE, UNKNOWN }

        /** From the answer of {@link NodeScripts#RECLAIM}. */
        static Reclaimed of(List<?> answer) {
            return switch ((String) answer.get(0)) {
                case "reclaimed" -> new Reclaimed(Kind.RECLAIMED, 0, ((Long) answer.get(1)).intValue(),
                        ((Long) answer.get(2)).intValue(), ((Long) answer.get(3)).intValue());
                case "alive" -> new Reclaimed(Kind.ALIVE, (Long) answer.get(1), 0, 0, 0);
                default -> new Reclaimed(Kind.UNKNOWN, 0, 0, 0, 0);
            };
        }

        /** Tasks whose leases returned. */
        public int tasks() {
            return requeued + dead + cancelled;
        }
    }

    /** A node of the queue as it last announced itself: the cluster view's row. */
    record NodeStatus(String name, long ageMillis, String detail) {}

    /** What one reaper pass did. */
    record Reaped(int requeued, int dead) {}

    /** The lists {@link #list} reads. */
    enum Listing { WAITING, LEASED, DEAD }

    /** A served tier's levels across the cluster ({@code name}: the tier's name, e.g. {@code core}). */
    record TierLevel(int tier, String name, long waiting, long leased, boolean paused, boolean draining) {}

    /** The cluster's queue levels: one row per served tier, most urgent first, and the dead letters. */
    record Levels(List<TierLevel> tiers, long dead) {
        /** Waiting tasks in every tier. */
        public long waiting() {
            return tiers.stream().mapToLong(TierLevel::waiting).sum();
        }
    }

    /**
     * A task as a list of the queue shows it.
     *
     * @param node the node holding it (leased) or that held it last; null when none
     * @param spec its spec JSON, when asked for; else null
     */
    record Listed(String id, String state, int priority, String node, int attempts, int deliveries, String finishedBy,
                  String detail, boolean cancelRequested, String spec) {
        /** One row of {@link QueueScripts#LIST}'s answer. */
        static Listed ofRow(List<?> f) {
            String detail = (String) f.get(7);
            return new Listed((String) f.get(0), (String) f.get(1), intOf(f.get(2)), (String) f.get(3), intOf(f.get(4)),
                    intOf(f.get(5)), (String) f.get(6), detail == null || detail.isEmpty() ? null : detail, f.get(8) != null,
                    (String) f.get(9));
        }

        private static int intOf(Object text) {
            return text == null ? 0 : (int) Double.parseDouble((String) text);
        }
    }

    /** One page of a list and how many the whole list holds. */
    record Page(long total, List<Listed> tasks) {}

    /** Sizes of the queue. */
    record Depth(long waiting, long leased) {}

    /**
     * The queue {@code queue} on the Redis server at {@code uri}, as node {@code node}.
     *
     * @param lease       how long a claim holds without a heartbeat
     * @param maxAttempts expired leases after which a task is dead-lettered
     * @param window      how long a finished task's record and its idempotency key are kept
     * @throws IllegalArgumentException for a malformed argument or an unreachable server
     */
    static SharedQueue redis(String uri, String queue, String node, Duration lease, int maxAttempts, Duration window) {
        return redis(uri, queue, node, lease, maxAttempts, window, io.queuedeck.engine.tier.Tiers.DEFAULT);
    }

    /** The same on a tier table of the config's own; every node of the queue must run the same one. */
    static SharedQueue redis(String uri, String queue, String node, Duration lease, int maxAttempts, Duration window,
                             io.queuedeck.engine.tier.Tiers table) {
        java.util.regex.Pattern name = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,64}");
        if (queue == null || !name.matcher(queue).matches()) {
            throw new IllegalArgumentException("queue name must be 1 to 64 letters, digits, '_', '.' or '-', got '" + queue + "'");
        }
        if (node == null || !name.matcher(node).matches()) {
            throw new IllegalArgumentException("node name must be 1 to 64 letters, digits, '_', '.' or '-', got '" + node + "'");
        }
        if (lease == null || lease.toMillis() < 100) {
            throw new IllegalArgumentException("lease must be at least 100 ms, got " + lease);
        }
        if (lease.compareTo(MAX_LEASE) > 0) { // 1,000 h stranded a killed node's 370 tasks for as long
            throw new IllegalArgumentException("lease must be at most 1h (a dead node's claimed tasks wait that long for"
                    + " another node), got " + lease);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts must be at least 1, got " + maxAttempts);
        }
        if (window == null || window.toMillis() < 1) {
            throw new IllegalArgumentException("idempotency window must be positive, got " + window);
        }
        if (uri == null || !(uri.startsWith("redis://") || uri.startsWith("rediss://"))) {
            throw new IllegalArgumentException("Redis URI must look like redis://HOST:PORT[/DB] (or rediss:// for TLS)");
        }
        return RedisSharedQueue.open(uri, queue, node, lease, maxAttempts, window, table);
    }
}
