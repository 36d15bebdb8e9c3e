package io.queuedeck.console.policies;

import io.queuedeck.console.gateway.DemoLoad;
import io.queuedeck.console.gateway.EngineCommands;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.policy.PolicyRegistry;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The live scheduling policy, dispatch pause, and the demo load. What the engine runs is read
 * from snapshots only: a command changes the engine, and the next snapshot changes the screen.
 */
public final class PoliciesViewModel {
    private final EngineCommands commands;
    private final DemoLoad load;
    /** The policies a live engine can run: not those that need a simulation's true output lengths. */
    private final ObservableList<String> policies = FXCollections.unmodifiableObservableList(FXCollections.observableArrayList(
            PolicyRegistry.names().stream().filter(name -> !PolicyRegistry.isSimulationOnly(name)).toList()));
    private final ReadOnlyStringWrapper livePolicy = new ReadOnlyStringWrapper(this, "livePolicy", "");
    /** The live policy's parameters as given, "key=value, …" in key order; empty: its defaults. */
    private final ReadOnlyStringWrapper liveParameters = new ReadOnlyStringWrapper(this, "liveParameters", "");
    private final ReadOnlyBooleanWrapper paused = new ReadOnlyBooleanWrapper(this, "paused");
    /** The pause the last click asked for, until a snapshot shows it; null when the engine's state is the truth. */
    private Boolean asked;
    private final ReadOnlyBooleanWrapper switching = new ReadOnlyBooleanWrapper(this, "switching");
    private final ReadOnlyDoubleWrapper loadFraction = new ReadOnlyDoubleWrapper(this, "loadFraction");
    private final ReadOnlyStringWrapper lengths = new ReadOnlyStringWrapper(this, "lengths", "");
    private final ReadOnlyStringWrapper replayStatus = new ReadOnlyStringWrapper(this, "replayStatus", "");
    private final javafx.beans.property.ReadOnlyBooleanWrapper replaying = new javafx.beans.property.ReadOnlyBooleanWrapper(this, "replaying");
    private final ReadOnlyStringWrapper mix = new ReadOnlyStringWrapper(this, "mix", "");
    private final ReadOnlyDoubleWrapper offeredRate = new ReadOnlyDoubleWrapper(this, "offeredRate");
    private final javafx.beans.property.ReadOnlyStringWrapper servingNow = new javafx.beans.property.ReadOnlyStringWrapper(this, "servingNow", "");

    /** How a switch becomes a version of the running config (the control plane's), so its text names the policy. */
    @FunctionalInterface
    public interface ConfigSwitch {
        /**
         * Switches to {@code name} with the parameters {@code parameters} makes (it throws on bad
         * text) through the config; completes when it applied, and a refusal has been reported.
         */
        CompletableFuture<?> switchPolicy(String name, java.util.function.Supplier<Map<String, String>> parameters);
    }

    /** Null: switches go to the engine alone. */
    private final ConfigSwitch viaConfig;

    public PoliciesViewModel(EngineCommands commands, DemoLoad load) {
        this(commands, load, null);
    }

    /** @param viaConfig how a switch becomes a config version; null sends it to the engine alone */
    public PoliciesViewModel(EngineCommands commands, DemoLoad load, ConfigSwitch viaConfig) {
        this.viaConfig = viaConfig;
        this.commands = Objects.requireNonNull(commands, "commands");
        this.load = Objects.requireNonNull(load, "load");
        readLoad();
    }

    public void apply(EngineSnapshot snapshot) {
        livePolicy.set(snapshot.policy());
        liveParameters.set(parametersText(snapshot.policyParameters()));
        paused.set(snapshot.dispatchPaused());
        if (asked != null && asked == snapshot.dispatchPaused()) {
            asked = null; // the engine shows what was asked: its state is the truth again
        }
        servingNow.set(servingNow(snapshot));
        // the load also changes without this screen: the console starts its demo load after the first
        // frame (this screen then read 0% while the status line said 90%), and a trace's end stops it
        readLoad();
    }

    /** Switches the live policy; a no-op when it already runs. Running tasks are not touched. */
    public void switchPolicy(String name) {
        if (name == null || name.equals(livePolicy.get()) || switching.get()) {
            return;
        }
        switching.set(true);
        (viaConfig != null ? viaConfig.switchPolicy(name, Map::of) : commands.send(new Command.SwitchPolicy(name)))
                .whenComplete((ok, error) -> {
            switching.set(false);
            if (error == null) {
                livePolicy.set(name); // the next snapshot says the same; this avoids a flicker back
            }
        });
    }

    /**
     * Switches to {@code name} with {@code parameters} ("key=value,…"), even when {@code name}
     * already runs: that is how an operator changes a live policy's parameters.
     */
    public void switchPolicy(String name, String parameters) {
        if (name == null || switching.get()) {
            return;
        }
        if (parameters == null || parameters.isBlank()) {
            switchPolicy(name);
            return;
        }
        switching.set(true);
        (viaConfig != null ? viaConfig.switchPolicy(name, () -> PolicyConfig.parse(parameters).values())
                : commands.sendBuilt("Switch policy to " + name + " (" + parameters + ")",
                        () -> new Command.SwitchPolicy(name, PolicyConfig.parse(parameters)))).whenComplete((ok, error) -> {
            switching.set(false);
            if (error == null) {
                livePolicy.set(name);
            }
        });
    }

    public void setPaused(boolean pause) {
        asked = pause;
        commands.send(new Command.PauseDispatch(pause)).whenComplete((done, refused) -> {
            if (refused == null) {
                paused.set(pause);
            } else {
                asked = null;
            }
        });
    }

    /** Flips what the last click asked for while the engine has not shown it yet (quick clicks acted on a stale state). */
    public void togglePause() {
        setPaused(!(asked != null ? asked : paused.get()));
    }

    /** Sets the demo load, as a fraction of GPU capacity (0 stops it). */
    public void setLoad(double fraction) {
        boolean changed = Math.abs(fraction - loadFraction.get()) > 1e-9; // a slider gesture may set the same load twice
        load.setLoad(fraction);
        if (changed) {
            commands.audited("load.set", String.format(java.util.Locale.ROOT, "demo load %.0f%%", fraction * 100));
        }
        readLoad();
    }

    /** Traces shipped with QueueDeck. */
    public List<String> shippedTraces() {
        return load.shippedTraces();
    }

    /**
     * Replays a trace (file or shipped name) instead of the synthetic load.
     *
     * @return empty, or why the trace could not be replayed
     */
    public java.util.Optional<String> replay(String trace) {
        try {
            load.replay(trace);
            stoppedReplay = null;
            commands.audited("load.replay", java.nio.file.Path.of(trace).getFileName().toString());
            readLoad();
            return java.util.Optional.empty();
        } catch (RuntimeException e) {
            return java.util.Optional.of(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** The replay's progress, or empty while the synthetic load runs. */
    public ReadOnlyStringProperty replayStatusProperty() {
        return replayStatus.getReadOnlyProperty();
    }

    /** Prompt/output length presets of the demo load. */
    public List<String> lengthPresets() {
        return load.lengthPresets();
    }

    public ReadOnlyStringProperty lengthsProperty() {
        return lengths.getReadOnlyProperty();
    }

    public void setLengths(String name) {
        if (name != null && !name.equals(load.lengths())) {
            load.setLengths(name);
            commands.audited("load.lengths", name);
            readLoad();
        }
    }

    /** Priority mixes of the demo load. */
    public List<String> mixes() {
        return load.mixes();
    }

    public ReadOnlyStringProperty mixProperty() {
        return mix.getReadOnlyProperty();
    }

    public void setMix(String name) {
        if (name != null && !name.equals(load.mix())) {
            load.setMix(name);
            commands.audited("load.mix", name);
            readLoad();
        }
    }

    private void readLoad() {
        mix.set(load.mix());
        lengths.set(load.lengths());
        loadFraction.set(load.load());
        offeredRate.set(load.offeredTasksPerSecond());
        String now = load.replayStatus();
        String was = replayStatus.get();
        if (now.isEmpty() && !was.isEmpty() && !was.endsWith("(done)") && !was.endsWith(STOPPED)) {
            // a mix, lengths or load set while a trace replayed ends the replay: said, it ended without a word
            stoppedReplay = was.substring(0, Math.max(0, was.indexOf(':'))) + STOPPED;
        }
        replaying.set(!now.isEmpty()); // first: the view redraws the load line when the status changes
        replayStatus.set(now.isEmpty() && stoppedReplay != null ? stoppedReplay : now);
    }

    /** Whether a trace replays now (its status may still tell of one that stopped). */
    public javafx.beans.property.ReadOnlyBooleanProperty replayingProperty() {
        return replaying.getReadOnlyProperty();
    }


    private static final String STOPPED = ": replay stopped; the synthetic load runs again";
    /** What the replay status says after a change ended a replay, until the next replay; null before. */
    private String stoppedReplay;

    /** "key=value, …" in key order, as the parameters field takes them. */
    static String parametersText(Map<String, String> parameters) {
        return new java.util.TreeMap<>(parameters).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(java.util.stream.Collectors.joining(", "));
    }

    public ObservableList<String> policies() { return policies; }
    public ReadOnlyStringProperty liveParametersProperty() { return liveParameters.getReadOnlyProperty(); }
    public ReadOnlyStringProperty livePolicyProperty() { return livePolicy.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty pausedProperty() { return paused.getReadOnlyProperty(); }
    /** True while a policy switch is on its way to the engine. */
    public ReadOnlyBooleanProperty switchingProperty() { return switching.getReadOnlyProperty(); }
    public ReadOnlyDoubleProperty loadFractionProperty() { return loadFraction.getReadOnlyProperty(); }
    /** Tasks per second the demo load offers. */
    public ReadOnlyDoubleProperty offeredRateProperty() { return offeredRate.getReadOnlyProperty(); }

    /**
     * What the GPUs can take now when some are down, offline, draining or slowed ("≈ 26.7 now, with 2
     * of 4 GPUs serving"), or empty when all serve at full speed: the capacity the load is a share of
     * is that of every GPU, and a queue that grew under "90%" looked like a bug.
     */
    public javafx.beans.property.ReadOnlyStringProperty servingNowProperty() { return servingNow.getReadOnlyProperty(); }

    private String servingNow(EngineSnapshot snapshot) {
        java.util.List<io.queuedeck.engine.exec.InstanceStatus> all = snapshot.instances();
        double speed = 0;
        int serving = 0;
        for (io.queuedeck.engine.exec.InstanceStatus i : all) {
            if (i.state().acceptsWork() && !i.draining()) {
                serving++;
                speed += 1 / Math.max(1, i.slowdown());
            }
        }
        if (all.isEmpty() || speed >= all.size() - 1e-9) {
            return "";
        }
        double now = load.capacityTasksPerSecond() * speed / all.size();
        String slowed = serving > 0 && speed < serving - 1e-9 ? ", some slowed" : "";
        return String.format(java.util.Locale.ROOT, "≈ %.1f now, with %d of %d GPUs serving%s", now, serving, all.size(), slowed)
                + (load.offeredTasksPerSecond() > now ? ": more is offered than they take, and the queue grows" : "");
    }
    public double capacityTasksPerSecond() { return load.capacityTasksPerSecond(); }

    /** Why no demo load can run here (real backends), or null. */
    public String demoLoadUnavailable() { return load.unavailable(); }
}
