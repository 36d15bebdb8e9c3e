package io.queuedeck.engine.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Store files hold the tenants' data (queued task bodies, callback URLs): directories QueueDeck
 * makes are 0700 and its files 0600, created so before a storage engine opens them.
 */
public final class PrivateFiles {
    private PrivateFiles() {}

    /**
     * Makes {@code dir} if missing and {@code dir/fileName} readable by its owner only (created
     * empty if missing, an empty file being a new store for every engine used here).
     *
     * @return the file's path
     * @throws IllegalArgumentException when the directory cannot be made or written
     */
    public static Path prepare(Path dir, String fileName) {
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
        return file;
    }

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

    /** An existing file made by an older version with the default umask is narrowed to 0600. */
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
