package io.queuedeck.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.tier.TierMode;
import java.nio.file.Path;
import java.util.List;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MvTaskStoreTest extends TaskStoreContract {
    @TempDir
    Path dir;

    @Override
    TaskStore create() {
        return TaskStore.embedded(dir);
    }

    @Test
    void reopened_holdsEverythingWritten() {
        StoredTask queued = task("a", TaskState.QUEUED, null);
        store.write(List.of(new StoreWrite.PutTask(queued), new StoreWrite.SetLaneMode(5, TierMode.PAUSED)));
        store.close();

        store = TaskStore.embedded(dir);
        StoreContents contents = store.load(NOW);
        assertThat(contents.tasks()).containsExactly(queued);
        assertThat(contents.laneModes()).containsEntry(5, TierMode.PAUSED);
    }

    @Test
    void fileWithRecordsKeyedById_isRekeyedBySequence_onOpen() {
        store.close();
        StoredTask queued = task("old", TaskState.QUEUED, null);
        try (MVStore file = MvFiles.open(dir, MvTaskStore.FILE_NAME)) {
            MVMap<String, byte[]> byId = file.openMap("tasks");
            byId.put("old", MvTaskStore.encode(queued));
            file.commit();
        }

        store = TaskStore.embedded(dir);
        assertThat(store.load(NOW).tasks()).containsExactly(queued);
        store.write(List.of(new StoreWrite.RemoveTask("old", queued.sequence())));
        assertThat(store.taskCount()).isZero();
    }

    @Test
    void dataDirectoryAndFile_areReadableByTheirOwnerOnly() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path fresh = dir.resolve("fresh").resolve("state");
        store.close();
        store = TaskStore.embedded(fresh);

        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(fresh)))
                .isEqualTo("rwx------");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(
                fresh.getParent()))).isEqualTo("rwx------");
        try (var files = java.nio.file.Files.list(fresh)) {
            assertThat(files.toList()).isNotEmpty().allSatisfy(file -> assertThat(java.nio.file.attribute.PosixFilePermissions
                    .toString(java.nio.file.Files.getPosixFilePermissions(file))).isEqualTo("rw-------"));
        }
    }

    @Test
    void secondStore_onTheSameDirectory_isRefused() {
        assertThatThrownBy(() -> TaskStore.embedded(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("in use by another running QueueDeck");
    }
}
