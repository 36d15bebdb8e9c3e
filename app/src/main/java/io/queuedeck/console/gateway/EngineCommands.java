package io.queuedeck.console.gateway;

import io.queuedeck.engine.command.Command;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * How the screens send commands to the engine. Every method returns at once; the future
 * completes on the FX thread (in the running console), and a refused command has already been
 * reported to the operator by the time it fails, so callers only react to success.
 */
public interface EngineCommands {

    /** Sends {@code command}; the operator hears of a refusal as {@link Command#describe()} names it. */
    <R> CompletableFuture<R> send(Command<R> command);

    /**
     * Sends {@code command} without telling the operator of a refusal: for a caller that tries
     * again another way (a drop whose anchor left the queue meanwhile) and says itself what became
     * of the command. The future fails as {@link #send}'s does.
     */
    default <R> CompletableFuture<R> sendUnreported(Command<R> command) {
        return send(command);
    }

    /**
     * Sends the command {@code build} makes from what the operator typed; one that cannot be
     * made (bad text) is reported under {@code action} and refused like one the engine refused.
     */
    <R> CompletableFuture<R> sendBuilt(String action, Supplier<Command<R>> build);

    /**
     * Whether a fault the console starts without an engine command (the demo-load burst) may start
     * now. When not (the kill switch is pulled), the refusal has been reported under {@code action}
     * as a refused command is. Fault commands are refused in {@link #send} itself.
     */
    default boolean mayInjectFault(String action) {
        return true;
    }

    /**
     * Records in the audit trail an operator action that is not an engine command (the demo
     * load's rate, its burst): who did what, as the commands' own entries say.
     */
    default void audited(String action, String target) {}
}
