package io.queuedeck.engine.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

/**
 * Opens an H2 MVStore file in a data directory, for the task store and the callback store alike:
 * the directory is made if missing, and a file another process holds (MVStore locks it) is
 * refused with a sentence an operator can act on.
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
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create data directory " + dir + ": " + e.getMessage());
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new IllegalArgumentException("data directory " + dir + " is not a writable directory");
        }
        Path file = dir.resolve(fileName);
        try {
            return new MVStore.Builder().fileName(file.toString()).open();
        } catch (MVStoreException e) {
            if (e.getErrorCode() == DataUtils.ERROR_FILE_LOCKED) {
                throw new IllegalArgumentException("data directory " + dir
                        + " is in use by another running QueueDeck (" + fileName + " is locked)");
            }
            throw new IllegalArgumentException("cannot open " + file + ": " + e.getMessage());
        }
    }
}
