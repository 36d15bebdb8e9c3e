package io.queuedeck.console;

import io.queuedeck.console.overview.OverviewView;
import io.queuedeck.console.overview.OverviewViewModel;
import javafx.scene.Scene;
import javafx.scene.layout.StackPane;

/**
 * The Overview (the first screen unless the operator left another one) built while the queue
 * opens: the FX thread has nothing else to do then, and the screen's tiles, their skins and their
 * first CSS pass cost about a third of a second the window would otherwise wait for. Its model
 * needs no engine; the window takes both when the engine is there. FX thread.
 */
final class FirstScreen {
    final OverviewViewModel model = new OverviewViewModel();
    final OverviewView view = new OverviewView(model);

    FirstScreen() {
        // a scene of its own for the first CSS pass (the skins are made then): the window's scene
        // restyles it with the same stylesheets, without making them again
        Scene warm = new Scene(new StackPane(view.root()), 1200, 700);
        warm.getStylesheets().add(ConsoleApp.class.getResource("console.css").toExternalForm());
        warm.getRoot().applyCss();
        warm.getRoot().layout();
        ((StackPane) warm.getRoot()).getChildren().clear();
        StartTimes.mark("the Overview built ahead");
    }
}
