package io.queuedeck.console.testing;

import io.queuedeck.console.gateway.DemoLoad;

/** A demo load that only remembers its settings. */
public final class FakeLoad implements DemoLoad {
    public double load = 0.9;
    public boolean bursting;

    @Override public void setLoad(double fraction) { load = fraction; }
    @Override public double load() { return load; }
    @Override public double capacityTasksPerSecond() { return 50; }
    @Override public void burst(double factor, int seconds) { bursting = true; }
    @Override public boolean bursting() { return bursting; }
}
