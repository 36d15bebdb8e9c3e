package io.queuedeck.engine.bulk;

import io.queuedeck.engine.command.Command;
import java.util.concurrent.CompletableFuture;

/** Where bulk operations send their commands: {@code engine::send}. */
@FunctionalInterface
public interface CommandSender {
    <R> CompletableFuture<R> send(Command<R> command);
}
