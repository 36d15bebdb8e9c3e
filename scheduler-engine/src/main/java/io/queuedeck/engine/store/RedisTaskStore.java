package io.queuedeck.engine.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.MapScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.ValueScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@link TaskStore} in Redis (7.0 or newer) through Lettuce: one hash of task records keyed by
 * sequence (JSON, as the embedded store keeps them), a set of the sequences handed on since their
 * record was put, and a hash of modes. Every key of a queue carries the queue's name as its hash
 * tag ({@code qd:{default}:tasks}), so on Redis Cluster one queue lives in one slot and a script
 * may touch all of its keys.
 *
 * <p>Each {@link #write} is one Lua script ({@link RedisBatchScript}) that applies the whole batch:
 * Redis runs it atomically, so another client sees all of a batch or none of it. A write returns
 * when Redis has answered the script; what that promises depends on the server's persistence
 * (docs/durability.md, "Redis"): with {@code appendonly yes} and {@code appendfsync always} the
 * batch is in the append-only file and synced before the answer.
 *
 * <p>While Redis cannot be reached, commands are refused at once rather than queued (a write
 * fails, so the engine answers 503 instead of acknowledging what it could not store), and the
 * client reconnects in the background with a backoff capped at two seconds.
 */
final class RedisTaskStore implements TaskStore {
    /** The queue every engine shares until queues have names of their own. */
    static final String DEFAULT_QUEUE = "default";
    /** Command timeout when the URI sets none (Lettuce's own default is a minute). */
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int SCAN_PAGE = 1_000;

    private static final System.Logger LOG = System.getLogger(RedisTaskStore.class.getName());

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final String[] keys;
    private final String tasksKey;
    private final String handedKey;
    private final String modesKey;
    private final String finishedKey;
    private final String scriptSha;
    private final String forgetSha;
    private final String findSha;
    private volatile int lastCount;
    private volatile boolean closed;

    private RedisTaskStore(ClientResources resources, RedisClient client, StatefulRedisConnection<String, String> connection,
                           String queue) {
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.redis = connection.sync();
        String prefix = "qd:{" + queue + "}:";
        this.tasksKey = prefix + "tasks";
        this.handedKey = prefix + "handed";
        this.modesKey = prefix + "modes";
        this.finishedKey = prefix + "finished";
        this.keys = new String[] {tasksKey, handedKey, modesKey, finishedKey, prefix + "expiry"};
        this.scriptSha = redis.scriptLoad(RedisBatchScript.SOURCE);
        this.forgetSha = redis.scriptLoad(RedisBatchScript.FORGET);
        this.findSha = redis.scriptLoad(RedisBatchScript.FIND);
    }

    /**
     * Connects to {@code uri} ({@code redis://[:password@]HOST[:PORT][/DB]}, or {@code rediss://}
     * for TLS) and keeps {@code queue}'s records there.
     *
     * @throws IllegalArgumentException when the URI or queue name is malformed or Redis cannot be reached
     */
    static RedisTaskStore open(String uri, String queue) {
        if (queue == null || !QUEUE_NAME.matcher(queue).matches()) {
            throw new IllegalArgumentException("queue name must be 1 to 64 letters, digits, '_', '.' or '-', got '"
                    + queue + "'");
        }
        RedisURI target = parse(uri);
        ClientResources resources = ClientResources.builder()
                .reconnectDelay(() -> Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, target);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // a write while disconnected fails now (the submission gets 503), not after the timeout
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(5)).build())
                .build());
        try {
            StatefulRedisConnection<String, String> connection = client.connect();
            try {
                RedisTaskStore store = new RedisTaskStore(resources, client, connection, queue);
                RedisPersistence.warn(LOG, redacted(target),
                        () -> store.redis.info("persistence") + store.redis.info("memory"));
                return store;
            } catch (RuntimeException e) {
                connection.close();
                throw e;
            }
        } catch (RuntimeException e) {
            client.shutdown();
            resources.shutdown();
            if (e instanceof RedisException) { // refused, timed out, or NOAUTH: one line for the operator
                throw new IllegalArgumentException("cannot reach Redis at " + redacted(target) + ": " + RedisPersistence.rootMessage(e));
            }
            throw e;
        }
    }

    private static RedisURI parse(String uri) {
        if (uri == null || !(uri.startsWith("redis://") || uri.startsWith("rediss://"))) {
            // the value is not echoed: it may hold a password
            throw new IllegalArgumentException("Redis URI must look like redis://HOST:PORT[/DB] (or rediss:// for TLS)");
        }
        RedisURI parsed;
        try {
            parsed = RedisURI.create(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Redis URI must look like redis://HOST:PORT[/DB] (it could not be parsed)");
        }
        if (parsed.getHost() == null || parsed.getHost().isBlank()) {
            throw new IllegalArgumentException("Redis URI names no host: redis://HOST:PORT[/DB]");
        }
        if (parsed.getTimeout().equals(RedisURI.DEFAULT_TIMEOUT_DURATION)) {
            parsed.setTimeout(DEFAULT_TIMEOUT);
        }
        return parsed;
    }

    /** Host, port and database, never the password. */
    static String redacted(RedisURI uri) {
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
    }

    @Override
    public StoreContents load(Instant now) {
        checkOpen();
        Set<String> handed = handedOn();
        List<StoredTask> found = new ArrayList<>();
        List<StoreWrite> expired = new ArrayList<>();
        List<StoreWrite> finished = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        ScanArgs page = ScanArgs.Builder.limit(SCAN_PAGE);
        do { // in pages, so a large queue does not hold Redis for one long reply
            MapScanCursor<String, String> scanned = redis.hscan(tasksKey, cursor, page);
            for (Map.Entry<String, String> entry : scanned.getMap().entrySet()) {
                StoredTask task;
                try {
                    task = StoredTaskJson.decode(entry.getValue());
                } catch (IllegalArgumentException e) {
                    LOG.log(System.Logger.Level.WARNING, "skipping unreadable record of the task with sequence "
                            + entry.getKey() + ": " + e.getMessage());
                    continue;
                }
                if (task.expired(now)) {
                    expired.add(new StoreWrite.RemoveTask(task.id(), task.sequence()));
                } else {
                    boolean wasHanded = handed.contains(entry.getKey());
                    found.add(wasHanded ? task.withHandedOn() : task);
                    if (task.expiresAt() != null) {
                        finished.add(new StoreWrite.PutTask(task));
                        if (wasHanded) {
                            finished.add(new StoreWrite.HandedOn(task.id(), task.sequence()));
                        }
                    }
                }
            }
            cursor = scanned;
        } while (!cursor.isFinished());
        if (!expired.isEmpty()) {
            write(expired);
        }
        long indexed = redis.hlen(finishedKey);
        if (indexed < finished.stream().filter(w -> w instanceof StoreWrite.PutTask).count()) {
            // records written before the finished index existed: index them once, so lookups by id find them
            for (int from = 0; from < finished.size(); from += SCAN_PAGE) {
                write(finished.subList(from, Math.min(finished.size(), from + SCAN_PAGE)));
            }
        }
        return ModeKeys.contents(found, redis.hgetall(modesKey));
    }

    private Set<String> handedOn() {
        Set<String> handed = new HashSet<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        ScanArgs page = ScanArgs.Builder.limit(SCAN_PAGE);
        do {
            ValueScanCursor<String> scanned = redis.sscan(handedKey, cursor, page);
            handed.addAll(scanned.getValues());
            cursor = scanned;
        } while (!cursor.isFinished());
        return handed;
    }

    @Override
    public void write(List<StoreWrite> batch) {
        checkOpen();
        if (batch.isEmpty()) {
            return;
        }
        String[] args = new String[batch.size() * 3];
        int i = 0;
        for (StoreWrite write : batch) {
            switch (write) {
                case StoreWrite.PutTask w -> {
                    StoredTask task = w.task();
                    if (task.expiresAt() == null) {
                        args[i] = RedisBatchScript.PUT;
                        args[i + 1] = Long.toString(task.sequence());
                    } else { // kept for idempotency: indexed by id and expiry as well
                        args[i] = RedisBatchScript.PUT_FINISHED;
                        args[i + 1] = task.sequence() + ":" + task.expiresAt().toEpochMilli() + ":" + task.id();
                    }
                    args[i + 2] = StoredTaskJson.encode(task);
                }
                case StoreWrite.RemoveTask w -> {
                    args[i] = RedisBatchScript.REMOVE;
                    args[i + 1] = Long.toString(w.sequence());
                    args[i + 2] = w.id();
                }
                case StoreWrite.HandedOn w -> {
                    args[i] = RedisBatchScript.HANDED_ON;
                    args[i + 1] = Long.toString(w.sequence());
                    args[i + 2] = "";
                }
                case StoreWrite.SetTierMode w -> mode(args, i, ModeKeys.tier(w.tier()), w.mode().name());
                case StoreWrite.SetLaneMode w -> mode(args, i, ModeKeys.lane(w.priority()), w.mode().name());
                case StoreWrite.SetDispatchPaused w ->
                        mode(args, i, ModeKeys.DISPATCH, ModeKeys.paused(w.paused()));
                case StoreWrite.SetInstanceHold w -> mode(args, i, ModeKeys.instance(w.instance()), ModeKeys.hold(w.hold()));
            }
            i += 3;
        }
        Long count = run(scriptSha, RedisBatchScript.SOURCE, ScriptOutputType.INTEGER, args);
        lastCount = count.intValue();
    }

    private <T> T run(String sha, String source, ScriptOutputType type, String... args) {
        try {
            return redis.evalsha(sha, type, keys, args);
        } catch (RedisNoScriptException e) {
            // a restarted or failed-over server has an empty script cache; EVAL loads it again
            return redis.eval(source, type, keys, args);
        }
    }

    /** Through the finished index (id to sequence) that every put of a record with an expiry keeps. */
    @Override
    public boolean findsFinished() {
        return true;
    }

    @Override
    public StoredTask findFinished(String id, Instant now) {
        checkOpen();
        List<Object> found = run(findSha, RedisBatchScript.FIND, ScriptOutputType.MULTI, id);
        if (found == null || found.size() < 2) {
            return null;
        }
        StoredTask task = StoredTaskJson.decode((String) found.get(0));
        if (!task.id().equals(id) || task.expiresAt() == null || task.expired(now)) {
            return null; // expired but not yet swept, or an index entry a later write left behind
        }
        return Long.valueOf(1).equals(found.get(1)) ? task.withHandedOn() : task;
    }

    /** In chunks of {@value #SCAN_PAGE}, each one script, so Redis is never held for one long sweep. */
    @Override
    public int forgetExpired(Instant now) {
        checkOpen();
        int deleted = 0;
        long chunk;
        do {
            Long gone = run(forgetSha, RedisBatchScript.FORGET, ScriptOutputType.INTEGER,
                    Long.toString(now.toEpochMilli()), Integer.toString(SCAN_PAGE));
            chunk = gone;
            deleted += (int) chunk;
        } while (chunk == SCAN_PAGE);
        return deleted;
    }

    private static void mode(String[] args, int i, String key, String value) {
        args[i] = RedisBatchScript.MODE;
        args[i + 1] = key;
        args[i + 2] = value;
    }

    /** Records in the hash; while Redis cannot be reached, the count the last write saw (metrics keep answering). */
    @Override
    public int taskCount() {
        checkOpen();
        try {
            lastCount = Math.toIntExact(redis.hlen(tasksKey));
        } catch (RedisException e) {
            LOG.log(System.Logger.Level.DEBUG, "task count unavailable: " + e.getMessage());
        }
        return lastCount;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the task store is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
