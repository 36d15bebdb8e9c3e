package io.queuedeck.engine.store;

/**
 * What the store's writer has done since the engine started, for {@code /metrics}: enough to see
 * an approaching limit (batches growing, commits slowing, the file growing) before it bites.
 *
 * @param batches     group commits made
 * @param writes      writes in those batches (writes / batches is the mean batch size)
 * @param commitNanos time spent in those commits (commit and sync), summed
 * @param sizeBytes   the store's size on disk; 0 for a store that keeps nothing on disk
 * @param tasks       task records the store holds
 */
public record StoreStats(long batches, long writes, long commitNanos, long sizeBytes, int tasks) {}
