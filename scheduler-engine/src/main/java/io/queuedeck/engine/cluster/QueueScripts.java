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
 * processing set; {@code nodes}, {@code seen} and {@code owner} the nodes' announcements, when each
 * was last heard and which process holds each name ({@link NodeScripts}); {@code epoch} the queue's marker
 * ({@link NodeScripts#ANNOUNCE}); {@code paused} the paused tiers; {@code seq}; {@code stats}.
 *
 * <p>Time is Redis's own ({@code TIME}), so leases do not depend on the nodes' clocks agreeing.
 * Scores are formatted with 17 digits: Redis turns a Lua number argument into text with only 14.
 */
final class QueueScripts {
    /** Score = priority × 2^40 + sequence: priority first, then arrival (BullMQ orders by both). */
    static final long PRIORITY_STRIDE = 1L << 40;

    /**
     * The first line of the scripts that move work already accepted on: claiming, extending a lease,
     * acknowledging, handing back, reaping and cancelling run on a full Redis ({@code maxmemory} with
     * {@code noeviction}), which refuses only new submissions; so do a node's announcement and its
     * leaving, so a node can start, and be seen, while Redis is full. Refused too, finished work could
     * not be acknowledged: its leases ran out and it ran again, and ended dead after its attempts.
     * Their writes are a few fields a task or node.
     */
    static final String ALLOW_OOM = "#!lua flags=allow-oom\n";

    static final String PRELUDE = """
            local P = ARGV[1]
            local function now()
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            local function num(x) return string.format('%.17g', x) end
            -- one command for a whole list (in chunks: unpack is bounded by Lua's C stack)
            local function bulk(cmd, key, list, opt)
              for i = 1, #list, 4000 do
                if opt then
                  redis.call(cmd, key, opt, unpack(list, i, math.min(i + 3999, #list)))
                else
                  redis.call(cmd, key, unpack(list, i, math.min(i + 3999, #list)))
                end
              end
            end
            local function terminal(s)
              return s == 'succeeded' or s == 'failed' or s == 'cancelled' or s == 'dead'
            end
            -- a task ended in the queue itself, not on a node that ran it: its callback is owed (OWED)
            local function ended(tk, id)
              redis.call('HSET', tk, 'ended_at', now())
              redis.call('RPUSH', P .. 'ended', id)
            end
            """;

    /**
     * ARGV: prefix, window ms, then per task: id, spec, priority, tier, body hash, tenant, the tenant's
     * rate per second and burst (rate 0: not limited). Answers {outcome, state, sequence or wait ms}
     * per task: 'created', 'existing' (the same body under a known id: an idempotent retry),
     * 'conflict' (another body under it), 'draining' (its tier takes nothing new) or 'rate_limited'
     * (its tenant's bucket is empty; the third field is the wait in ms). The batch takes its
     * sequences with one INCRBY and adds to each tier with one ZADD: per created task Redis runs SET,
     * EXISTS, HSET.
     *
     * <p>A tenant's token bucket ({@code r:TENANT}: tokens, at) is refilled from Redis's own TIME,
     * so its rate holds across every node whatever their clocks; only a created task takes a token.
     */
    static final String ENQUEUE = PRELUDE + """
            local window = ARGV[2]
            local count = (#ARGV - 2) / 8
            local seq = redis.call('INCRBY', P .. 'seq', count) - count
            local out, adds = {}, {}
            local created = 0
            local draining, buckets = {}, {}
            local t = nil
            for i = 3, #ARGV, 8 do
              local id, spec, prio, tier, hash = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3], ARGV[i + 4]
              local tenant, rate, burst = ARGV[i + 5], tonumber(ARGV[i + 6]), tonumber(ARGV[i + 7])
              local tk = P .. 't:' .. id
              seq = seq + 1
              if draining[tier] == nil then draining[tier] = redis.call('SISMEMBER', P .. 'draining', tier) == 1 end
              local prev = false
              local known = redis.call('EXISTS', tk) == 1
              local refused, wait = draining[tier] and not known, nil
              -- a draining tier takes nothing new on any node (a known id still answers)
              if not refused and rate > 0 and not known and redis.call('EXISTS', P .. 'i:' .. id) == 0 then
                local b = buckets[tenant]
                if not b then
                  t = t or now()
                  local f = redis.call('HMGET', P .. 'r:' .. tenant, 'tokens', 'at')
                  local tokens = tonumber(f[1] or burst)
                  local at = tonumber(f[2] or t)
                  b = {tokens = math.min(burst, tokens + math.max(0, t - at) * rate / 1000), rate = rate, burst = burst}
                  buckets[tenant] = b
                end
                if b.tokens >= 1 then
                  b.tokens = b.tokens - 1
                else
                  wait = math.ceil((1 - b.tokens) * 1000 / rate)
                end
              end
              if not refused and not wait then prev = redis.call('SET', P .. 'i:' .. id, hash, 'NX', 'PX', window, 'GET') end
              if refused then
                out[#out + 1] = {'draining', 'refused', '0'}
              elseif wait then
                out[#out + 1] = {'rate_limited', 'refused', tostring(wait)}
              elseif prev or known then
                -- a known id: its record answers (or, once it expired, the idempotency key alone)
                local k = redis.call('HMGET', tk, 'hash', 'state', 'seq')
                local h = k[1] or prev
                if not k[1] then k[2], k[3] = 'finished', '0' end
                out[#out + 1] = {h == hash and 'existing' or 'conflict', k[2], k[3]}
              else
                local score = num(prio * 1099511627776 + seq)
                t = t or now()
                redis.call('HSET', tk, 'spec', spec, 'prio', prio, 'tier', tier, 'seq', seq, 'score', score,
                  'state', 'waiting', 'attempts', 0, 'deliveries', 0, 'hash', hash, 'queued_at', t)
                local a = adds[tier]
                if not a then a = {}; adds[tier] = a end
                a[#a + 1] = score
                a[#a + 1] = id
                created = created + 1
                out[#out + 1] = {'created', 'waiting', tostring(seq)}
              end
            end
            for tier, a in pairs(adds) do bulk('ZADD', P .. 'w:' .. tier, a) end
            for tenant, b in pairs(buckets) do
              local key = P .. 'r:' .. tenant
              redis.call('HSET', key, 'tokens', num(b.tokens), 'at', t)
              -- a full bucket is the default: forget it once it would have refilled
              redis.call('PEXPIRE', key, math.ceil(b.burst * 1000 / b.rate) + 1000)
            end
            if created > 0 then redis.call('HINCRBY', P .. 'stats', 'enqueued', created) end
            return out
            """;

    /**
     * ARGV: prefix, node, how many, lease ms, then per tier in the order they are served: the tier and
     * its cluster-wide cap on leased tasks (-1: none; the {@code run} hash counts them). Moves the
     * best waiting tasks to the node's processing set with a lease. Answers {id, spec, token, attempts}
     * per claimed task; the token is the delivery count, so a redelivery is visible. One ZPOPMIN per
     * tier, one ZADD to the lease index and one SADD for the whole claim; per task HMGET and HSET.
     */
    static final String CLAIM = ALLOW_OOM + PRELUDE + """
            local node, n, lease = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
            local until_ = now() + lease
            local out, leases, held = {}, {}, {}
            local redelivered = 0
            for i = 5, #ARGV, 2 do
              if n <= 0 then break end
              local tier, limit = ARGV[i], tonumber(ARGV[i + 1])
              local room = n
              if limit >= 0 then
                -- the tier's cap holds across every node: leased tasks of the tier are counted in Redis
                room = math.min(n, limit - tonumber(redis.call('HGET', P .. 'run', tier) or '0'))
              end
              if room > 0 and redis.call('SISMEMBER', P .. 'paused', tier) == 0 then
                local popped = redis.call('ZPOPMIN', P .. 'w:' .. tier, room)
                if #popped > 0 then redis.call('HINCRBY', P .. 'run', tier, #popped / 2) end
                for j = 1, #popped, 2 do
                  local id = popped[j]
                  local tk = P .. 't:' .. id
                  local f = redis.call('HMGET', tk, 'spec', 'attempts', 'deliveries')
                  local token = tonumber(f[3]) + 1
                  redis.call('HSET', tk, 'state', 'leased', 'node', node, 'token', token, 'deliveries', token)
                  leases[#leases + 1] = until_
                  leases[#leases + 1] = id
                  held[#held + 1] = id
                  if token > 1 then redelivered = redelivered + 1 end
                  out[#out + 1] = {id, f[1], token, tonumber(f[2])}
                  n = n - 1
                end
              end
            end
            if #out > 0 then
              bulk('ZADD', P .. 'leases', leases)
              bulk('SADD', P .. 'n:' .. node, held)
              redis.call('HINCRBY', P .. 'stats', 'claimed', #out)
              if redelivered > 0 then redis.call('HINCRBY', P .. 'stats', 'redelivered', redelivered) end
            end
            return out
            """;

    /**
     * ARGV: prefix, node, lease ms, ids. Extends the node's leases; answers {the ids it no longer
     * holds, the held ids someone asked to cancel} (a cancel reaches the holder with its next heartbeat).
     */
    static final String HEARTBEAT = ALLOW_OOM + PRELUDE + """
            local node, until_ = ARGV[2], now() + tonumber(ARGV[3])
            local lost, kept, cancel = {}, {}, {}
            for i = 4, #ARGV do
              local f = redis.call('HMGET', P .. 't:' .. ARGV[i], 'state', 'node', 'cancel')
              if f[1] == 'leased' and f[2] == node then
                kept[#kept + 1] = until_
                kept[#kept + 1] = ARGV[i]
                if f[3] then cancel[#cancel + 1] = ARGV[i] end
              else
                lost[#lost + 1] = ARGV[i]
              end
            end
            if #kept > 0 then bulk('ZADD', P .. 'leases', kept, 'XX') end
            return {lost, cancel}
            """;

    /**
     * ARGV: prefix, node, window ms, then per task: id, final state, detail. The first completion of
     * a task wins, whoever holds its lease now (the work is done; at-least-once delivery); any later
     * one is a duplicate, counted and answered as such. Answers 'first', 'duplicate' or 'unknown' per
     * task. Leases and processing sets lose the batch's tasks in one ZREM and one SREM per node, and
     * each tier's count of leased tasks drops once per batch.
     */
    static final String ACK = ALLOW_OOM + PRELUDE + """
            local node, window = ARGV[2], ARGV[3]
            local out, unleased, held, running = {}, {}, {}, {}
            local first, dup, failed = 0, 0, 0
            for i = 4, #ARGV, 3 do
              local id, outcome, detail = ARGV[i], ARGV[i + 1], ARGV[i + 2]
              local refused = outcome == 'refused'
              if refused then outcome = 'failed' end
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
                  running[f[3]] = (running[f[3]] or 0) + 1
                  unleased[#unleased + 1] = id
                  local h = held[f[2]]
                  if not h then h = {}; held[f[2]] = h end
                  h[#h + 1] = id
                end
                -- 'node' stays: the last holder (readers go by 'state')
                redis.call('HSET', tk, 'state', outcome, 'detail', detail, 'finished_by', node)
                redis.call('PEXPIRE', tk, window)
                if refused then ended(tk, id) end
                first = first + 1
                if outcome == 'failed' then failed = failed + 1 end
                out[#out + 1] = 'first'
              end
            end
            if #unleased > 0 then bulk('ZREM', P .. 'leases', unleased) end
            for holder, ids in pairs(held) do bulk('SREM', P .. 'n:' .. holder, ids) end
            for tier, k in pairs(running) do redis.call('HINCRBY', P .. 'run', tier, -k) end
            if first > 0 then redis.call('HINCRBY', P .. 'stats', 'acked', first) end
            if dup > 0 then redis.call('HINCRBY', P .. 'stats', 'duplicates', dup) end
            if failed > 0 then redis.call('HINCRBY', P .. 'stats', 'failed', failed) end
            return out
            """;

    /** ARGV: prefix, node, ids. Hands unstarted claims back in their place, no attempt counted. */
    static final String RELEASE = ALLOW_OOM + PRELUDE + """
            local node, n = ARGV[2], 0
            for i = 3, #ARGV do
              local id = ARGV[i]
              local tk = P .. 't:' .. id
              local f = redis.call('HMGET', tk, 'state', 'node', 'tier', 'score')
              if f[1] == 'leased' and f[2] == node then
                redis.call('HINCRBY', P .. 'run', f[3], -1)
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
     * A lease whose holder is gone (its lease ran out, or an operator reclaimed its node): the attempt
     * is counted, then the task is cancelled (its holder was asked to cancel it and never saw that),
     * dead-lettered (that was its last attempt) or returned to its tier in its old place. The caller
     * has taken it off the lease set, its tier's running count and its node's set. Answers the state.
     */
    static final String LEASE_LOST = """
            local function released(tk, id, tier, score, cancel, max, window)
              redis.call('HDEL', tk, 'node')
              local attempts = redis.call('HINCRBY', tk, 'attempts', 1)
              if cancel then
                redis.call('HSET', tk, 'state', 'cancelled')
                redis.call('PEXPIRE', tk, window)
                ended(tk, id)
                return 'cancelled'
              elseif attempts >= max then
                redis.call('HSET', tk, 'state', 'dead')
                redis.call('ZADD', P .. 'dead', now(), id)
                ended(tk, id)
                return 'dead'
              end
              redis.call('HSET', tk, 'state', 'waiting')
              redis.call('ZADD', P .. 'w:' .. tier, score, id)
              return 'waiting'
            end
            """;

    /**
     * ARGV: prefix, max attempts, limit, window ms. Releases expired leases ({@link #LEASE_LOST}).
     * Answers {requeued, dead}.
     */
    static final String REAP = ALLOW_OOM + PRELUDE + LEASE_LOST + """
            local max, limit, window = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
            local ids = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', now(), 'LIMIT', 0, limit)
            local n = {waiting = 0, dead = 0, cancelled = 0}
            for _, id in ipairs(ids) do
              local tk = P .. 't:' .. id
              local f = redis.call('HMGET', tk, 'node', 'tier', 'score', 'cancel')
              redis.call('ZREM', P .. 'leases', id)
              if f[2] then redis.call('HINCRBY', P .. 'run', f[2], -1) end
              if f[1] then redis.call('SREM', P .. 'n:' .. f[1], id) end
              local s = released(tk, id, f[2], f[3], f[4], max, window)
              n[s] = n[s] + 1
            end
            if n.waiting > 0 then redis.call('HINCRBY', P .. 'stats', 'reaped', n.waiting) end
            if n.dead > 0 then redis.call('HINCRBY', P .. 'stats', 'dead', n.dead) end
            if n.cancelled > 0 then redis.call('HINCRBY', P .. 'stats', 'cancelled', n.cancelled) end
            return {n.waiting, n.dead}
            """;

    /**
     * ARGV: prefix, client, rate per second, burst. Takes one request from the client's token bucket
     * ({@code c:CLIENT}: tokens, at), refilled from Redis's TIME like a tenant's in {@link #ENQUEUE};
     * answers 0 when taken, else the milliseconds until a token will be there.
     */
    static final String TAKE_REQUEST = PRELUDE + """
            local key, rate, burst, t = P .. 'c:' .. ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), now()
            local f = redis.call('HMGET', key, 'tokens', 'at')
            local tokens = math.min(burst, tonumber(f[1] or burst) + math.max(0, t - tonumber(f[2] or t)) * rate / 1000)
            local wait = 0
            if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 1000 / rate) end
            redis.call('HSET', key, 'tokens', num(tokens), 'at', t)
            redis.call('PEXPIRE', key, math.ceil(burst * 1000 / rate) + 1000)
            return wait
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

    /**
     * ARGV: prefix, id, window ms. Cancels a waiting task ('cancelled'); marks a leased one
     * ('cancel_requested': its holder stops it at its next heartbeat and acknowledges it cancelled);
     * otherwise answers the state that forbids it.
     */
    static final String CANCEL = ALLOW_OOM + PRELUDE + """
            local id, window = ARGV[2], ARGV[3]
            local tk = P .. 't:' .. id
            local f = redis.call('HMGET', tk, 'state', 'tier')
            if not f[1] then return 'unknown' end
            if f[1] == 'leased' then
              redis.call('HSET', tk, 'cancel', '1')
              return 'cancel_requested'
            end
            if f[1] ~= 'waiting' then return f[1] end
            redis.call('ZREM', P .. 'w:' .. f[2], id)
            redis.call('HSET', tk, 'state', 'cancelled')
            redis.call('PEXPIRE', tk, window)
            redis.call('HINCRBY', P .. 'stats', 'cancelled', 1)
            ended(tk, id)
            return 'cancelled'
            """;

    /**
     * ARGV: prefix, node, how many. The callbacks this node owes for tasks that ended in the queue
     * itself: first what it took before and never settled (it stopped in between), else up to that
     * many newly taken from the shared list ({@code LMOVE} into the node's own, so none is lost
     * with a node that stops). Before taking new ones it hands back to the shared list what nodes
     * gone silent had taken (not heard for twice their announcement period and a second: stopped
     * for good between taking and settling). Answers per task {id, spec, state, priority, attempts,
     * detail, sequence, queued at, ended at} (empty strings for what its record lacks: it expired).
     */
    static final String OWED = ALLOW_OOM + PRELUDE + """
            local me = ARGV[2]
            local mine = P .. 'owed:' .. me
            local ids = redis.call('LRANGE', mine, 0, -1)
            if #ids == 0 then
              local t = now()
              for _, other in ipairs(redis.call('SMEMBERS', P .. 'owing')) do
                local heard = tonumber(redis.call('HGET', P .. 'seen', other) or '0')
                local period = tonumber(string.match(redis.call('HGET', P .. 'owner', other) or '', ' (%d+)$') or '1000')
                if other ~= me and t - heard > 2 * period + 1000 then
                  while redis.call('LMOVE', P .. 'owed:' .. other, P .. 'ended', 'LEFT', 'RIGHT') do end
                  redis.call('SREM', P .. 'owing', other)
                end
              end
              for _ = 1, tonumber(ARGV[3]) do
                local id = redis.call('LMOVE', P .. 'ended', mine, 'LEFT', 'RIGHT')
                if not id then break end
                ids[#ids + 1] = id
              end
              if #ids > 0 then redis.call('SADD', P .. 'owing', me) end
            end
            local out = {}
            for _, id in ipairs(ids) do
              local f = redis.call('HMGET', P .. 't:' .. id, 'spec', 'state', 'prio', 'attempts', 'detail', 'seq',
                'queued_at', 'ended_at')
              local row = {id}
              for i = 1, 8 do row[i + 1] = f[i] or '' end
              out[#out + 1] = row
            end
            return out
            """;

    /** ARGV: prefix, node. The callbacks {@link #OWED} answered are in this node's store: forgets them. */
    static final String SETTLE_OWED = ALLOW_OOM + PRELUDE + """
            redis.call('SREM', P .. 'owing', ARGV[2])
            return redis.call('DEL', P .. 'owed:' .. ARGV[2])
            """;

    /**
     * ARGV: prefix, then the served tiers. Answers {tier, waiting, leased, paused, draining} per tier
     * and then the dead letters' count: the cluster's queue levels, read in one step.
     */
    static final String LEVELS = PRELUDE + """
            local out = {}
            for i = 2, #ARGV do
              local tier = ARGV[i]
              out[#out + 1] = {tier, redis.call('ZCARD', P .. 'w:' .. tier),
                tonumber(redis.call('HGET', P .. 'run', tier) or '0'),
                redis.call('SISMEMBER', P .. 'paused', tier), redis.call('SISMEMBER', P .. 'draining', tier)}
            end
            out[#out + 1] = redis.call('ZCARD', P .. 'dead')
            return out
            """;

    /**
     * ARGV: prefix, index key ({@code w:TIER}, {@code leases} or {@code dead}), offset, limit, whether
     * to include the spec (1/0). Answers {total, then per task: id, state, prio, node, attempts,
     * deliveries, finished_by, detail, cancel, spec}: one page of one index, read by rank (no scan).
     */
    static final String LIST = PRELUDE + """
            local key, offset, limit, spec = P .. ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5] == '1'
            local out = {redis.call('ZCARD', key)}
            if limit <= 0 then return out end
            for _, id in ipairs(redis.call('ZRANGE', key, offset, offset + limit - 1)) do
              local f = redis.call('HMGET', P .. 't:' .. id, 'state', 'prio', 'node', 'attempts', 'deliveries',
                'finished_by', 'detail', 'cancel', 'spec')
              if f[1] then
                if not spec then f[9] = false end
                out[#out + 1] = {id, f[1], f[2] or false, f[3] or false, f[4] or false, f[5] or false, f[6] or false,
                  f[7] or false, f[8] or false, f[9] or false}
              end
            end
            return out
            """;

    /**
     * ARGV: prefix, id. Puts a dead, failed or cancelled task back in its tier, in its old place, with
     * its attempts cleared and its record kept again; answers 'retried' or the state that forbids it.
     */
    static final String RETRY = PRELUDE + """
            local id = ARGV[2]
            local tk = P .. 't:' .. id
            local f = redis.call('HMGET', tk, 'state', 'tier', 'score')
            if not f[1] then return 'unknown' end
            if f[1] ~= 'dead' and f[1] ~= 'failed' and f[1] ~= 'cancelled' then return f[1] end
            redis.call('ZREM', P .. 'dead', id)
            redis.call('PERSIST', tk)
            -- no longer ended: a callback still owed for its end is not sent (OWED's rows lack ended_at)
            redis.call('HDEL', tk, 'cancel', 'detail', 'finished_by', 'node', 'ended_at')
            redis.call('HSET', tk, 'state', 'waiting', 'attempts', 0)
            redis.call('ZADD', P .. 'w:' .. f[2], f[3], id)
            redis.call('HINCRBY', P .. 'stats', 'retried', 1)
            return 'retried'
            """;

    /**
     * ARGV: prefix, id. A task's fields as a flat list of names and values, and for a leased task
     * {@code lease_left_ms} (its lease's expiry less Redis's own time): one read, so the two agree.
     */
    static final String TASK = PRELUDE + """
            local out = redis.call('HGETALL', P .. 't:' .. ARGV[2])
            local expiry = redis.call('ZSCORE', P .. 'leases', ARGV[2])
            if expiry then
              out[#out + 1] = 'lease_left_ms'
              out[#out + 1] = tostring(math.floor(tonumber(expiry) - now()))
            end
            return out
            """;

    private QueueScripts() {}
}
