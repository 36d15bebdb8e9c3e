package io.queuedeck.engine.store;

import java.nio.file.Path;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

/**
 * Opens an H2 MVStore file in a data directory (the callback store's, and task files written by
 * earlier versions): made private as {@link PrivateFiles} says, and a file another process holds
 * (MVStore locks it) is refused with a sentence an operator can act on.
 */
public final class MvFiles {
    private MvFiles() {}

    /**
     * The store in {@code dir/fileName}.
     *
     * @throws IllegalArgumentException when the directory cannot be made or written, another
     *                                  QueueDeck holds the file, or the file cannot be opened
     */
    public static MVStore open(Path dir, String fileName) {
        Path file = PrivateFiles.prepare(dir, fileName);
        try {
            return new MVStore.Builder().fileName(file.toString()).open();
        } catch (MVStoreException e) {
            if (e.getErrorCode() == DataUtils.ERROR_FILE_LOCKED) {
                throw StoreLock.inUse(dir, fileName);
            }
            throw new IllegalArgumentException("cannot open " + file + ": " + (diskFull(e)
                    ? DISK_FULL + "; start again once that is fixed" : e.getMessage()));
        }
    }

    private static final String DISK_FULL = "the disk is full";

    /** What a failed MVStore operation means, in the operator's words where they are known. */
    public static String reason(RuntimeException e) {
        return diskFull(e) ? DISK_FULL : e.getMessage();
    }

    /** H2 says "Writing to sun.nio.ch.FileChannelImpl@… failed"; the cause says why. */
    static boolean diskFull(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.io.IOException && String.valueOf(cause.getMessage()).contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }
}
