package io.queuedeck.console.gateway;

/** Steering of the demo load generator that feeds the embedded engine. */
public interface DemoLoad {

    /** Offered load as a fraction of the GPUs' capacity; 0 stops the generator. */
    void setLoad(double fraction);

    double load();

    /** Tasks per second at load 1.0. */
    double capacityTasksPerSecond();

    /** Adds {@code factor - 1} times the current load on top of it for {@code seconds}. */
    void burst(double factor, int seconds);

    /** Whether a burst is running now. */
    boolean bursting();
}
