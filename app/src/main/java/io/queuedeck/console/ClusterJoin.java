package io.queuedeck.console;

import io.queuedeck.console.gateway.EmbeddedEngine;

/** Joins the started engine to the shared queue when the options ask for it ({@code --redis}). */
final class ClusterJoin {
    private ClusterJoin() {
    }

    /**
     * Connects to the shared queue when the options ask for it, before the engine is built (its
     * store keeps the node's instance holds there); null when the console runs alone. Off the FX
     * thread; fails with Redis's reason when it cannot.
     */
    static io.queuedeck.engine.cluster.SharedQueue connect(ConsoleOptions options) {
        if (options.cluster().isEmpty()) {
            return null;
        }
        try {
            return io.queuedeck.console.gateway.ClusterLink.connect(options.cluster().get());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(refusal(e), e);
        }
    }

    /** Links the started engine to the queue {@link #connect} joined (none: nothing to do); off the FX thread. */
    static void join(EmbeddedEngine engine, ConsoleOptions options, io.queuedeck.engine.cluster.SharedQueue queue) {
        if (queue != null) {
            engine.joinCluster(options.cluster().orElseThrow(), queue);
        }
    }

    /** Why the console cannot join, naming the option to change: the node's name when another process has it. */
    static String refusal(RuntimeException e) {
        return (e instanceof io.queuedeck.engine.cluster.NodeNameTakenException ? "--node: " : "--redis: ") + e.getMessage();
    }
}
