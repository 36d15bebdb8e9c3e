package io.queuedeck.engine.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.queuedeck.engine.store.RedisPersistence;
import io.queuedeck.engine.store.StoreUnavailableException;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.Tiers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@link SharedQueue} on Redis 7 through Lettuce: each step is one script of {@link QueueScripts},
 * run by its SHA (loaded again after a restart empties the server's script cache). One
 * thread-safe connection serves every caller; while it is down, commands are refused at once
 * and Lettuce reconnects with a backoff capped at two seconds.
 */
final class RedisSharedQueue implements SharedQueue {
    private static final System.Logger LOG = System.getLogger(RedisSharedQueue.class.getName());
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10); // how long an answer is awaited
    private static final Duration RATE_WAIT = Duration.ofMillis(500); // how long a client's bucket or a node's mode is awaited
    /** The node's tier table, the same on every node of the queue (checked at open, decision 0070). */
    private final Tiers table;
    /** Tiers in the order claims serve them; the dead-letter tier is never claimed. */
    private final String[] served;

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final String prefix;
    private final String node;
    private final NodeName name;
    private final QueueEpoch epoch;
    private final Duration lease;
    private final String leaseMillis;
    private final String maxAttempts;
    private final String windowMillis;
    /** Cluster-wide caps on leased tasks per served tier, "-1" for none; replaced whole. */
    private volatile String[] caps;
    private final Map<String, String> shas = new ConcurrentHashMap<>();
    /** Tenants' cluster-wide submission rates; replaced whole. */
    private volatile Rates rates = new Rates(Map.of(), null);

    /** Each tenant's rate, or the default one for tenants not named (null: not limited). */
    private record Rates(Map<String, TenantRate> named, TenantRate fallback) {
        TenantRate of(String tenant) {
            return named.getOrDefault(tenant, fallback);
        }
    }

    private RedisSharedQueue(ClientResources resources, RedisClient client, StatefulRedisConnection<String, String> connection,
                             String queue, String node, Duration lease, int maxAttempts, Duration window, Tiers table) {
        this.table = table;
        this.served = table.list().stream().map(RedisSharedQueue::tier).toArray(String[]::new);
        this.caps = unlimited(served.length);
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.redis = connection.sync();
        this.prefix = "qd:{" + queue + "}:";
        this.node = node;
        this.name = new NodeName(prefix, node, NodeScripts.announceMillis(lease));
        this.epoch = new QueueEpoch(prefix, node, served);
        this.lease = lease;
        this.leaseMillis = Long.toString(lease.toMillis());
        this.maxAttempts = Integer.toString(maxAttempts);
        this.windowMillis = Long.toString(window.toMillis());
    }

    /** The queue at {@code uri}, its settings checked by {@link SharedQueue#redis}. */
    static RedisSharedQueue open(String uri, String queue, String node, Duration lease, int maxAttempts, Duration window,
                                 Tiers table) {
        RedisURI target = RedisURI.create(uri);
        if (target.getTimeout().equals(RedisURI.DEFAULT_TIMEOUT_DURATION)) {
            target.setTimeout(COMMAND_TIMEOUT);
        }
        ClientResources resources = ClientResources.builder()
                .reconnectDelay(() -> Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, target);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(5)).build())
                .build());
        try {
            RedisSharedQueue shared = new RedisSharedQueue(resources, client, client.connect(), queue, node, lease,
                    maxAttempts, window, table);
            shared.agreeOnTable();
            shared.claimName();
            shared.epoch.learn(shared::scriptList); // the queue's marker, written if it has none
            shared.shas.put(QueueScripts.TAKE_REQUEST, shared.redis.scriptLoad(QueueScripts.TAKE_REQUEST));
            RedisPersistence.warn(LOG, target.getHost() + ":" + target.getPort(),
                    () -> shared.redis.info("persistence") + shared.redis.info("memory"));
            return shared;
        } catch (RedisException e) {
            client.shutdown();
            resources.shutdown();
            throw new IllegalArgumentException("cannot reach Redis at " + target.getHost() + ":" + target.getPort()
                    + ": " + io.queuedeck.engine.store.RedisPersistence.rootMessage(e));
        }
    }

    private static String[] unlimited(int tiers) {
        return java.util.Collections.nCopies(tiers, "-1").toArray(String[]::new);
    }

    private void claimName() {
        try {
            name.claim(this::scriptList);
        } catch (IllegalArgumentException e) {
            close();
            throw e;
        }
    }

    /**
     * Keys hold a tier's index, so every node must map priorities to the same tiers: the first node
     * records its table, a node with another one is refused (a table change needs an empty queue).
     */
    private void agreeOnTable() {
        String mine = table.toString();
        String held = redis.get(prefix + "tiers"); // read first: a full Redis refuses SETNX even of a key it has
        if (held == null) {
            if (redis.setnx(prefix + "tiers", mine)) {
                return;
            }
            held = redis.get(prefix + "tiers");
        }
        if (!mine.equals(held)) {
            close();
            throw new IllegalArgumentException("the shared queue " + prefix + " runs the tiers " + held
                    + "; this node's are " + mine + " (every node needs the same table; delete " + prefix
                    + "tiers only once the queue is empty)");
        }
    }

    static String tier(Tier tier) {
        return Integer.toString(tier.index());
    }

    @Override
    public String node() {
        return node;
    }

    @Override
    public Duration lease() {
        return lease;
    }

    @Override
    public List<Enqueued> enqueueAll(List<TaskSpec> specs) {
        if (specs.isEmpty()) {
            return List.of();
        }
        String[] args = new String[2 + 8 * specs.size()];
        args[0] = prefix;
        args[1] = windowMillis;
        Rates limits = rates;
        int i = 2;
        for (TaskSpec spec : specs) {
            if (spec.taskId() == null) {
                throw new IllegalArgumentException("a task queued in the shared queue needs its id");
            }
            int priority = spec.priority() == null ? TaskSpec.DEFAULT_PRIORITY : spec.priority();
            String body = SharedSpecs.encode(spec);
            TaskSpec requested = spec.asRequested(); // a resubmission is compared as sent: rules may choose anew
            args[i] = spec.taskId();
            args[i + 1] = body;
            args[i + 2] = Integer.toString(priority);
            args[i + 3] = tier(table.of(priority));
            args[i + 4] = SharedSpecs.hash(requested == spec ? body : SharedSpecs.encode(requested));
            TenantRate rate = spec.tenant() == null ? null : limits.of(spec.tenant());
            args[i + 5] = spec.tenant() == null ? "" : spec.tenant();
            args[i + 6] = rate == null ? "0" : Double.toString(rate.perSecond());
            args[i + 7] = rate == null ? "0" : Integer.toString(rate.burst());
            i += 8;
        }
        List<Object> rows = run(QueueScripts.ENQUEUE, ScriptOutputType.MULTI, args);
        return rows.stream().map(row -> Enqueued.ofRow((List<?>) row)).toList();
    }

    @Override
    public List<Claim> claim(int max, Set<Integer> notHere) {
        if (max <= 0) {
            return List.of();
        }
        String[] args = new String[4 + 2 * served.length];
        args[0] = prefix;
        args[1] = node;
        args[2] = Integer.toString(max);
        args[3] = leaseMillis;
        String[] limits = caps;
        for (int t = 0; t < served.length; t++) {
            args[4 + 2 * t] = served[t];
            args[5 + 2 * t] = notHere.contains(t) ? "0" : limits[t]; // a cap of 0: the script takes none of it
        }
        return scriptList(QueueScripts.CLAIM, args).stream().map(row -> (List<?>) row)
                .map(f -> new Claim((String) f.get(0), SharedSpecs.decode((String) f.get(1)), (Long) f.get(2),
                        ((Long) f.get(3)).intValue())).toList();
    }

    @Override
    public void announce(String detail) {
        List<Object> answer = name.announce(this::scriptList, detail, table.toString(), epoch.asking());
        epoch.saw((List<?>) answer.get(2), this::scriptList); // the marker: Redis lost the queue when it is gone or another
        String held = (String) answer.get(0);
        if (!table.toString().equals(held)) { // a node that joined while Redis had lost the table recorded its own
            LOG.log(System.Logger.Level.ERROR, "the shared queue {0} now records the tiers {1}, this node runs {2}: every node"
                    + " needs the same table; stop the nodes with the other one", prefix, held, table.toString());
        }
    }

    @Override
    public DataLoss dataLoss() {
        return epoch.last();
    }

    @Override
    public Reclaimed reclaim(String gone) {
        return Reclaimed.of(scriptList(NodeScripts.RECLAIM, prefix, gone, maxAttempts, windowMillis,
                Long.toString(NodeScripts.STARTING_MILLIS)));
    }

    @Override
    public void leave() {
        name.leave(this::scriptList);
    }

    @Override
    public List<NodeStatus> nodes() {
        List<Object> rows = run(NodeScripts.NODES, ScriptOutputType.MULTI, prefix, Long.toString(Duration.ofHours(1).toMillis()));
        return rows.stream().map(row -> (List<?>) row).map(f -> new NodeStatus((String) f.get(0), (Long) f.get(2), (String) f.get(1)))
                .sorted(java.util.Comparator.comparing(NodeStatus::name)).toList();
    }

    @Override
    public void rateTenants(Map<String, TenantRate> named, TenantRate fallback) {
        rates = new Rates(Map.copyOf(named), fallback);
    }

    /**
     * Waits at most {@link #RATE_WAIT} for Redis (not the 10 s of other commands): a stalled Redis
     * must not hold up the requests a node can answer from its own engine.
     */
    @Override
    public long takeRequest(String client, double perSecond, int burst) {
        String[] args = {prefix, client, Double.toString(perSecond), Integer.toString(burst)};
        try {
            return briefly(connection.async().evalsha(shas.get(QueueScripts.TAKE_REQUEST), ScriptOutputType.INTEGER,
                    new String[0], args));
        } catch (RedisNoScriptException e) { // a restarted Redis: it answers, load it again
            return run(QueueScripts.TAKE_REQUEST, ScriptOutputType.INTEGER, args);
        }
    }

    /**
     * {@code answer}, awaited {@link #RATE_WAIT} at most (not the 10 s of other commands), for callers
     * a stalled Redis must not hold up; a missing script is thrown as it is, for the caller to load.
     */
    private <T> T briefly(io.lettuce.core.RedisFuture<T> answer) {
        try {
            return answer.get(RATE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RedisNoScriptException missing) {
                throw missing;
            }
            if (e.getCause() instanceof RedisException r && !String.valueOf(r.getMessage()).startsWith("ERR")) {
                throw unreachable(r);
            }
            throw new IllegalStateException("shared queue command failed: " + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new StoreUnavailableException("the shared queue's Redis did not answer within " + RATE_WAIT.toMillis()
                    + " ms", e);
        }
    }

    @Override
    public io.queuedeck.engine.store.TaskStore.ModePairs nodeModes() {
        return new io.queuedeck.engine.store.TaskStore.ModePairs() { // Lettuce stays in this class alone
            @Override
            public Map<String, String> read() {
                return modes(null);
            }

            @Override
            public void write(Map<String, String> pairs) {
                modes(pairs);
            }
        };
    }

    /**
     * Reads this node's modes ({@code pairs} null) or keeps {@code pairs}, the write awaited
     * {@linkplain #briefly briefly}: it runs on the engine's store writer. The hash never expires; a
     * clean stop keeps it.
     */
    private Map<String, String> modes(Map<String, String> pairs) {
        String key = prefix + "modes:" + node;
        if (pairs != null) {
            briefly(connection.async().hset(key, pairs));
            return pairs;
        }
        try {
            return redis.hgetall(key);
        } catch (RedisException e) {
            throw unreachable(e);
        }
    }

    @Override
    public void capTiers(Map<Tier, Integer> maxLeased) {
        String[] next = unlimited(served.length);
        maxLeased.forEach((tier, cap) -> {
            if (tier.index() >= next.length) {
                throw new IllegalArgumentException("tier " + tier + " is never claimed");
            }
            if (cap < 0) {
                throw new IllegalArgumentException("a tier's cap must not be negative, got " + cap + " for " + tier);
            }
            next[tier.index()] = Integer.toString(cap);
        });
        caps = next;
    }

    @Override
    public Beat beat(Collection<String> ids) {
        if (ids.isEmpty()) {
            return new Beat(List.of(), List.of());
        }
        List<String> args = new ArrayList<>(ids.size() + 3);
        args.add(prefix);
        args.add(node);
        args.add(leaseMillis);
        args.addAll(ids);
        List<Object> answer = run(QueueScripts.HEARTBEAT, ScriptOutputType.MULTI, args.toArray(String[]::new));
        return new Beat(strings(answer.get(0)), strings(answer.get(1)));
    }

    @Override
    public List<Ack> ackAll(List<Done> done) {
        if (done.isEmpty()) {
            return List.of();
        }
        String[] args = new String[3 + 3 * done.size()];
        args[0] = prefix;
        args[1] = node;
        args[2] = windowMillis;
        int i = 3;
        for (Done d : done) {
            args[i] = d.id();
            args[i + 1] = d.outcome().name().toLowerCase(Locale.ROOT);
            args[i + 2] = d.detail() == null ? "" : d.detail();
            i += 3;
        }
        return scriptList(QueueScripts.ACK, args).stream().map(row -> switch ((String) row) {
            case "first" -> Ack.FIRST;
            case "duplicate" -> Ack.DUPLICATE;
            default -> Ack.UNKNOWN;
        }).toList();
    }

    @Override
    public int release(Collection<String> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        List<String> args = new ArrayList<>(ids.size() + 2);
        args.add(prefix);
        args.add(node);
        args.addAll(ids);
        Long n = run(QueueScripts.RELEASE, ScriptOutputType.INTEGER, args.toArray(String[]::new));
        return n.intValue();
    }

    @Override
    public Reaped reap(int limit) {
        List<Object> answer = run(QueueScripts.REAP, ScriptOutputType.MULTI, prefix, maxAttempts, Integer.toString(limit),
                windowMillis);
        return new Reaped(((Long) answer.get(0)).intValue(), ((Long) answer.get(1)).intValue());
    }

    @Override
    public String reprioritize(String id, int priority) {
        if (priority < TaskSpec.MIN_PRIORITY || priority > TaskSpec.MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be 0 to 9, got " + priority);
        }
        return run(QueueScripts.REPRIORITIZE, ScriptOutputType.VALUE, prefix, id, Integer.toString(priority),
                tier(table.of(priority)));
    }

    @Override
    public String place(String id, String beforeId) {
        return run(QueueScripts.PLACE, ScriptOutputType.VALUE, prefix, id, beforeId);
    }

    @Override
    public String cancel(String id) {
        return run(QueueScripts.CANCEL, ScriptOutputType.VALUE, prefix, id, windowMillis);
    }

    @Override
    public List<Ended> owed(int max) {
        return scriptList(QueueScripts.OWED, prefix, node, Integer.toString(max)).stream().map(row -> Ended.of(strings(row))).toList();
    }

    @Override
    public void settleOwed() {
        run(QueueScripts.SETTLE_OWED, ScriptOutputType.INTEGER, prefix, node);
    }

    @Override
    public Map<String, String> task(String id) {
        List<Object> flat = run(QueueScripts.TASK, ScriptOutputType.MULTI, prefix, id);
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put((String) flat.get(i), (String) flat.get(i + 1));
        }
        return fields;
    }

    @Override
    public void pauseTier(int tier, boolean paused) {
        try {
            if (paused) {
                redis.sadd(prefix + "paused", Integer.toString(tier));
            } else {
                redis.srem(prefix + "paused", Integer.toString(tier));
            }
        } catch (RedisException e) {
            throw unreachable(e);
        }
    }

    @Override
    public void tierMode(int tier, io.queuedeck.engine.tier.TierMode mode) {
        if (tier < 0 || tier >= served.length) {
            throw new IllegalArgumentException("tier must be 0 to " + (served.length - 1) + ", got " + tier);
        }
        String t = Integer.toString(tier);
        try {
            switch (mode) {
                case ACTIVE -> {
                    redis.srem(prefix + "paused", t);
                    redis.srem(prefix + "draining", t);
                }
                case PAUSED -> {
                    redis.srem(prefix + "draining", t);
                    redis.sadd(prefix + "paused", t);
                }
                case DRAINING -> {
                    redis.srem(prefix + "paused", t);
                    redis.sadd(prefix + "draining", t);
                }
            }
        } catch (RedisException e) {
            throw unreachable(e);
        }
    }

    @Override
    public Levels levels() {
        String[] args = new String[1 + served.length];
        args[0] = prefix;
        System.arraycopy(served, 0, args, 1, served.length);
        List<Object> rows = run(QueueScripts.LEVELS, ScriptOutputType.MULTI, args);
        List<TierLevel> tiers = new ArrayList<>(served.length);
        for (int i = 0; i < served.length; i++) {
            List<?> f = (List<?>) rows.get(i);
            int tier = Integer.parseInt((String) f.get(0));
            tiers.add(new TierLevel(tier, table.list().get(tier).name(), (Long) f.get(1), (Long) f.get(2),
                    (Long) f.get(3) == 1, (Long) f.get(4) == 1));
        }
        return new Levels(List.copyOf(tiers), (Long) rows.get(served.length));
    }

    @Override
    public Page list(Listing listing, int tier, int offset, int limit, boolean withSpec) {
        if (offset < 0 || limit < 0) {
            throw new IllegalArgumentException("offset and limit must not be negative");
        }
        String key = switch (listing) {
            case WAITING -> {
                if (tier < 0 || tier >= served.length) {
                    throw new IllegalArgumentException("tier must be 0 to " + (served.length - 1) + ", got " + tier);
                }
                yield "w:" + tier;
            }
            case LEASED -> "leases";
            case DEAD -> "dead";
        };
        List<Object> rows = run(QueueScripts.LIST, ScriptOutputType.MULTI, prefix, key, Integer.toString(offset),
                Integer.toString(limit), withSpec ? "1" : "0");
        return new Page((Long) rows.get(0), rows.subList(1, rows.size()).stream().map(row -> Listed.ofRow((List<?>) row)).toList());
    }

    /** Redis did not answer, or refused to write, in words a client can act on ({@link RedisRefusals}). */
    static StoreUnavailableException unreachable(RedisException e) {
        return RedisRefusals.unreachable(e.getMessage(), e instanceof io.lettuce.core.RedisCommandTimeoutException, e);
    }

    @Override
    public String retry(String id) {
        return run(QueueScripts.RETRY, ScriptOutputType.VALUE, prefix, id);
    }

    @Override
    public Map<String, Long> stats() {
        Map<String, Long> stats = new LinkedHashMap<>();
        for (String name : List.of("enqueued", "claimed", "redelivered", "acked", "failed", "duplicates", "reaped", "dead",
                "cancelled")) {
            stats.put(name, 0L);
        }
        try {
            redis.hgetall(prefix + "stats").forEach((k, v) -> stats.put(k, Long.parseLong(v)));
        } catch (RedisException e) {
            throw unreachable(e);
        }
        return stats;
    }

    @Override
    public Depth depth() {
        try {
            long waiting = 0;
            for (String tier : served) {
                waiting += redis.zcard(prefix + "w:" + tier);
            }
            return new Depth(waiting, redis.zcard(prefix + "leases"));
        } catch (RedisException e) {
            throw unreachable(e);
        }
    }

    private List<Object> scriptList(String script, String... args) {
        return run(script, ScriptOutputType.MULTI, args);
    }

    @SuppressWarnings("unchecked")
    private <T> T run(String script, ScriptOutputType type, String... args) {
        try {
            String sha = shas.get(script);
            if (sha != null) {
                try {
                    return (T) redis.evalsha(sha, type, new String[0], args);
                } catch (RedisNoScriptException e) {
                    // a restarted server has an empty script cache: load it again below
                }
            }
            shas.put(script, redis.scriptLoad(script));
            return (T) redis.evalsha(shas.get(script), type, new String[0], args);
        } catch (RedisException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("ERR")) {
                throw new IllegalStateException("shared queue script failed: " + e.getMessage(), e);
            }
            throw unreachable(e);
        }
    }

    private static List<String> strings(Object list) {
        return ((List<?>) list).stream().map(String.class::cast).toList();
    }

    @Override
    public synchronized void close() {
        if (!connection.isOpen()) {
            return;
        }
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
