package io.queuedeck.engine.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The free space on the data directory's disk under which {@code /readyz} fails and the console
 * warns ({@code store.min_free_mb}): a balancer sends new work elsewhere while the disk still takes
 * it, rather than after the first write failed for want of room (decision 0119).
 *
 * @param dir           the data directory
 * @param minFreeBytes  the floor; 0 never fails
 */
public record DiskFloor(Path dir, long minFreeBytes) {
    private static final long MIB = 1024 * 1024;

    /** Usable bytes on the data directory's disk now (one {@code statfs}); -1 when they cannot be read. */
    public long free() {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) { // the store's own writes will say what is wrong: readiness does not guess
            return -1;
        }
    }

    /** Whether {@code free} bytes, as {@link #free} read them, are under the floor (never when unread or with no floor). */
    public boolean under(long free) {
        return minFreeBytes > 0 && free >= 0 && free < minFreeBytes;
    }

    /** Why the server is not ready, or null while the disk has room. */
    public String shortage() {
        long free = free();
        return !under(free) ? null : "the data directory's disk has " + free / MIB + " MiB free, under store.min_free_mb ("
                + minFreeBytes / MIB + " MiB): new work might not be durable for long; free space or move the data directory";
    }
}
