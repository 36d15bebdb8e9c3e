package io.queuedeck.console;

import io.queuedeck.console.gateway.EmbeddedEngine;
import io.queuedeck.engine.store.TaskStore;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Opens the stored queue and starts the engine off the FX thread. The launcher begins it before the
 * JavaFX toolkit starts, so the two (each about a second on a quiet machine) run side by side and
 * the first useful frame comes sooner; the window takes the result when it is ready.
 */
final class QueueOpening {
    private static CompletableFuture<EmbeddedEngine> begun;

    private QueueOpening() {
    }

    /** Starts opening the queue now; the launcher calls it with the same options the window parses. */
    static synchronized void begin(ConsoleOptions options, Path stateDir) {
        begun = open(options, stateDir);
    }

    /** The engine over the queue in {@code stateDir} (null: in memory): the opening begun for it, else a new one. */
    static synchronized CompletableFuture<EmbeddedEngine> take(ConsoleOptions options, Path stateDir) {
        CompletableFuture<EmbeddedEngine> opening = begun != null ? begun : open(options, stateDir);
        begun = null;
        return opening;
    }

    private static CompletableFuture<EmbeddedEngine> open(ConsoleOptions options, Path stateDir) {
        CompletableFuture<EmbeddedEngine> opened = new CompletableFuture<>();
        Thread.ofPlatform().name("queuedeck-open").daemon().start(() -> {
            io.queuedeck.engine.cluster.SharedQueue shared = null;
            try {
                // locks the directory, or fails the start; backends are asked for their models here too
                TaskStore store = stateDir == null ? null : TaskStore.embedded(stateDir);
                // a node of a shared queue: Redis must answer first; its tasks in memory, its instance holds there
                shared = ClusterJoin.connect(options);
                if (shared != null) {
                    store = TaskStore.holdsIn(TaskStore.inMemory(), shared.nodeModes());
                }
                StartTimes.mark("the store is open");
                EmbeddedEngine engine = options.backends().isEmpty()
                        ? EmbeddedEngine.start(options.policy(), options.gpus(), store, options.config().orElse(null)) // the window starts the demo load
                        : EmbeddedEngine.start(options.policy(), options.backends(), store);
                ClusterJoin.join(engine, options, shared);
                if (stateDir != null) {
                    engine.plane().resume(stateDir); // the config versions applied before the last close
                }
                StartTimes.mark("the engine is started");
                opened.complete(engine);
            } catch (RuntimeException e) {
                if (shared != null) { // the engine never ran over it: its name is given up at once
                    shared.leave();
                    shared.close();
                }
                opened.completeExceptionally(e);
            }
        });
        return opened;
    }
}
