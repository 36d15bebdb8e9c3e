package io.queuedeck.engine.sim;

/** A trace file that cannot be read; the message names the file and, where it applies, the line. */
public final class TraceFormatException extends IllegalArgumentException {
    public TraceFormatException(String message) {
        super(message);
    }

    public TraceFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
