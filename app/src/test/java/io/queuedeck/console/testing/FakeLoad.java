package io.queuedeck.console.testing;

import io.queuedeck.console.gateway.DemoLoad;

/** A demo load that only remembers its settings. */
public final class FakeLoad implements DemoLoad {
    public double load = 0.9;
    public boolean bursting;

    @Override public void setLoad(double fraction) { load = fraction; }
    @Override public double load() { return load; }
    @Override public double capacityTasksPerSecond() { return 50; }
    /** Why no demo load can run (a console on real backends), or null. */
    public String unavailable;
    @Override public String unavailable() { return unavailable; }
    public String mix = "chat";
    @Override public java.util.List<String> mixes() { return java.util.List.of("chat", "batch"); }
    @Override public String mix() { return mix; }
    @Override public void setMix(String name) { mix = name; replaying = ""; } // as the console's: the synthetic load again
    public String lengths = "chat";
    @Override public java.util.List<String> lengthPresets() { return java.util.List.of("chat", "long"); }
    @Override public String lengths() { return lengths; }
    @Override public void setLengths(String name) { lengths = name; }
    public String replaying = "";
    @Override public java.util.List<String> shippedTraces() { return java.util.List.of("t.csv"); }
    @Override public void replay(String trace) {
        if (!trace.equals("t.csv")) throw new IllegalArgumentException("no trace " + trace);
        replaying = trace + ": 0 of 10 submitted";
    }
    @Override public String replayStatus() { return replaying; }
    /** What a replay offers, as the trace's average rate (negative: the synthetic load's rate). */
    public double replayRate = -1;
    @Override public double offeredTasksPerSecond() { return replayRate >= 0 ? replayRate : load * capacityTasksPerSecond(); }
    @Override public void burst(double factor, int seconds) { bursting = true; }
    @Override public boolean bursting() { return bursting; }
}
