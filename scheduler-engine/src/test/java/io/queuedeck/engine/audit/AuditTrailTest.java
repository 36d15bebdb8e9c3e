package io.queuedeck.engine.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.store.TaskStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The audit trail: kept in the embedded store's file across restarts, searchable, exported as CSV. */
class AuditTrailTest {

    @Test
    void entries_inTheEmbeddedStore_surviveARestart_andNumbersGoOn(@TempDir Path dir) {
        VirtualClock clock = new VirtualClock();
        TaskStore store = TaskStore.embedded(dir);
        AuditTrail trail = new AuditTrail(clock, store);
        trail.record("ops", "api", "bulk.cancel", "tenant=acme", 3412, "op-1: cancel");
        trail.record("console:ann", "console", "lane.pause", "P5", 0, null);
        store.close();

        TaskStore reopened = TaskStore.embedded(dir);
        AuditTrail again = new AuditTrail(clock, reopened);
        AuditEntry third = again.record("ops", "api", "queue.resume", "all:resume", 0, null);
        reopened.close();

        assertThat(again.find(AuditQuery.all()).entries()).extracting(AuditEntry::number, AuditEntry::action)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(3L, "queue.resume"),
                        org.assertj.core.groups.Tuple.tuple(2L, "lane.pause"),
                        org.assertj.core.groups.Tuple.tuple(1L, "bulk.cancel"));
        assertThat(third.number()).isEqualTo(3);
    }

    @Test
    void longTargetsAreCut_andTheEntriesKeptAreBoundedByTheirText_notOnlyByCount() {
        AuditTrail trail = new AuditTrail(new VirtualClock(), null);
        String filter = "text=" + "ж".repeat(1_500); // a bulk filter near its caps, not Latin-1: two bytes a character

        AuditEntry first = trail.record("acme-ops", "api", "bulk.cancel", filter, 0, "op-1: " + filter);
        for (int i = 0; i < 40_000; i++) { // 3 KB each, uncut: 120 MB for what KEEP (100,000) allowed
            trail.record("acme-ops", "api", "bulk.cancel", filter, 0, "op: " + filter);
        }

        assertThat(first.target()).hasSize(AuditTrail.MAX_TEXT).endsWith("…");
        int kept = trail.find(AuditQuery.all()).total();
        assertThat(kept).isLessThan(40_001).isGreaterThan(10_000);
        AuditEntry last = trail.find(AuditQuery.all()).entries().getFirst();
        long each = 160 + 2L * ("acme-ops".length() + "api".length() + "bulk.cancel".length() + last.target().length()
                + last.detail().length());
        assertThat(kept * each).isLessThanOrEqualTo(AuditTrail.MAX_BYTES).isGreaterThan(AuditTrail.MAX_BYTES - each);
    }

    /**
     * A tenant repeating an empty bulk call (about 890 a second) emptied the trail in 30 s: the
     * operator's kill-switch pull went with it, and the switch was armed again after a restart.
     */
    @Test
    void oneActorFloodingTheTrail_dropsItsOwnOldest_notAnothersEntries_alsoInTheStore(@TempDir Path dir) {
        VirtualClock clock = new VirtualClock();
        TaskStore store = TaskStore.embedded(dir);
        AuditTrail trail = new AuditTrail(clock, store);
        trail.record("ops", "api", "faults.disarm", "faults", 0, "kill switch pulled");
        String filter = "text=" + "Z".repeat(300);
        for (int i = 0; i < 15_000; i++) { // 1,228 B each: past the 16 MiB of text the trail holds
            trail.record("acme-app", "api", "bulk.cancel", filter, 0, "op: " + filter);
        }
        trail.record("globex-app", "api", "bulk.cancel", "tenant=globex", 1, "op-g");

        assertThat(trail.find(AuditQuery.all()).total()).isLessThan(15_002);
        assertThat(trail.find(AuditQuery.all()).entries().getFirst().actor()).isEqualTo("globex-app");
        assertThat(actions(trail)).contains("faults.disarm");
        store.close();

        TaskStore reopened = TaskStore.embedded(dir);
        AuditTrail again = new AuditTrail(clock, reopened);
        assertThat(actions(again)).contains("faults.disarm");
        assertThat(again.find(AuditQuery.all()).total()).isEqualTo(trail.find(AuditQuery.all()).total());
        reopened.close();
    }

    /** Once the flooding actor's entries were gone, each next actor's entry was dropped as it came, an operator's too. */
    @Test
    void afterAFloodingActorsEntriesAreDropped_anotherActorsNewEntryStays() {
        AuditTrail trail = new AuditTrail(new VirtualClock(), null);
        String filter = "text=" + "Z".repeat(300);
        for (int i = 0; i < 15_000; i++) { // fills the trail's text
            trail.record("flood-" + (i % 2), "api", "bulk.cancel", filter, 0, "op: " + filter);
        }
        for (int i = 0; i < 110_000; i++) { // past the 100,000 entries: the flooders go first, then the oldest light ones
            trail.record("light-" + i, "api", "task.cancel", "t", 1, null);
        }

        trail.record("ops", "api", "faults.disarm", "faults", 0, "kill switch pulled");

        assertThat(actions(trail)).contains("faults.disarm");
    }

    private static List<String> actions(AuditTrail trail) {
        List<String> actions = new ArrayList<>();
        for (AuditEntry e : trail.find(new AuditQuery(null, null, "faults", null, null, 0, AuditQuery.MAX_LIMIT)).entries()) {
            actions.add(e.action());
        }
        return actions;
    }

    @Test
    void liveEngine_writesEntriesOffTheCallersThread_andHasThemStoredBeforeItCloses(@TempDir Path dir) {
        Engine engine = Engine.builder().store(TaskStore.embedded(dir)).build();
        engine.start();
        for (int i = 0; i < 20; i++) {
            engine.audit().record("ops", "api", "task.cancel", "t-" + i, 1, null);
        }
        engine.close();

        TaskStore reopened = TaskStore.embedded(dir);
        AuditTrail again = new AuditTrail(new VirtualClock(), reopened);
        reopened.close();
        assertThat(again.find(AuditQuery.all()).total()).isEqualTo(20);
        assertThat(again.find(AuditQuery.all()).entries().getFirst().target()).isEqualTo("t-19");
    }

    @Test
    void find_filtersByTextActorActionFamilyAndTime_newestFirst() {
        VirtualClock clock = new VirtualClock();
        AuditTrail trail = new AuditTrail(clock, null);
        List<AuditEntry> events = new ArrayList<>();
        trail.onEntry(events::add);
        trail.record("ops", "api", "bulk.cancel", "tenant=acme", 12, null);
        clock.runUntil(clock.nanos() + 60_000_000_000L);
        Instant minuteLater = clock.toInstant(clock.nanos());
        trail.record("ann", "console", "bulk.undo", "op-1", 12, "undo of reprioritize to P2");
        trail.record("ops", "api", "task.cancel", "t-9", 1, null);

        assertThat(trail.find(new AuditQuery(null, null, "bulk", null, null, 0, 10)).entries())
                .extracting(AuditEntry::action).containsExactly("bulk.undo", "bulk.cancel");
        assertThat(trail.find(new AuditQuery("ACME", null, null, null, null, 0, 10)).total()).isEqualTo(1);
        assertThat(trail.find(new AuditQuery(null, "ops", null, minuteLater, null, 0, 10)).entries())
                .extracting(AuditEntry::target).containsExactly("t-9");
        assertThat(trail.find(new AuditQuery(null, null, "bulk.c", null, null, 0, 10)).total())
                .as("a family is a whole segment").isZero();
        assertThat(events).hasSize(3);
        assertThat(events.get(1).summary()).isEqualTo("bulk.undo op-1 (12 tasks) by ann");
    }

    /** A ; was not quoted, so a spreadsheet splitting on semicolons read "=1+1" as a cell of its own; a leading tab passed. */
    @Test
    void csv_quotesEveryText_andDefusesFormulas() {
        AuditEntry entry = new AuditEntry(7, Instant.parse("2026-01-01T00:00:00Z"), "=cmd", "api", "task.place", "x;=1+1", 1,
                "said \"now\"");
        AuditEntry tab = new AuditEntry(8, Instant.parse("2026-01-01T00:00:01Z"), "\t=cmd", "api", "a", "t,1", 0, null);

        String csv = AuditExport.csv(List.of(entry, tab));

        assertThat(csv).isEqualTo(AuditExport.HEADER + "\r\n"
                + "7,\"2026-01-01T00:00:00Z\",\"'=cmd\",\"api\",\"task.place\",\"x;=1+1\",1,\"said \"\"now\"\"\"\r\n"
                + "8,\"2026-01-01T00:00:01Z\",\"'\t=cmd\",\"api\",\"a\",\"t,1\",0,\r\n");
    }
}
