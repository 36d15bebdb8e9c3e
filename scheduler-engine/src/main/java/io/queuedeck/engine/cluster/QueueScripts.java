package io.queuedeck.engine.cluster;

/**
 * The Lua scripts of the shared queue, one per step, each atomic on the server. Every key of a
 * queue starts with the prefix {@code qd:{queue}:} passed as {@code ARGV[1]}: the hash tag puts
 * them all in one Redis Cluster slot, so a script may build a task's key from its id (as BullMQ's
 * scripts do) and still touch only keys of that slot.
 *
 * <p>Keys: {@code t:ID} the task (spec JSON stored once, priority, tier, sequence, score, state,
 * owning node, delivery token, attempts); {@code i:ID} the idempotency key ({@code SET NX PX
 * window}, the body's hash); {@code w:TIER} the waiting tasks of a tier by score; {@code leases}
 * every leased task by expiry (what the reaper reads, without scanning); {@code n:NODE} a node's
 * processing set; {@code paused} the paused tiers; {@code seq}; {@code stats}.
 *
 * <p>Time is Redis's own ({@code TIME}), so leases do not depend on the nodes' clocks agreeing.
 * Scores are formatted with 17 digits: Redis turns a Lua number argument into text with only 14.
 */
final class QueueScripts {
    /** Score = priority × 2^40 + sequence: priority first, then arrival (BullMQ orders by both). */
    static final long PRIORITY_STRIDE = 1L << 40;

    private static final String PRELUDE = """
            local P = ARGV[1]
            local function now()
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            local function num(x) return string.format('%.17g', x) end
            local function terminal(s)
              return s == 'succeeded' or s == 'failed' or s == 'cancelled' or s == 'dead'
            end
            """;

    /**
     * ARGV: prefix, window ms, then per task: id, spec, priority, tier, body hash. Answers
     * {outcome, state, sequence} per task: 'created', 'existing' (the same body under a known id: an
     * idempotent retry) or 'conflict' (another body under it).
     */
    static final String ENQUEUE = PRELUDE + """
            local window = ARGV[2]
            local out = {}
            local created = 0
            for i = 3, #ARGV, 5 do
              local id, spec, prio, tier, hash = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3], ARGV[i + 4]
              local tk, idem = P .. 't:' .. id, P .. 'i:' .. id
              local known = redis.call('HMGET', tk, 'hash', 'state', 'seq')
              if known[1] then
                out[#out + 1] = {known[1] == hash and 'existing' or 'conflict', known[2], known[3]}
              elseif not redis.call('SET', idem, hash, 'NX', 'PX', window) then
                out[#out + 1] = {redis.call('GET', idem) == hash and 'existing' or 'conflict', 'finished', '0'}
              else
                local seq = redis.call('INCR', P .. 'seq')
                local score = num(prio * 1099511627776 + seq)
                redis.call('HSET', tk, 'spec', spec, 'prio', prio, 'tier', tier, 'seq', seq, 'score', score,
                  'state', 'waiting', 'attempts', 0, 'deliveries', 0, 'hash', hash)
                redis.call('ZADD', P .. 'w:' .. tier, score, id)
                created = created + 1
                out[#out + 1] = {'created', 'waiting', tostring(seq)}
              end
            end
            if created > 0 then redis.call('HINCRBY', P .. 'stats', 'enqueued', created) end
            return out
            """;

    /**
     * ARGV: prefix, node, how many, lease ms, then the tiers in the order they are served. Moves the
     * best waiting tasks to the node's processing set with a lease. Answers {id, spec, token, attempts}
     * per claimed task; the token is the delivery count, so a redelivery is visible.
     */
    static final String CLAIM = PRELUDE + """
            local node, n, lease = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
            local until_ = now() + lease
            local out = {}
            for i = 5, #ARGV do
              if n <= 0 then break end
              local tier = ARGV[i]
              if redis.call('SISMEMBER', P .. 'paused', tier) == 0 then
                local ids = redis.call('ZRANGE', P .. 'w:' .. tier, 0, n - 1)
                for _, id in ipairs(ids) do
                  local tk = P .. 't:' .. id
                  redis.call('ZREM', P .. 'w:' .. tier, id)
                  local token = redis.call('HINCRBY', tk, 'deliveries', 1)
                  redis.call('HSET', tk, 'state', 'leased', 'node', node, 'token', token)
                  redis.call('ZADD', P .. 'leases', until_, id)
                  redis.call('SADD', P .. 'n:' .. node, id)
                  if token > 1 then redis.call('HINCRBY', P .. 'stats', 'redelivered', 1) end
                  local f = redis.call('HMGET', tk, 'spec', 'attempts')
                  out[#out + 1] = {id, f[1], token, tonumber(f[2])}
                  n = n - 1
                end
              end
            end
            if #out > 0 then redis.call('HINCRBY', P .. 'stats', 'claimed', #out) end
            return out
            """;

    /** ARGV: prefix, node, lease ms, ids. Extends the node's leases; answers the ids it no longer holds. */
    static final String HEARTBEAT = PRELUDE + """
            local node, until_ = ARGV[2], now() + tonumber(ARGV[3])
            local lost = {}
            for i = 4, #ARGV do
              local f = redis.call('HMGET', P .. 't:' .. ARGV[i], 'state', 'node')
              if f[1] == 'leased' and f[2] == node then
                redis.call('ZADD', P .. 'leases', 'XX', until_, ARGV[i])
              else
                lost[#lost + 1] = ARGV[i]
              end
            end
            return lost
            """;

    /**
     * ARGV: prefix, node, window ms, then per task: id, final state, detail. The first completion of
     * a task wins, whoever holds its lease now (the work is done; at-least-once delivery); any later
     * one is a duplicate, counted and answered as such. Answers 'first', 'duplicate' or 'unknown' per task.
     */
    static final String ACK = PRELUDE + """
            local node, window = ARGV[2], ARGV[3]
            local out = {}
            local first, dup, failed = 0, 0, 0
            for i = 4, #ARGV, 3 do
              local id, outcome, detail = ARGV[i], ARGV[i + 1], ARGV[i + 2]
              local tk = P .. 't:' .. id
              local f = redis.call('HMGET', tk, 'state', 'node', 'tier')
              local state = f[1]
              if not state then
                out[#out + 1] = 'unknown'
              elseif terminal(state) then
                dup = dup + 1
                out[#out + 1] = 'duplicate'
              else
                if state == 'waiting' then redis.call('ZREM', P .. 'w:' .. f[3], id) end
                if state == 'leased' then
                  redis.call('ZREM', P .. 'leases', id)
                  redis.call('SREM', P .. 'n:' .. f[2], id)
                end
                redis.call('HSET', tk, 'state', outcome, 'detail', detail, 'finished_by', node)
                redis.call('HDEL', tk, 'node')
                redis.call('PEXPIRE', tk, window)
                first = first + 1
                if outcome == 'failed' then failed = failed + 1 end
                out[#out + 1] = 'first'
              end
            end
            if first > 0 then redis.call('HINCRBY', P .. 'stats', 'acked', first) end
            if dup > 0 then redis.call('HINCRBY', P .. 'stats', 'duplicates', dup) end
            if failed > 0 then redis.call('HINCRBY', P .. 'stats', 'failed', failed) end
            return out
            """;

    /** ARGV: prefix, node, ids. Hands unstarted claims back in their place, no attempt counted. */
    static final String RELEASE = PRELUDE + """
            local node, n = ARGV[2], 0
            for i = 3, #ARGV do
              local id = ARGV[i]
              local tk = P .. 't:' .. id
              local f = redis.call('HMGET', tk, 'state', 'node', 'tier', 'score')
              if f[1] == 'leased' and f[2] == node then
                redis.call('ZREM', P .. 'leases', id)
                redis.call('SREM', P .. 'n:' .. node, id)
                redis.call('HSET', tk, 'state', 'waiting')
                redis.call('HDEL', tk, 'node')
                redis.call('ZADD', P .. 'w:' .. f[3], f[4], id)
                n = n + 1
              end
            end
            return n
            """;

    /**
     * ARGV: prefix, max attempts, limit. Returns expired leases to their tier in their old place
     * with an attempt counted, or dead-letters a task that used its last attempt. Answers {requeued, dead}.
     */
    static final String REAP = PRELUDE + """
            local max, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
            local ids = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', now(), 'LIMIT', 0, limit)
            local requeued, dead = 0, 0
            for _, id in ipairs(ids) do
              local tk = P .. 't:' .. id
              local f = redis.call('HMGET', tk, 'node', 'tier', 'score')
              redis.call('ZREM', P .. 'leases', id)
              if f[1] then redis.call('SREM', P .. 'n:' .. f[1], id) end
              redis.call('HDEL', tk, 'node')
              local attempts = redis.call('HINCRBY', tk, 'attempts', 1)
              if attempts >= max then
                redis.call('HSET', tk, 'state', 'dead')
                redis.call('ZADD', P .. 'dead', now(), id)
                dead = dead + 1
              else
                redis.call('HSET', tk, 'state', 'waiting')
                redis.call('ZADD', P .. 'w:' .. f[2], f[3], id)
                requeued = requeued + 1
              end
            end
            if requeued > 0 then redis.call('HINCRBY', P .. 'stats', 'reaped', requeued) end
            if dead > 0 then redis.call('HINCRBY', P .. 'stats', 'dead', dead) end
            return {requeued, dead}
            """;

    /** ARGV: prefix, id, priority, tier. Moves a waiting task; answers 'changed' or the state that forbids it. */
    static final String REPRIORITIZE = PRELUDE + """
            local id, prio, tier = ARGV[2], tonumber(ARGV[3]), ARGV[4]
            local tk = P .. 't:' .. id
            local f = redis.call('HMGET', tk, 'state', 'tier', 'seq')
            if not f[1] then return 'unknown' end
            if f[1] ~= 'waiting' then return f[1] end
            local score = num(prio * 1099511627776 + tonumber(f[3]))
            redis.call('ZREM', P .. 'w:' .. f[2], id)
            redis.call('HSET', tk, 'prio', prio, 'tier', tier, 'score', score)
            redis.call('ZADD', P .. 'w:' .. tier, score, id)
            return 'changed'
            """;

    /**
     * ARGV: prefix, id, id of the task it goes just before. Both must wait in one tier; the task
     * takes a score between the other and the one before it (drag-to-reprioritize across nodes).
     */
    static final String PLACE = PRELUDE + """
            local id, before = ARGV[2], ARGV[3]
            local tk, bk = P .. 't:' .. id, P .. 't:' .. before
            local f = redis.call('HMGET', tk, 'state', 'tier')
            local b = redis.call('HMGET', bk, 'state', 'tier', 'score', 'prio')
            if not f[1] or not b[1] then return 'unknown' end
            if f[1] ~= 'waiting' then return f[1] end
            if b[1] ~= 'waiting' or b[2] ~= f[2] then return 'not_beside' end
            local w = P .. 'w:' .. f[2]
            redis.call('ZREM', w, id)
            local sb = tonumber(b[3])
            local prev = redis.call('ZREVRANGEBYSCORE', w, '(' .. b[3], '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
            local score = sb - 1
            if #prev > 0 then score = (tonumber(prev[2]) + sb) / 2 end
            redis.call('HSET', tk, 'score', num(score), 'prio', b[4])
            redis.call('ZADD', w, num(score), id)
            return 'changed'
            """;

    /** ARGV: prefix, id, window ms. Cancels a waiting task; answers 'cancelled' or the state that forbids it. */
    static final String CANCEL = PRELUDE + """
            local id, window = ARGV[2], ARGV[3]
            local tk = P .. 't:' .. id
            local f = redis.call('HMGET', tk, 'state', 'tier')
            if not f[1] then return 'unknown' end
            if f[1] ~= 'waiting' then return f[1] end
            redis.call('ZREM', P .. 'w:' .. f[2], id)
            redis.call('HSET', tk, 'state', 'cancelled')
            redis.call('PEXPIRE', tk, window)
            redis.call('HINCRBY', P .. 'stats', 'cancelled', 1)
            return 'cancelled'
            """;

    private QueueScripts() {}
}
