package io.queuedeck.engine.store;

/**
 * The Lua script that applies one batch of {@link StoreWrite}s to a queue's keys. Redis runs a
 * script atomically, but does not roll one back that fails half-way: so the script checks every
 * operation before it changes anything, and a malformed batch changes nothing.
 *
 * <p>KEYS: the task hash (sequence to record), the set of sequences handed on, the mode hash, the
 * finished index (id to sequence) and the expiry index (ids by expiry in epoch milliseconds).
 * ARGV: triples of operation, key and value (a removal's value is the task's id). Answers the
 * number of task records after the batch.
 *
 * <p>Only records with an expiry (finished tasks kept for idempotency) enter the two indexes, so a
 * put of an active task costs what it did before; the Java side says which is which, so the script
 * never decodes a record.
 */
final class RedisBatchScript {
    static final String PUT = "put";
    static final String REMOVE = "remove";
    static final String HANDED_ON = "handed";
    static final String MODE = "mode";
    /** A put of a record with an expiry: its key is "SEQUENCE:EXPIRY_MILLIS:ID" (digits first, so the id may hold colons). */
    static final String PUT_FINISHED = "putf";

    /*
     * A put replaces the record and with it any earlier "handed on" mark (the record carries its
     * own flag); a mark for a sequence without a record is ignored, as the embedded store does.
     */
    static final String SOURCE = """
            local tasks, handed, modes, finished, expiry = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
            local n = #ARGV
            if n % 3 ~= 0 then
              return redis.error_reply('ERR batch arguments must come in triples, got ' .. n)
            end
            for i = 1, n, 3 do
              local op = ARGV[i]
              if op ~= 'put' and op ~= 'putf' and op ~= 'remove' and op ~= 'handed' and op ~= 'mode' then
                return redis.error_reply('ERR unknown batch operation ' .. op)
              end
              if op == 'putf' and not string.match(ARGV[i + 1], '^%d+:%-?%d+:.+$') then
                return redis.error_reply('ERR putf key must be SEQUENCE:EXPIRY_MILLIS:ID, got ' .. ARGV[i + 1])
              end
            end
            for i = 1, n, 3 do
              local op, key = ARGV[i], ARGV[i + 1]
              if op == 'put' then
                redis.call('HSET', tasks, key, ARGV[i + 2])
                redis.call('SREM', handed, key)
              elseif op == 'putf' then
                local seq, at, id = string.match(key, '^(%d+):(%-?%d+):(.+)$')
                redis.call('HSET', tasks, seq, ARGV[i + 2])
                redis.call('SREM', handed, seq)
                redis.call('HSET', finished, id, seq)
                redis.call('ZADD', expiry, at, id)
              elseif op == 'remove' then
                redis.call('HDEL', tasks, key)
                redis.call('SREM', handed, key)
                local id = ARGV[i + 2]
                if id ~= '' and redis.call('HGET', finished, id) == key then
                  redis.call('HDEL', finished, id)
                  redis.call('ZREM', expiry, id)
                end
              elseif op == 'handed' then
                if redis.call('HEXISTS', tasks, key) == 1 then
                  redis.call('SADD', handed, key)
                end
              else
                redis.call('HSET', modes, key, ARGV[i + 2])
              end
            end
            return redis.call('HLEN', tasks)
            """;

    /**
     * Deletes up to ARGV[2] records whose expiry is before ARGV[1] (epoch milliseconds), with their
     * index entries; answers how many went. KEYS as for {@link #SOURCE}.
     */
    static final String FORGET = """
            local tasks, handed, finished, expiry = KEYS[1], KEYS[2], KEYS[4], KEYS[5]
            local ids = redis.call('ZRANGEBYSCORE', expiry, '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
            for _, id in ipairs(ids) do
              local seq = redis.call('HGET', finished, id)
              if seq then
                redis.call('HDEL', tasks, seq)
                redis.call('SREM', handed, seq)
                redis.call('HDEL', finished, id)
              end
              redis.call('ZREM', expiry, id)
            end
            return #ids
            """;

    /**
     * The record and the handed-on mark (1 or 0) of the finished task ARGV[1], or nil: one round
     * trip, read-only. KEYS as for {@link #SOURCE}.
     */
    static final String FIND = """
            local seq = redis.call('HGET', KEYS[4], ARGV[1])
            if not seq then return nil end
            local record = redis.call('HGET', KEYS[1], seq)
            if not record then return nil end
            return {record, redis.call('SISMEMBER', KEYS[2], seq)}
            """;

    private RedisBatchScript() {}
}
