package io.queuedeck.console.overview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.console.gateway.ChangeLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A drill's burst of faults on the Overview's sparklines: fifteen changes within a second were
 * fifteen dashed lines and two rows of labels over each other on every tile. Now the markers whose
 * labels would overlap are one, "12 faults, 3 cleared", whose tooltip lists every change.
 */
class OverviewMarkerBurstUiTest {
    /** The change log's clock: the test sets when each change is recorded (100 s apart here). */
    private static final SetClock clock = new SetClock();
    private static final ChangeLog changes = new ChangeLog(clock);
    private static OverviewView view;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void showScreen() throws Exception {
        Stage stage = FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(s -> {
            view = new OverviewView(new OverviewViewModel(), changes.entries());
            s.setScene(new Scene(view.root(), 1280, 900));
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(stage.isShowing()).isTrue();
    }

    @AfterAll
    static void close() throws Exception {
        FxToolkit.cleanupStages();
    }

    @Test
    void burstOfFaults_isOneMarkerPerTile_listingEveryChange_whileAnEarlierFaultKeepsItsOwn() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> WaitForAsyncUtils.asyncFx(view::sampled).get() > 0);
        WaitForAsyncUtils.asyncFx(() -> {
            clock.at = Instant.now().minusSeconds(100);
            changes.record(ChangeLog.Kind.FAULT, "fault f-1: slow factor=4 on instance:0");
            clock.at = Instant.now();
            for (int i = 2; i <= 13; i++) {
                changes.record(ChangeLog.Kind.FAULT, "fault f-" + i + ": crash on instance:" + i);
            }
            for (int i = 2; i <= 4; i++) {
                changes.record(ChangeLog.Kind.RECOVERY, "fault cleared f-" + i + ": crash on instance:" + i);
            }
        }).get();
        await().atMost(Duration.ofSeconds(30)).until(() -> WaitForAsyncUtils.asyncFx(view::sparkMarkers).get().size() == 16);

        Map<Parent, List<Label>> perTile = WaitForAsyncUtils.asyncFx(() -> robot.lookup("." + SparkMarkers.LABEL_CLASS)
                .queryAllAs(Label.class).stream().filter(Node::isVisible).collect(Collectors.groupingBy(Node::getParent))).get();
        assertThat(perTile).hasSize(6); // throughput, tokens, p50, p99, TTFT, oldest waiting
        perTile.forEach((tile, labels) -> {
            assertThat(labels).extracting(Label::getText).containsExactlyInAnyOrder("slow factor…", "12 faults, 3 cleared");
            Label burst = labels.stream().filter(l -> l.getText().startsWith("12")).findFirst().orElseThrow();
            String tip = burst.getTooltip().getText();
            for (int i = 2; i <= 13; i++) {
                assertThat(tip).contains("fault f-" + i + ": crash on instance:" + i + "\n");
            }
            assertThat(tip).contains("fault cleared f-2: crash", "fault cleared f-3: crash", "fault cleared f-4: crash")
                    .doesNotContain("f-1:");
            assertThat(labels.get(0).getBoundsInParent().intersects(labels.get(1).getBoundsInParent()))
                    .as("the two labels side by side").isFalse();
            long dashed = tile.getChildrenUnmodifiable().stream()
                    .filter(n -> n.getStyleClass().contains(SparkMarkers.MARKER_CLASS) && n.isVisible()).count();
            assertThat(dashed).as("a dashed line for f-1 and one at the burst, not sixteen").isEqualTo(2);
            assertThat(tile.getChildrenUnmodifiable().stream().filter(n -> n.getStyleClass().contains(SparkMarkers.TICK_CLASS)))
                    .as("the burst's other fourteen as thin unlabelled lines").hasSize(14);
        });
    }

    /** A clock the test sets. */
    private static final class SetClock extends Clock {
        volatile Instant at = Instant.now();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return at;
        }
    }
}
