package io.queuedeck.engine.store;

/**
 * The Lua script that applies one batch of {@link StoreWrite}s to a queue's keys. Redis runs a
 * script atomically, but does not roll one back that fails half-way: so the script checks every
 * operation before it changes anything, and a malformed batch changes nothing.
 *
 * <p>KEYS: the task hash (sequence to record), the set of sequences handed on, the mode hash.
 * ARGV: triples of operation, key and value. Answers the number of task records after the batch.
 */
final class RedisBatchScript {
    static final String PUT = "put";
    static final String REMOVE = "remove";
    static final String HANDED_ON = "handed";
    static final String MODE = "mode";

    /*
     * A put replaces the record and with it any earlier "handed on" mark (the record carries its
     * own flag); a mark for a sequence without a record is ignored, as the embedded store does.
     */
    static final String SOURCE = """
            local tasks, handed, modes = KEYS[1], KEYS[2], KEYS[3]
            local n = #ARGV
            if n % 3 ~= 0 then
              return redis.error_reply('ERR batch arguments must come in triples, got ' .. n)
            end
            for i = 1, n, 3 do
              local op = ARGV[i]
              if op ~= 'put' and op ~= 'remove' and op ~= 'handed' and op ~= 'mode' then
                return redis.error_reply('ERR unknown batch operation ' .. op)
              end
            end
            for i = 1, n, 3 do
              local op, key = ARGV[i], ARGV[i + 1]
              if op == 'put' then
                redis.call('HSET', tasks, key, ARGV[i + 2])
                redis.call('SREM', handed, key)
              elseif op == 'remove' then
                redis.call('HDEL', tasks, key)
                redis.call('SREM', handed, key)
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

    private RedisBatchScript() {}
}
