package io.queuedeck.console;

import io.queuedeck.engine.store.DiskFloor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The data directory's free space against {@code store.min_free_mb}, read every few seconds on a
 * thread of its own (a disk that does not answer must not hold the FX thread), for the status line:
 * the same shortage that fails the API's {@code /readyz} (decision 0119).
 */
final class DiskRoom implements AutoCloseable {
    private static final long PERIOD_SECONDS = 5;

    private final ScheduledThreadPoolExecutor sampler = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().name("queuedeck-disk-room").daemon().factory());
    private volatile String shortage;

    DiskRoom(DiskFloor floor) {
        sampler.scheduleWithFixedDelay(() -> {
            long free = floor.free();
            shortage = !floor.under(free) ? null : String.format(java.util.Locale.ROOT,
                    "DISK LOW: %,d MiB free, under store.min_free_mb (%,d MiB)", free >> 20, floor.minFreeBytes() >> 20);
        }, 0, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    /** The shortage as the status line says it (last read), or null while the disk has room (or before the first read). */
    String shortage() {
        return shortage;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
