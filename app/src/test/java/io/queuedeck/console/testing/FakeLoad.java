package io.queuedeck.console.testing;

import io.queuedeck.console.gateway.DemoLoad;

/** A demo load that only remembers its settings. */
public final class FakeLoad implements DemoLoad {
    public double load = 0.9;
    public boolean bursting;

    @Override public void setLoad(double fraction) { load = fraction; }
    @Override public double load() { return load; }
    @Override public double capacityTasksPerSecond() { return 50; }
    public String mix = "chat";
    @Override public java.util.List<String> mixes() { return java.util.List.of("chat", "batch"); }
    @Override public String mix() { return mix; }
    @Override public void setMix(String name) { mix = name; }
    @Override public void burst(double factor, int seconds) { bursting = true; }
    @Override public boolean bursting() { return bursting; }
}
