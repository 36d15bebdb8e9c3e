package io.queuedeck.console;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The console's screens, in the order of the navigation bar (Ctrl+1 … Ctrl+9, then Ctrl+0). */
public enum Screen {
    OVERVIEW("Overview", "Queue levels, throughput, latency and GPUs at a glance"),
    LATENCY("Latency", "Latency percentiles over a sliding window"),
    LANES("Lanes", "The queue itself, one lane per priority; drag tasks to reprioritize"),
    GPUS("GPUs", "Each GPU or inference server: state, batch or slots, KV cache, what it runs"),
    FAULTS("Faults", "Inject and clear faults; the fault and change log"),
    POLICIES("Policy & load", "Switch the scheduling policy, pause dispatch, shape the demo load, compare policies on a trace"),
    SEARCH("Search", "Every task the engine knows, by any field; bulk actions with undo"),
    ACTIVITY("Activity", "Who did what and when: the audit trail of the console and the API"),
    CONTROL("Control", "The running config, its history, the canary, the rule tester, flow per tier and tenant, alerts"),
    DRILLS("Drills", "Run a game day against the live engine: probes, kill switch, verdict and report");

    private final String title;
    private final String description;

    Screen(String title, String description) {
        this.title = title;
        this.description = description;
    }

    public String title() {
        return title;
    }

    public String description() {
        return description;
    }

    /** The screen named {@code name}, case-insensitively (its enum name or title). */
    public static Screen parse(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (Screen screen : values()) {
            if (screen.name().toLowerCase(Locale.ROOT).equals(wanted) || screen.title.toLowerCase(Locale.ROOT).equals(wanted)) {
                return screen;
            }
        }
        throw new IllegalArgumentException("unknown screen '" + name + "'; screens: "
                + Arrays.stream(values()).map(s -> s.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }
}
