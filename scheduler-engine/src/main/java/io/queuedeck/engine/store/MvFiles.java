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
            throw new IllegalArgumentException("cannot open " + file + ": " + e.getMessage());
        }
    }
}
