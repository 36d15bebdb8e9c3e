package io.queuedeck.engine.cluster;

/** Another live process runs as this node on the shared queue (decision 0115): start this one with its own name. */
public final class NodeNameTakenException extends IllegalArgumentException {
    public NodeNameTakenException(String message) {
        super(message);
    }
}
