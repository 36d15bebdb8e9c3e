package io.queuedeck.console.overview;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.console.gateway.ChangeLog;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which change-log entries become sparkline markers, where, and with what label. */
class SparkMarkersTest {
    private static final Instant T0 = Instant.parse("2026-12-04T03:00:00Z");

    @Test
    void place_faultsAndRecoveriesInTheWindow_atTheirShareOfIt() {
        List<ChangeLog.Entry> entries = List.of(
                new ChangeLog.Entry(T0.minusSeconds(5), ChangeLog.Kind.FAULT, "fault f-1: crash on instance:0"),
                new ChangeLog.Entry(T0.plusSeconds(30), ChangeLog.Kind.FAULT, "fault f-2: slow factor=4 on instance:1"),
                new ChangeLog.Entry(T0.plusSeconds(60), ChangeLog.Kind.POLICY, "policy fifo"),
                new ChangeLog.Entry(T0.plusSeconds(90), ChangeLog.Kind.RECOVERY, "fault cleared f-2: slow factor=4 on instance:1"),
                new ChangeLog.Entry(T0.plusSeconds(121), ChangeLog.Kind.FAULT, "fault f-3: hang on node"));

        List<SparkMarkers.Placed> placed = SparkMarkers.place(entries, T0, T0.plusSeconds(120));

        // f-1 is older than the oldest point, f-3 newer than the newest; a policy switch is not a fault
        assertThat(placed).containsExactly(
                new SparkMarkers.Placed(0.25, "slow factor…", "fault f-2: slow factor=4 on instance:1", "marker-fault",
                        T0.plusSeconds(30)),
                new SparkMarkers.Placed(0.75, "end slow fa…", "fault cleared f-2: slow factor=4 on instance:1", "marker-recovery",
                        T0.plusSeconds(90)));
    }

    @Test
    void place_beforeTwoPoints_nothing() {
        List<ChangeLog.Entry> entries = List.of(new ChangeLog.Entry(T0, ChangeLog.Kind.FAULT, "crash injected on GPU 0"));

        assertThat(SparkMarkers.place(entries, T0, T0)).isEmpty();
        assertThat(SparkMarkers.place(entries, null, null)).isEmpty();
    }

    /** Six pixels a character: the widths the groups are cut by are easy to follow. */
    private static double sixPerChar(String label) {
        return 6.0 * label.length();
    }

    private static SparkMarkers.Placed fault(double fraction, int second, String text) {
        return new SparkMarkers.Placed(fraction, SparkMarkers.shorten(text), text,
                text.startsWith("fault cleared") ? "marker-recovery" : "marker-fault", T0.plusSeconds(second));
    }

    /**
     * Three slow faults read "6 faults, 9 cleared": each catalogue fault and each change it made to a
     * GPU's speed were counted. The label counts the faults; the tooltip still lists every change.
     */
    @Test
    void group_aFaultAndWhatItDidToItsGpu_countAsOneFault() {
        List<SparkMarkers.Placed> placed = List.of(fault(0.50, 60, "fault f-1: slow factor=4 on instance:0"),
                gpu(0.501, 60, "GPU 0 speed ×1.0 → ×4.0 slower", "marker-fault"),
                fault(0.51, 61, "fault cleared f-1: slow factor=4 on instance:0"),
                gpu(0.511, 61, "GPU 0 speed ×4.0 → ×1.0 slower", "marker-recovery"));

        List<SparkMarkers.Group> groups = SparkMarkers.group(placed, 400, SparkMarkersTest::sixPerChar);

        assertThat(groups).singleElement().extracting(SparkMarkers.Group::shortLabel).isEqualTo("1 fault, 1 cleared");
        assertThat(groups.getFirst().tooltip()).startsWith("1 fault, 1 cleared within 1 s:").contains("GPU 0 speed ×1.0 → ×4.0");
        // GPU changes alone (its own buttons, a crash seen in the snapshot) are what is counted
        List<SparkMarkers.Group> alone = SparkMarkers.group(List.of(gpu(0.5, 60, "GPU 0 up → down", "marker-fault"),
                gpu(0.501, 60, "GPU 1 up → down", "marker-fault")), 400, SparkMarkersTest::sixPerChar);
        assertThat(alone).singleElement().extracting(SparkMarkers.Group::shortLabel).isEqualTo("2 faults");
    }

    private static SparkMarkers.Placed gpu(double fraction, int second, String text, String styleClass) {
        return new SparkMarkers.Placed(fraction, SparkMarkers.shorten(text), text, styleClass, T0.plusSeconds(second));
    }

    /**
     * A drill's faults a second apart heaped lines and labels on each other. On a tile 400 px wide
     * (the sparkline from 20 to 380 px), labels 6 px a character: f-2, f-3 and the end of f-2 stand
     * within 10 px of each other and are one; f-1 and f-4 stand far enough apart to keep theirs.
     */
    @Test
    void group_markersAFewPixelsApart_areOne_listingEveryChange_othersKeepTheirOwn() {
        List<SparkMarkers.Placed> placed = List.of(fault(0.05, 6, "fault f-1: slow factor=4 on instance:0"),
                fault(0.50, 60, "fault f-2: crash on instance:2"), fault(0.51, 61, "fault f-3: oom on instance:2"),
                fault(0.52, 62, "fault cleared f-2: crash on instance:2"), fault(0.99, 119, "fault f-4: hang on node"));

        List<SparkMarkers.Group> groups = SparkMarkers.group(placed, 400, SparkMarkersTest::sixPerChar);

        assertThat(groups).extracting(SparkMarkers.Group::shortLabel)
                .containsExactly("slow factor…", "2 faults, 1 cleared", "hang on node");
        assertThat(groups.get(0).tooltip()).isEqualTo("fault f-1: slow factor=4 on instance:0");
        String time = java.time.LocalTime.ofInstant(T0.plusSeconds(60), java.time.ZoneId.systemDefault())
                .format(java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss"));
        assertThat(groups.get(1).tooltip()).startsWith("2 faults, 1 cleared within 2 s:\n" + time + "  fault f-2: crash on instance:2\n")
                .contains("fault f-3: oom on instance:2\n").endsWith("  fault cleared f-2: crash on instance:2");
        assertThat(groups.get(1).styleClass()).isEqualTo("marker-fault");
        assertThat(groups.get(1).x()).isEqualTo(200);
        assertThat(groups.get(1).lastX()).isCloseTo(207.2, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(groups).extracting(SparkMarkers.Group::row).as("room for all in one row").containsExactly(0, 0, 0);
        for (int i = 1; i < groups.size(); i++) {
            SparkMarkers.Group before = groups.get(i - 1), after = groups.get(i);
            assertThat(after.labelX()).as("none over another").isGreaterThanOrEqualTo(before.labelX() + before.labelWidth());
        }
        assertThat(groups.getLast().labelX() + groups.getLast().labelWidth()).as("inside the tile").isLessThanOrEqualTo(400);
    }

    /**
     * The newest fault's label moves left to stay in the tile, over the label before it: it takes the
     * second row (joined to the burst before it, a fault half a minute later lost its label); where
     * neither row has room, it joins the group before it.
     */
    @Test
    void group_aLabelWithNoRoomInTheFirstRow_takesTheSecond_withNoneLeft_joinsTheOneBefore() {
        List<SparkMarkers.Placed> two = List.of(fault(0.70, 84, "fault f-5: crash on instance:1"),
                fault(0.99, 119, "fault cleared f-5: crash on instance:1"));
        assertThat(SparkMarkers.group(two, 400, SparkMarkersTest::sixPerChar)).extracting(SparkMarkers.Group::shortLabel,
                SparkMarkers.Group::row).containsExactly(org.assertj.core.groups.Tuple.tuple("crash on in…", 0),
                org.assertj.core.groups.Tuple.tuple("end crash o…", 1));

        List<SparkMarkers.Placed> three = List.of(fault(0.80, 96, "fault f-5: crash on instance:1"),
                fault(0.88, 105, "fault f-6: oom on instance:2"), fault(0.99, 119, "fault cleared f-5: crash on instance:1"));
        assertThat(SparkMarkers.group(three, 400, SparkMarkersTest::sixPerChar)).extracting(SparkMarkers.Group::shortLabel,
                SparkMarkers.Group::row).containsExactly(org.assertj.core.groups.Tuple.tuple("crash on in…", 0),
                org.assertj.core.groups.Tuple.tuple("1 fault, 1 cleared", 1));
        assertThat(SparkMarkers.group(three, 1_000, SparkMarkersTest::sixPerChar)).as("where there is room, each its own")
                .extracting(SparkMarkers.Group::shortLabel).containsExactly("crash on in…", "oom on inst…", "end crash o…");
    }

    @Test
    void shorten_buttonFaults_keepTheirWords() {
        assertThat(SparkMarkers.shorten("crash injected on GPU 0")).isEqualTo("crash injec…");
        assertThat(SparkMarkers.shorten("load burst")).isEqualTo("load burst");
    }

    /** Cut at twelve characters, a crash read "GPU 3 up → …": as if the GPU had come up. */
    @Test
    void shorten_gpuStateChange_saysTheStateItWentTo() {
        assertThat(SparkMarkers.shorten("GPU 3 up → loading")).isEqualTo("GPU 3 → loading");
        assertThat(SparkMarkers.shorten("GPU 3 loading → up")).isEqualTo("GPU 3 → up");
        assertThat(SparkMarkers.shorten("Backend 12 up → offline")).isEqualTo("Backend 12 → offline");
    }
}
