package io.queuedeck.console.gateway;

/** Steering of the demo load generator that feeds the embedded engine. */
public interface DemoLoad {

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

    /** Adds {@code factor - 1} times the current load on top of it for {@code seconds}. */
    void burst(double factor, int seconds);

    /** Whether a burst is running now. */
    boolean bursting();
}
