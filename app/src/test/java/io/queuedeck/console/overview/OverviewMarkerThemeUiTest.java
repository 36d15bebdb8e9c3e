package io.queuedeck.console.overview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.console.gateway.ChangeLog;
import io.queuedeck.console.ui.Palette;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** The Overview's fault markers read in both themes (a screen of its own: the other marker tests count labels). */
class OverviewMarkerThemeUiTest {
    private static final ChangeLog changes = new ChangeLog(Clock.systemUTC());
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

    /** A marker's label reads in both themes: in the light one it was red on a dark box over a pale tile, about 2:1. */
    @Test
    void markerLabels_readableInBothThemes() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> WaitForAsyncUtils.asyncFx(view::sampled).get() > 0);
        WaitForAsyncUtils.asyncFx(() -> changes.record(ChangeLog.Kind.FAULT, "fault f-12: crash on instance:1")).get();
        WaitForAsyncUtils.asyncFx(() -> changes.record(ChangeLog.Kind.RECOVERY, "GPU 1 up again")).get();
        await().atMost(Duration.ofSeconds(30)).until(() -> WaitForAsyncUtils.asyncFx(() -> view.sparkMarkers().stream()
                .anyMatch(m -> m.tooltip().contains("GPU 1 up again"))).get());
        for (boolean light : new boolean[] {true, false}) {
            List<Double> contrasts = WaitForAsyncUtils.asyncFx(() -> {
                view.setLight(light);
                view.root().applyCss();
                Color tile = light ? Palette.TILE_BACKGROUND_LIGHT : Palette.TILE_BACKGROUND;
                return robot.lookup("." + SparkMarkers.LABEL_CLASS).queryAllAs(Label.class).stream()
                        .filter(javafx.scene.Node::isVisible).map(label -> {
                            label.applyCss();
                            Color box = (Color) label.getBackground().getFills().getFirst().getFill();
                            return contrast((Color) label.getTextFill(), over(box, tile));
                        }).toList();
            }).get();
            assertThat(contrasts).as(light ? "light theme" : "dark theme").isNotEmpty()
                    .allSatisfy(c -> assertThat(c).isGreaterThanOrEqualTo(4.5));
        }
    }

    private static Color over(Color top, Color under) {
        double a = top.getOpacity();
        return Color.color(top.getRed() * a + under.getRed() * (1 - a),
                top.getGreen() * a + under.getGreen() * (1 - a), top.getBlue() * a + under.getBlue() * (1 - a));
    }

    /** The WCAG contrast ratio of two opaque colours. */
    private static double contrast(Color a, Color b) {
        double la = luminance(a), lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    private static double luminance(Color c) {
        java.util.function.DoubleUnaryOperator lin = v -> v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        return 0.2126 * lin.applyAsDouble(c.getRed()) + 0.7152 * lin.applyAsDouble(c.getGreen()) + 0.0722 * lin.applyAsDouble(c.getBlue());
    }
}
