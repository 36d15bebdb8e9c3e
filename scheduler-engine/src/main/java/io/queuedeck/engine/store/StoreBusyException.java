package io.queuedeck.engine.store;

/**
 * A submission was refused because the store has fallen too far behind the loop (a stalled or
 * very slow disk): nothing was queued, and a retry later may pass. Bounds the writes held in
 * memory waiting for the disk.
 */
public final class StoreBusyException extends RuntimeException {
    public StoreBusyException(String message) {
        super(message);
    }
}
