package io.queuedeck.engine.loop;

import java.util.Arrays;

/**
 * Which task ids finished within the idempotency window, in fixed memory: a Bloom filter, so
 * "no" is certain and "maybe" sends the question to the store (decision 0058). Ids are kept in
 * generations by expiry, each a slice of the window; a generation whose last id has expired is
 * cleared and reused, so the filter forgets as the window moves on. The more ids finish within one
 * slice, the more often it answers "maybe" for an id it never saw: the answers stay right, they
 * only cost a store read. Loop thread only.
 */
final class FinishedFilter {
    /** Slices the window is cut into; at most two more generations are live at once. */
    static final int GENERATIONS = 8;
    private static final int SLOTS = GENERATIONS + 2;
    /** Bits of one generation: 2 MiB, so the filter never holds more than 20 MiB. */
    static final int DEFAULT_BITS = 1 << 24;
    /** About 1 in 1,600 new ids is a false "maybe" at 650,000 ids per generation (60 tasks/s, 24 h window). */
    private static final int HASHES = 6;

    private final long windowNanos;
    private final long sliceNanos;
    private final int mask;
    private final int words;
    /** A slot's bits, allocated when first used. */
    private final long[][] bits = new long[SLOTS][];
    /** The generation each slot holds (expiries in [g × slice, (g + 1) × slice)); MIN_VALUE: none. */
    private final long[] generation = new long[SLOTS];
    private final int[] added = new int[SLOTS];

    /** @param bitsPerGeneration a power of two, at least 64 */
    FinishedFilter(long windowNanos, int bitsPerGeneration) {
        if (bitsPerGeneration < 64 || Integer.bitCount(bitsPerGeneration) != 1) {
            throw new IllegalArgumentException("bits per generation must be a power of two of at least 64, got "
                    + bitsPerGeneration);
        }
        this.windowNanos = Math.max(0, windowNanos);
        // rounded up, so the window spans at most GENERATIONS slices and every live generation has a slot
        this.sliceNanos = Math.max(1, this.windowNanos / GENERATIONS + (this.windowNanos % GENERATIONS == 0 ? 0 : 1));
        this.mask = bitsPerGeneration - 1;
        this.words = bitsPerGeneration / 64;
        Arrays.fill(generation, Long.MIN_VALUE);
    }

    /** Remembers that {@code id} finished and is to be answered until {@code expiresAt}. */
    void add(String id, long expiresAt, long now) {
        if (expiresAt <= now) {
            return;
        }
        // a window shortened across a restart ends at the new window's end
        long g = Math.floorDiv(Math.min(expiresAt, Durability.saturatedAdd(now, windowNanos)), sliceNanos);
        int slot = (int) Math.floorMod(g, (long) SLOTS);
        if (generation[slot] != g) { // what the slot held has expired: every live generation has a slot of its own
            if (bits[slot] == null) {
                bits[slot] = new long[words];
            } else {
                Arrays.fill(bits[slot], 0L);
            }
            generation[slot] = g;
            added[slot] = 0;
        }
        long[] set = bits[slot];
        long h = hash(id);
        int h1 = (int) h, h2 = (int) (h >>> 32) | 1;
        for (int i = 0; i < HASHES; i++) {
            int bit = (h1 + i * h2) & mask;
            set[bit >>> 6] |= 1L << bit;
        }
        added[slot]++;
    }

    /** False when {@code id} surely did not finish within the window; true when it may have. */
    boolean mayContain(String id, long now) {
        long h = hash(id);
        int h1 = (int) h, h2 = (int) (h >>> 32) | 1;
        for (int slot = 0; slot < SLOTS; slot++) {
            if (generation[slot] == Long.MIN_VALUE || end(generation[slot]) <= now) {
                continue;
            }
            long[] set = bits[slot];
            boolean all = true;
            for (int i = 0; i < HASHES && all; i++) {
                int bit = (h1 + i * h2) & mask;
                all = (set[bit >>> 6] & (1L << bit)) != 0;
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** Ids added to the generations still live (an id added twice counts twice). */
    long size(long now) {
        long size = 0;
        for (int slot = 0; slot < SLOTS; slot++) {
            if (generation[slot] != Long.MIN_VALUE && end(generation[slot]) > now) {
                size += added[slot];
            }
        }
        return size;
    }

    /** Bytes of bits allocated so far. */
    long bytes() {
        long bytes = 0;
        for (long[] set : bits) {
            bytes += set == null ? 0 : 8L * set.length;
        }
        return bytes;
    }

    private long end(long g) {
        return g >= Long.MAX_VALUE / sliceNanos - 1 ? Long.MAX_VALUE : (g + 1) * sliceNanos;
    }

    /** FNV-1a over the characters, then MurmurHash3's finaliser to spread the bits. */
    static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
