package io.queuedeck.engine.cluster;

import static io.queuedeck.engine.cluster.QueueScripts.ALLOW_OOM;
import static io.queuedeck.engine.cluster.QueueScripts.PRELUDE;
import static io.queuedeck.engine.cluster.QueueScripts.LEASE_LOST;

/**
 * The Lua scripts about the nodes of a shared queue, each atomic on the server (the prelude and
 * keys of {@link QueueScripts}): a node's name as one process's (decision 0115), its announcements
 * and what it sees of the queue at each (the queue's marker, decision 0130), the cluster view, and
 * an operator's reclaim of a node that is gone.
 */
final class NodeScripts {
    /**
     * How long a claimed name stays its process's before its first announcement: a node claims its
     * name when it opens the queue and announces itself only once it runs (the console: after its
     * window and API are up), seconds later.
     */
    static final long STARTING_MILLIS = 15_000;

    /**
     * How often a node announces itself: at least once a second, so a newcomer under its name learns
     * within seconds whether the name's process is alive (its claim records this period).
     */
    static long announceMillis(java.time.Duration lease) {
        return Math.min(1_000, Math.max(20, lease.toMillis() / 3));
    }

    /**
     * ARGV: prefix, node, this process's claim on the name ("INCARNATION PERIOD_MS"), the starting
     * limit ({@link #STARTING_MILLIS}). Makes the name this process's unless another process holds it
     * and was heard within two of its announcement periods and a second (within the starting limit
     * while that one starts: claimed, not yet announced): then changes nothing and answers {when it
     * was heard, ms ago}. Answers {} once the name is this process's (decision 0115).
     */
    static final String CLAIM_NAME = ALLOW_OOM + PRELUDE + """
            local held = redis.call('HGET', P .. 'owner', ARGV[2])
            if held and held ~= ARGV[3] then
              local heard = tonumber(redis.call('HGET', P .. 'seen', ARGV[2]) or '0')
              local period = tonumber(string.match(held, ' (%d+)$') or '0')
              local t, limit = now(), 2 * period + 1000
              if redis.call('HEXISTS', P .. 'nodes', ARGV[2]) == 0 then limit = math.max(limit, tonumber(ARGV[4])) end
              if t - heard <= limit then return {heard, t - heard} end
            end
            redis.call('HSET', P .. 'owner', ARGV[2], ARGV[3])
            redis.call('HSET', P .. 'seen', ARGV[2], now())
            return {}
            """;

    /**
     * What a node sees of the queue at each announcement, and at its start: the queue's marker
     * ({@code epoch}: an id, the node that wrote it and Redis's time then), written when there is none
     * (a queue seen for the first time, or one whose keys Redis lost: decision 0130), and the queue's
     * sizes, so that a node that finds the marker gone or another can say what was there before.
     * {@code see(fresh id, node, first ARGV of the served tiers)} answers {the marker, 1 when this call
     * wrote it, waiting, leased, dead, leased to the node, the paused tiers, the draining ones, the
     * node's instance holds as name, value...}: O(1) reads, one per served tier and three, and what an
     * operator set, a few entries (put back after a loss, {@link #PUT_BACK}).
     */
    private static final String SEE = """
            local function see(fresh, node, from)
              local wrote = redis.call('SET', P .. 'epoch', fresh .. ' ' .. node .. ' ' .. now(), 'NX') and 1 or 0
              local waiting = 0
              for i = from, #ARGV do waiting = waiting + redis.call('ZCARD', P .. 'w:' .. ARGV[i]) end
              return {redis.call('GET', P .. 'epoch'), wrote, waiting, redis.call('ZCARD', P .. 'leases'),
                redis.call('ZCARD', P .. 'dead'), redis.call('SCARD', P .. 'n:' .. node),
                redis.call('SMEMBERS', P .. 'paused'), redis.call('SMEMBERS', P .. 'draining'),
                redis.call('HGETALL', P .. 'modes:' .. node)}
            end
            """;

    /** ARGV: prefix, node, a fresh marker id, the served tiers. What the node sees at its start ({@link #SEE}). */
    static final String EPOCH = ALLOW_OOM + PRELUDE + SEE + """
            return see(ARGV[3], ARGV[2], 4)
            """;

    /**
     * ARGV: prefix, node, detail, the node's tier table, its claim on the name, a fresh marker id, the
     * served tiers. Records the node's instances and when Redis last heard from it, and the table
     * again if Redis lost it (restarted empty): a node with another table joining then is still
     * refused. Answers {the table Redis holds, '', what it saw ({@link #SEE})}, or, when another
     * process took the name over while this one was silent, {table, its claim, what it saw} without
     * recording anything of the node.
     */
    static final String ANNOUNCE = ALLOW_OOM + PRELUDE + SEE + """
            local seen = see(ARGV[6], ARGV[2], 7)
            local held = redis.call('HGET', P .. 'owner', ARGV[2])
            if held and held ~= ARGV[5] then return {redis.call('GET', P .. 'tiers') or '', held, seen} end
            redis.call('HSET', P .. 'owner', ARGV[2], ARGV[5])
            redis.call('HSET', P .. 'nodes', ARGV[2], ARGV[3])
            redis.call('HSET', P .. 'seen', ARGV[2], now())
            redis.call('SET', P .. 'tiers', ARGV[4], 'NX')
            return {redis.call('GET', P .. 'tiers'), '', seen}
            """;

    /**
     * ARGV: prefix, node, the number of paused tiers, them, the number of draining tiers, them, the
     * node's instance holds as name, value... What an operator had set, written back after Redis lost
     * it (decision 0130): a tier is paused or drained again unless it was given the other mode since,
     * a hold is set again unless one was set since.
     */
    static final String PUT_BACK = PRELUDE + """
            local i = 3
            for _, mode in ipairs({{'paused', 'draining'}, {'draining', 'paused'}}) do
              local n = tonumber(ARGV[i])
              for k = i + 1, i + n do
                if redis.call('SISMEMBER', P .. mode[2], ARGV[k]) == 0 then redis.call('SADD', P .. mode[1], ARGV[k]) end
              end
              i = i + n + 1
            end
            for k = i, #ARGV, 2 do redis.call('HSETNX', P .. 'modes:' .. ARGV[2], ARGV[k], ARGV[k + 1]) end
            return {1}
            """;

    /** ARGV: prefix, node, its claim. Forgets the node (a clean stop, not a silence) if the name is still its. */
    static final String LEAVE = ALLOW_OOM + PRELUDE + """
            local held = redis.call('HGET', P .. 'owner', ARGV[2])
            if held and held ~= ARGV[3] then return {0} end
            redis.call('HDEL', P .. 'nodes', ARGV[2])
            redis.call('HDEL', P .. 'seen', ARGV[2])
            redis.call('HDEL', P .. 'owner', ARGV[2])
            return {1}
            """;

    /**
     * ARGV: prefix, forget ms. Answers {node, detail, ms since it was last heard} per node, in
     * Redis's time; a node silent for longer than {@code forget} is dropped, one
     * not yet announced (it claimed its name a moment ago) is not listed.
     */
    static final String NODES = PRELUDE + """
            local t, forget = now(), tonumber(ARGV[2])
            local seen = redis.call('HGETALL', P .. 'seen')
            local out = {}
            for i = 1, #seen, 2 do
              local name, age = seen[i], t - tonumber(seen[i + 1])
              if age > forget then
                redis.call('HDEL', P .. 'seen', name)
                redis.call('HDEL', P .. 'nodes', name)
                redis.call('HDEL', P .. 'owner', name)
              else
                local detail = redis.call('HGET', P .. 'nodes', name)
                if detail then out[#out + 1] = {name, detail, age} end -- listed from its first announcement
              end
            end
            return out
            """;

    /**
     * ARGV: prefix, node, max attempts, window ms, the starting limit ({@link #STARTING_MILLIS}). An
     * operator's reclaim of a node that is gone (decision 0130): every lease it holds returns as the
     * reaper returns an expired one, at once instead of at its expiry: to its tier in its old place
     * with an attempt counted, to the dead letters after the last, cancelled when a cancel was asked.
     * Refused while the node is alive by the rule that keeps its name ({@link #CLAIM_NAME}): answers
     * {'alive', ms since it was heard}. Answers {'unknown'} for a name Redis has neither a record nor
     * a lease of, else {'reclaimed', requeued, dead, cancelled}.
     */
    static final String RECLAIM = ALLOW_OOM + PRELUDE + LEASE_LOST + """
            local node, max, window = ARGV[2], tonumber(ARGV[3]), ARGV[4]
            local ids = redis.call('SMEMBERS', P .. 'n:' .. node)
            local heard, owner = redis.call('HGET', P .. 'seen', node), redis.call('HGET', P .. 'owner', node)
            if not heard and not owner and #ids == 0 then return {'unknown'} end
            local t = now()
            if heard then
              local limit = 2 * tonumber(string.match(owner or '', ' (%d+)$') or '0') + 1000
              if redis.call('HEXISTS', P .. 'nodes', node) == 0 then limit = math.max(limit, tonumber(ARGV[5])) end
              if t - tonumber(heard) <= limit then return {'alive', t - tonumber(heard)} end
            end
            local n = {waiting = 0, dead = 0, cancelled = 0}
            for _, id in ipairs(ids) do
              local tk = P .. 't:' .. id
              local f = redis.call('HMGET', tk, 'state', 'node', 'tier', 'score', 'cancel')
              redis.call('SREM', P .. 'n:' .. node, id)
              if f[1] == 'leased' and f[2] == node then
                redis.call('ZREM', P .. 'leases', id)
                redis.call('HINCRBY', P .. 'run', f[3], -1)
                local s = released(tk, id, f[3], f[4], f[5], max, window)
                n[s] = n[s] + 1
              end
            end
            if n.waiting > 0 then redis.call('HINCRBY', P .. 'stats', 'reaped', n.waiting) end
            if n.dead > 0 then redis.call('HINCRBY', P .. 'stats', 'dead', n.dead) end
            if n.cancelled > 0 then redis.call('HINCRBY', P .. 'stats', 'cancelled', n.cancelled) end
            local all = n.waiting + n.dead + n.cancelled
            if all > 0 then redis.call('HINCRBY', P .. 'stats', 'reclaimed', all) end
            return {'reclaimed', n.waiting, n.dead, n.cancelled}
            """;

    private NodeScripts() {}
}
