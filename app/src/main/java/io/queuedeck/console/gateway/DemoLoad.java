package io.queuedeck.console.gateway;

/** Steering of the demo load generator that feeds the embedded engine. */
public interface DemoLoad {

    /**
     * Why this console can offer no demo load (nor bursts, traces or poison tasks, which ask for the
     * simulated model), or null when it can.
     */
    default String unavailable() {
        return null;
    }

    /** Offered load as a fraction of the GPUs' capacity; 0 stops the generator. */
    void setLoad(double fraction);

    double load();

    /** Tasks per second at load 1.0. */
    double capacityTasksPerSecond();

    /** Named priority mixes the generator offers, e.g. "chat (P1 10%, P3 30%, P5 60%)". */
    java.util.List<String> mixes();

    /** The mix in use. */
    String mix();

    /** Switches the priority mix; the rate stays. */
    void setMix(String name);

    /** Named prompt/output length distributions. */
    java.util.List<String> lengthPresets();

    /** The length distribution in use. */
    String lengths();

    /** Switches the length distribution; the load fraction stays (the rate follows capacity). */
    void setLengths(String name);

    /** Traces shipped with QueueDeck, by name. */
    java.util.List<String> shippedTraces();

    /**
     * Replaces the synthetic load with a replay of a trace (a file, or a shipped trace's name),
     * time-scaled to offer the current load; {@link #setLoad} goes back to synthetic load.
     *
     * @throws RuntimeException with a message for the operator when the trace cannot be read
     */
    void replay(String trace);

    /** What the replay is doing ("azure-conv-2023.csv: 1,234 of 19,366 submitted"), or empty when none runs. */
    String replayStatus();

    /**
     * Tasks per second the console submits now: the synthetic load's rate; during a trace replay the
     * trace's average (its own arrivals, not the synthetic mix and lengths), and 0 once it has
     * submitted all of them.
     */
    default double offeredTasksPerSecond() {
        return load() * capacityTasksPerSecond();
    }

    /** Adds {@code factor - 1} times the current load on top of it for {@code seconds}. */
    void burst(double factor, int seconds);

    /** Whether a burst is running now. */
    boolean bursting();
}
