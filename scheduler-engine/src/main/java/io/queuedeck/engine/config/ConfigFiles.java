package io.queuedeck.engine.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a config file, bounded: what stands at a config's path may be a FIFO (the read never
 * returned, and the watcher took no change again), a device or a huge file (/dev/zero ran the
 * heap out). Refusals say why in words.
 */
public final class ConfigFiles {
    /** The largest config file read: far above any real one (the documented default is about 12 KB). */
    public static final int MAX_BYTES = 8 << 20;

    private static final java.util.List<Path> KERNEL_FILES = java.util.List.of(Path.of("/proc"), Path.of("/sys"));

    private ConfigFiles() {}

    /**
     * The file's text.
     *
     * @throws ConfigException naming the file and why it cannot be read
     */
    public static String read(Path file) {
        return read(file, "config file", MAX_BYTES);
    }

    /**
     * The text of a file of the kind {@code what} names ("drill file"), at most {@code maxBytes}.
     *
     * @throws ConfigException naming the file and why it cannot be read
     */
    public static String read(Path file, String what, int maxBytes) {
        try {
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                throw new ConfigException(cannot(file, what, Files.isDirectory(file) ? "it is a directory, not a file"
                        : "it is not a regular file (a FIFO, a socket or a device)"));
            }
            if (Files.exists(file) && KERNEL_FILES.stream().anyMatch(file.toRealPath()::startsWith)) {
                // regular to the file system, but a read may wait for the kernel forever (/proc/kmsg held the control plane)
                throw new ConfigException(cannot(file, what, "it is a kernel file (/proc, /sys), not a file of settings"));
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(maxBytes + 1);
            }
            if (bytes.length > maxBytes) {
                throw new ConfigException(cannot(file, what, "it is larger than the " + (maxBytes >= 1 << 20 ? (maxBytes >> 20)
                        + " MiB" : (maxBytes >> 10) + " KiB") + " a " + what + " may be"));
            }
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (IOException e) {
            throw new ConfigException(cannot(file, what, switch (e) {
                case NoSuchFileException gone -> "no such file (deleted, moved or never there)";
                case AccessDeniedException denied -> "permission denied";
                case CharacterCodingException coding -> "the file is not valid UTF-8 text";
                default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            }));
        }
    }

    private static String cannot(Path file, String what, String why) {
        return "cannot read " + what + " " + file + ": " + why;
    }
}
