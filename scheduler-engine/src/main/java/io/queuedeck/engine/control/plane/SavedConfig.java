package io.queuedeck.engine.control.plane;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.queuedeck.engine.store.PrivateFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The config's versions and the canary that runs, kept in the data directory so that a restart
 * resumes them (decision 0105). The whole file is replaced at each change: written beside it,
 * synced, then renamed over it, so a crash leaves the old file or the new one, never a part.
 * It holds config texts, which may hold tokens: readable by its owner only.
 */
final class SavedConfig {
    static final String FILE_NAME = "config-versions.json";
    private static final JsonMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /**
     * What is kept.
     *
     * @param fileText the config file's text when it was last read: a restart that reads the same
     *                 text resumes the last version, one that reads another applies the file
     * @param versions the versions kept for history and rollback, oldest first
     * @param canary   the canary that ran, or null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Contents(@JsonProperty("file_text") String fileText, List<Saved> versions, Canary canary) {
        Contents {
            versions = versions == null ? List.of() : List.copyOf(versions);
        }
    }

    /** One version as {@link ConfigPlane.Version} has it, without what is read again from its text. */
    record Saved(int version, @JsonProperty("applied_at") Instant appliedAt, String source, String label,
                 List<ConfigDiff.Change> changes, String text) {}

    /** A canary that ran: a restart ends it, and says so. */
    record Canary(@JsonProperty("started_at") Instant startedAt, String source, String label) {}

    private final Path file;

    private SavedConfig(Path file) {
        this.file = file;
    }

    /** The file in {@code dataDir}, made there (empty, owner-only) when missing. */
    static SavedConfig in(Path dataDir) {
        return new SavedConfig(PrivateFiles.prepare(dataDir, FILE_NAME));
    }

    Path file() {
        return file;
    }

    /**
     * What was kept; empty for a new (empty) file.
     *
     * @throws IOException when the file cannot be read or is not what this class writes
     */
    Optional<Contents> read() throws IOException {
        long size = Files.size(file);
        if (size == 0) {
            return Optional.empty();
        }
        if (size > ConfigPlane.MAX_SAVED_BYTES) { // read whole, such a file ran the heap out at every start
            throw new IOException("it holds " + size + " bytes, more than a kept history takes (" + ConfigPlane.MAX_SAVED_BYTES + ")");
        }
        return Optional.of(JSON.readValue(file.toFile(), Contents.class));
    }

    /** Replaces what is kept; on return it is on disk (synced). */
    void write(Contents contents) throws IOException {
        Path next = PrivateFiles.prepare(file.getParent(), FILE_NAME + ".next");
        try (FileChannel channel = FileChannel.open(next, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(contents)));
            channel.force(true);
        }
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true); // the rename itself
        } catch (IOException e) {
            // not every file system opens a directory for syncing; the rename is atomic either way
        }
    }

    /** A file that cannot be read is kept aside under another name (with {@code at}), so a new one can start. */
    Path setAside(Instant at) throws IOException {
        Path aside = file.resolveSibling(FILE_NAME + ".unreadable-" + at.toEpochMilli());
        Files.move(file, aside);
        PrivateFiles.prepare(file.getParent(), FILE_NAME);
        return aside;
    }
}
