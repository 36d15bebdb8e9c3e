package io.queuedeck.console;

import io.queuedeck.console.gateway.EmbeddedEngine;

/** Joins the started engine to the shared queue when the options ask for it ({@code --redis}). */
final class ClusterJoin {
    private ClusterJoin() {
    }

    /** Off the FX thread; closes the engine and fails with Redis's reason when it cannot join. */
    static void join(EmbeddedEngine engine, ConsoleOptions options) {
        if (options.cluster().isEmpty()) {
            return;
        }
        try {
            engine.joinCluster(options.cluster().get());
        } catch (RuntimeException e) {
            engine.close();
            throw new IllegalArgumentException(refusal(e), e);
        }
    }

    /** Why the console cannot join, naming the option to change: the node's name when another process has it. */
    static String refusal(RuntimeException e) {
        return (e instanceof io.queuedeck.engine.cluster.NodeNameTakenException ? "--node: " : "--redis: ") + e.getMessage();
    }
}
