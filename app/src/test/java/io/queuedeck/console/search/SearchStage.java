package io.queuedeck.console.search;

import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.engine.Engine;
import javafx.application.Platform;
import javafx.scene.Scene;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** The Search screen alone on the test stage, over an engine of the test's, with the console's stylesheet. */
final class SearchStage {
    private SearchStage() {
    }

    /** Shows the screen {@code width} px wide and 800 high; returns its model. */
    static SearchViewModel show(Engine engine, double width) throws Exception {
        SearchViewModel[] model = new SearchViewModel[1];
        FxToolkit.setupStage(s -> {
            EngineGateway gateway = new EngineGateway(engine, Platform::runLater, failure -> { });
            model[0] = new SearchViewModel(gateway, gateway, new SearchExport(gateway,
                    write -> Thread.ofVirtual().start(write), Platform::runLater, engine.clock()::toInstant));
            Scene scene = new Scene(new SearchView(model[0]).root(), width, 800);
            scene.getStylesheets().add(SearchStage.class.getResource("/io/queuedeck/console/console.css").toExternalForm());
            s.setScene(scene);
            s.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
        return model[0];
    }
}
