package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.console.gateway.EmbeddedEngine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.testing.RedisServer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A console joined to a shared queue keeps its GPUs' holds across its restart, in Redis under its
 * node's name (decisions 0118, 0122): it opens its engine as the console does at start (off the FX
 * thread, through {@link QueueOpening}), twice. Before, every GPU came back in service.
 */
class ConsoleNodeHoldsTest {
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.ephemeral();

    private static EmbeddedEngine open() throws Exception {
        ConsoleOptions options = ConsoleOptions.parse(List.of("--redis", REDIS.uri(), "--node", "desk", "--queue", "holds",
                "--load", "0"));
        return QueueOpening.take(options, null).get(30, TimeUnit.SECONDS);
    }

    @Test
    void aGpuTakenOfflineAndOneDraining_areSoWhenTheConsoleOpensAgain() throws Exception {
        EmbeddedEngine first = open();
        try {
            first.engine().send(new Command.SetInstanceOnline(1, false)).get(10, TimeUnit.SECONDS);
            first.engine().send(new Command.SetInstanceOnline(2, false)).get(10, TimeUnit.SECONDS);
            first.engine().send(new Command.SetInstanceOnline(2, true)).get(10, TimeUnit.SECONDS); // back before the stop
        } finally {
            first.close();
        }

        EmbeddedEngine second = open();
        try {
            var instances = second.engine().send(new Command.TakeSnapshot()).get(10, TimeUnit.SECONDS).instances();
            assertThat(instances.get(1).state()).isEqualTo(InstanceState.OFFLINE);
            assertThat(instances.get(2).state()).isNotEqualTo(InstanceState.OFFLINE);
            assertThat(instances.get(0).state()).isNotEqualTo(InstanceState.OFFLINE);
        } finally {
            second.close();
        }
    }
}
