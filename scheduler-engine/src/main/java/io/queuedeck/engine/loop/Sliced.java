package io.queuedeck.engine.loop;

/**
 * A read that walks many tasks: {@link LoopDriver} runs one {@link #step} at a time and lets the
 * commands sent meanwhile run between two steps, so no walk holds the loop for more than a slice
 * (about a millisecond). Loop thread only.
 */
interface Sliced {
    /** Tasks one step visits at most. */
    int SLICE = 16_384;

    /** Visits up to {@link #SLICE} more tasks; true once the walk is done. */
    boolean step();

    /** The answer, once {@link #step} said done; of the type the command names. */
    Object result(long now);
}
