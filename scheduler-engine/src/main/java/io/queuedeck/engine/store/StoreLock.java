package io.queuedeck.engine.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded store's claim on its data directory: an operating-system lock on a file beside the
 * database, held while the store is open and dropped by the system when the process dies. A second
 * process is refused by the lock; a second store in this process is refused before its file is
 * opened, since closing any descriptor of a locked file would drop this process's lock on it.
 */
public final class StoreLock implements AutoCloseable {
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;

    private StoreLock(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Locks {@code fileName} in {@code dir} (made readable by its owner only).
     *
     * @param what names the store in the refusal ("tasks.db")
     * @throws IllegalArgumentException when another store holds it, in this process or another
     */
    public static StoreLock acquire(Path dir, String fileName, String what) {
        Path file = realPath(PrivateFiles.prepare(dir, fileName)); // one key however the directory is named
        if (!HELD.add(file)) {
            throw inUse(dir, what);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return new StoreLock(file, channel);
            }
        } catch (OverlappingFileLockException sameFileOtherName) {
            // held in this process under another name (a hard link): refused below
        } catch (IOException e) {
            closeQuietly(channel);
            HELD.remove(file);
            throw new IllegalArgumentException("cannot lock " + file + ": " + e.getMessage());
        }
        closeQuietly(channel);
        HELD.remove(file);
        throw inUse(dir, what);
    }

    private static Path realPath(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot lock " + file + ": " + e.getMessage());
        }
    }

    /** The refusal of a directory another QueueDeck holds. */
    public static IllegalArgumentException inUse(Path dir, String what) {
        return new IllegalArgumentException("data directory " + dir + " is in use by another running QueueDeck ("
                + what + " is locked)");
    }

    /** Releases the lock. */
    @Override
    public void close() {
        closeQuietly(channel);
        HELD.remove(file);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close(); // releases the lock
        } catch (IOException e) {
            System.getLogger(StoreLock.class.getName()).log(System.Logger.Level.WARNING,
                    "releasing the lock on a store: " + e.getMessage());
        }
    }
}
