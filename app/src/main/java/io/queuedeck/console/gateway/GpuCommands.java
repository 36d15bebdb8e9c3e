package io.queuedeck.console.gateway;

import io.queuedeck.engine.command.Command;
import java.util.Locale;
import java.util.Objects;

/**
 * The per-GPU commands (crash, slow down, drain, take offline or bring online), as the GPUs and
 * Faults screens send them: each is logged in the {@link ChangeLog} once the engine accepted it.
 */
public final class GpuCommands {
    private final EngineCommands commands;
    private final ChangeLog log;

    public GpuCommands(EngineCommands commands, ChangeLog log) {
        this.commands = Objects.requireNonNull(commands, "commands");
        this.log = Objects.requireNonNull(log, "log");
    }

    public void crash(int instance) {
        commands.send(new Command.CrashInstance(instance)).thenRun(() -> log.record(ChangeLog.Kind.OPERATOR, "crash injected on GPU " + instance));
    }

    public void slow(int instance, double factor) {
        commands.send(new Command.SlowInstance(instance, factor)).thenRun(() -> log.record(ChangeLog.Kind.OPERATOR,
                factor == 1.0 ? "speed restored on GPU " + instance
                        : String.format(Locale.ROOT, "GPU %d slowed ×%.0f", instance, factor)));
    }

    /** Drains a GPU or backend (no new work; what runs finishes), or ends the drain. */
    public void drain(int instance, boolean draining) {
        String name = log.instanceName(instance); // now, on the FX thread that clicked
        commands.send(new Command.DrainInstance(instance, draining)).thenRun(() -> log.record(ChangeLog.Kind.OPERATOR,
                name + (draining ? " draining" : " drain ended")));
    }

    /** Drains every instance of one inference server (each model it serves), or ends that; logged once. */
    public void drainServer(String url, java.util.List<Integer> instances, boolean draining) {
        java.util.concurrent.CompletableFuture<?>[] sent = instances.stream()
                .map(i -> commands.send(new Command.DrainInstance(i, draining))).toArray(java.util.concurrent.CompletableFuture[]::new);
        java.util.concurrent.CompletableFuture.allOf(sent).thenRun(() -> log.record(ChangeLog.Kind.OPERATOR,
                "server " + url + (draining ? " draining" : " drain ended") + " (backend " + instances.stream()
                        .map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")) + ")"));
    }

    public void setOnline(int instance, boolean online) {
        String name = log.instanceName(instance);
        commands.send(new Command.SetInstanceOnline(instance, online)).thenRun(() -> log.record(ChangeLog.Kind.OPERATOR,
                name + (online ? " brought online" : " taken offline")));
    }
}
