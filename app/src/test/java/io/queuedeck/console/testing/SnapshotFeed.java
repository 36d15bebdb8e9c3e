package io.queuedeck.console.testing;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javafx.application.Platform;

/** The console's snapshot feed for a screen under test: taken off the FX thread every 100 ms, applied on it. */
public final class SnapshotFeed implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    public SnapshotFeed(Engine engine, Consumer<EngineSnapshot> apply) {
        timer.scheduleAtFixedRate(() -> {
            EngineSnapshot snapshot = engine.send(new Command.TakeSnapshot()).join();
            Platform.runLater(() -> apply.accept(snapshot));
        }, 0, 100, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
