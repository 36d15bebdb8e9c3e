package io.queuedeck.engine.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;

/**
 * Opens an H2 MVStore file in a data directory, for the task store and the callback store alike:
 * the directory is made if missing (0700, and the file 0600: they hold tenants' data), and a file another process holds (MVStore locks it) is
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
            createPrivateDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create data directory " + dir + ": " + e.getMessage());
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new IllegalArgumentException("data directory " + dir + " is not a writable directory");
        }
        Path file = dir.resolve(fileName);
        try {
            makePrivateFile(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create " + file + " readable by its owner only: " + e.getMessage());
        }
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

    /** Queued task bodies and callback URLs are the tenants' data: directories we make are 0700. */
    private static void createPrivateDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute) || !posix(absolute)) {
            Files.createDirectories(absolute); // an existing directory keeps the mode its owner gave it
            return;
        }
        Path parent = absolute.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            createPrivateDirectories(parent);
        }
        try {
            Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // made meanwhile by another opener
        }
    }

    /**
     * The store file is created 0600 before MVStore opens it (an empty file is a new store), and an
     * existing one made by an older version with the default umask is narrowed to 0600.
     */
    private static void makePrivateFile(Path file) throws IOException {
        if (!posix(file.toAbsolutePath().getParent())) {
            return;
        }
        Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly));
        } catch (FileAlreadyExistsException e) {
            Files.setPosixFilePermissions(file, ownerOnly);
        }
    }

    private static boolean posix(Path path) {
        Path existing = path;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing != null && existing.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
