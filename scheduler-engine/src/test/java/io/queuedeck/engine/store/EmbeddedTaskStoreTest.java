package io.queuedeck.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.tier.TierMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedTaskStoreTest extends TaskStoreContract {
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
    void aFullDisk_failsTheWriteSayingSo_andTheNextWriteSucceedsOnceThereIsRoom() throws Exception {
        store.write(List.of(new StoreWrite.PutTask(task("before", TaskState.QUEUED, null))));
        ((SqliteTaskStore) store).limitPages(1); // not a page more than the file has: the disk is full
        List<StoreWrite> big = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            StoredTask t = task("full-" + i, TaskState.QUEUED, null);
            big.add(new StoreWrite.PutTask(new StoredTask(t.id(), new io.queuedeck.engine.task.TaskSpec(t.id(), "m", "x".repeat(4_000),
                    3, null, "acme", null, null, 20, 10, null), t.state(), t.priority(), t.sequence(), t.rank(), t.outputTokens(),
                    t.attempts(), null, null, null, false, t.arrivedAt(), null, null)));
        }

        assertThatThrownBy(() -> store.write(big)).hasMessageContaining("the disk is full").hasMessageNotContaining("SQLITE");

        // a full disk was freed (the cap went with the connection the failure set aside): it was "statement is
        // not executing" on every write until a restart
        store.write(List.of(new StoreWrite.PutTask(task("after", TaskState.QUEUED, null))));
        store.write(big);
        assertThat(store.load(NOW).tasks()).hasSize(302);
        assertThat(store.taskCount()).isEqualTo(302);
    }

    @Test
    void load_withAByteBound_givesTheOldestFinishedHandedOnTasksBackByIdOnly() {
        StoredTask queued = task("queued", TaskState.QUEUED, null);
        StoredTask dead = task("dead", TaskState.DEAD_LETTERED, null);
        List<StoredTask> done = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            done.add(task("bounded-" + i, TaskState.SUCCEEDED, NOW.plusSeconds(60 + i)).withHandedOn());
        }
        StoredTask notHandedOn = task("done-unsent", TaskState.SUCCEEDED, NOW.plusSeconds(60));
        List<StoreWrite> writes = new java.util.ArrayList<>();
        writes.add(new StoreWrite.PutTask(notHandedOn));
        done.forEach(t -> writes.add(new StoreWrite.PutTask(t)));
        writes.add(new StoreWrite.PutTask(queued));
        writes.add(new StoreWrite.PutTask(dead));
        store.write(writes);
        long oneRecord = StoredTaskJson.toBytes(done.getFirst()).length;

        StoreContents contents = store.load(NOW, 3 * oneRecord);

        // sequences follow the ids' first use: bounded-0 … bounded-9 in order, the newest last
        assertThat(contents.tasks()).containsExactlyInAnyOrder(queued, dead, notHandedOn, done.get(9), done.get(8), done.get(7));
        assertThat(contents.finishedIds()).extracting(StoreContents.FinishedId::id)
                .containsExactlyInAnyOrder("bounded-0", "bounded-1", "bounded-2", "bounded-3", "bounded-4", "bounded-5", "bounded-6");
        assertThat(contents.finishedIds()).allSatisfy(f -> assertThat(f.expiresAt()).isAfter(NOW))
                .allSatisfy(f -> assertThat(f.sequence()).isEqualTo(sequence(f.id())));
        assertThat(store.load(NOW).finishedIds()).as("without a bound, everything whole").isEmpty();
    }

    @Test
    void taskFileOfAnEarlierVersion_isImportedOnce_andRenamed() throws Exception {
        store.close();
        java.nio.file.Files.delete(dir.resolve(SqliteTaskStore.FILE_NAME));
        StoredTask bySequence = task("new-layout", TaskState.QUEUED, null);
        StoredTask byId = task("old-layout", TaskState.DEAD_LETTERED, null);
        try (MVStore file = MvFiles.open(dir, MvTaskFile.FILE_NAME)) {
            MVMap<Long, byte[]> tasks = file.openMap(MvTaskFile.TASKS_BY_SEQUENCE, new MVMap.Builder<Long, byte[]>()
                    .keyType(org.h2.mvstore.type.LongDataType.INSTANCE)
                    .valueType(org.h2.mvstore.type.ByteArrayDataType.INSTANCE));
            tasks.put(bySequence.sequence(), StoredTaskJson.toBytes(bySequence));
            MVMap<String, byte[]> older = file.openMap(MvTaskFile.TASKS_BY_ID);
            older.put(byId.id(), StoredTaskJson.toBytes(byId));
            file.<String, String>openMap("modes").put("lane:4", "DRAINING");
            file.commit();
        }

        store = TaskStore.embedded(dir);
        StoreContents contents = store.load(NOW);
        assertThat(contents.tasks()).containsExactlyInAnyOrder(bySequence, byId);
        assertThat(contents.laneModes()).containsEntry(4, TierMode.DRAINING);
        assertThat(dir.resolve(MvTaskFile.FILE_NAME)).doesNotExist();
        assertThat(dir.resolve(SqliteTaskStore.IMPORTED_MV_FILE)).exists();

        store.write(List.of(new StoreWrite.RemoveTask(byId.id(), byId.sequence())));
        store.close();
        store = TaskStore.embedded(dir); // not imported again
        assertThat(store.load(NOW).tasks()).containsExactly(bySequence);
        assertThat(store.taskCount()).isEqualTo(1);
    }

    @Test
    void databaseOfAnEarlierVersion_getsTheIdAndExpiryColumns_filledFromItsRecords() throws Exception {
        store.close();
        Path file = dir.resolve(SqliteTaskStore.FILE_NAME);
        java.nio.file.Files.delete(file);
        StoredTask done = task("done-before", TaskState.SUCCEEDED, NOW.plusSeconds(60));
        StoredTask queued = task("queued-before", TaskState.QUEUED, null);
        try (java.sql.Connection old = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (java.sql.Statement statement = old.createStatement()) {
                statement.execute("CREATE TABLE tasks (sequence INTEGER PRIMARY KEY, record BLOB NOT NULL)"); // decision 0045's layout
            }
            java.sql.PreparedStatement insert = old.prepareStatement("INSERT INTO tasks(sequence, record) VALUES (?, ?)");
            for (StoredTask task : List.of(done, queued)) {
                insert.setLong(1, task.sequence());
                insert.setBytes(2, StoredTaskJson.toBytes(task));
                insert.executeUpdate();
            }
        }

        store = TaskStore.embedded(dir);
        assertThat(store.findFinished("done-before", NOW)).isEqualTo(done);
        assertThat(store.findFinished("queued-before", NOW)).isNull();
        assertThat(store.load(NOW).tasks()).containsExactlyInAnyOrder(done, queued);
        assertThat(store.forgetExpired(NOW.plusSeconds(61))).isEqualTo(1);
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
        assertThatThrownBy(() -> TaskStore.embedded(dir)).as("the refusal did not drop the first store's lock")
                .hasMessageContaining("in use by another running QueueDeck");

        store.close();
        store = TaskStore.embedded(dir); // closed: the directory is free again
    }

    @Test
    void secondStore_throughAnotherNameOfTheDirectory_isRefused() throws Exception {
        Path alias = java.nio.file.Files.createSymbolicLink(dir.resolve("alias"), dir);

        assertThatThrownBy(() -> TaskStore.embedded(alias)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("in use by another running QueueDeck");
    }

    @Test
    void committedPages_reachTheDatabaseFile_longBeforeTheWritersCheckpoint() throws Exception {
        Path database = dir.resolve(SqliteTaskStore.FILE_NAME);
        List<StoreWrite> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            batch.add(new StoreWrite.PutTask(task("copied-" + i, TaskState.QUEUED, null)));
        }
        store.write(batch); // about 100 log pages: the writer checkpoints at 10,000
        await().atMost(Duration.ofSeconds(10))
                .until(() -> java.nio.file.Files.size(database) >= 256 * 1024);
        assertThat(store.load(NOW).tasks()).hasSize(2_000);
    }

    /** At start on a full disk the server said SQLite's "[SQLITE_FULL] Insertion failed…" and H2's "Writing to sun.nio.ch.FileChannelImpl@… failed". */
    @Test
    void openOnAFullDisk_isRefusedInTheOperatorsWords() {
        Path file = dir.resolve("tasks.db");
        String sqlite = SqliteTaskStore.openRefusal(file, new org.sqlite.SQLiteException(
                "[SQLITE_FULL] Insertion failed because database is full", org.sqlite.SQLiteErrorCode.SQLITE_FULL));
        String other = SqliteTaskStore.openRefusal(file, new org.sqlite.SQLiteException(
                "[SQLITE_CANTOPEN] unable to open", org.sqlite.SQLiteErrorCode.SQLITE_CANTOPEN));
        Exception h2 = org.h2.mvstore.DataUtils.newMVStoreException(org.h2.mvstore.DataUtils.ERROR_WRITING_FAILED,
                "Writing to {0} failed; length {1} at {2}", "sun.nio.ch.FileChannelImpl@42b3b079", 8192, 0,
                new java.io.IOException("No space left on device"));

        assertThat(sqlite).isEqualTo("cannot open " + file + ": the disk is full; start again once that is fixed");
        assertThat(other).isEqualTo("cannot open " + file + ": [SQLITE_CANTOPEN] unable to open"); // nothing to add to it
        assertThat(MvFiles.diskFull(h2)).isTrue();
        assertThat(MvFiles.diskFull(new java.io.IOException("Input/output error"))).isFalse();
    }
}
