package io.queuedeck.console.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's engine on an operator's file (--config): its tier table is the one the screens are told of. */
class EmbeddedEngineConfigTest {
    @Test
    void fourTierFile_theEnginesSnapshotsCarryItsTable(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("four.yaml");
        Files.writeString(file, """
                tiers:
                  urgent: {priorities: 0, max_concurrency: 8}
                  core: {priorities: 1-2}
                  normal: {priorities: 3-6}
                  batch: {priorities: 7-9}
                """);

        EmbeddedEngine system = EmbeddedEngine.start("priority", 1, null, file);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> system.engine().latestSnapshot() != null
                    && !system.engine().latestSnapshot().tierModes().isEmpty());
            assertThat(system.engine().latestSnapshot().tiers().names()).isEqualTo("urgent, core, normal, batch");
            assertThat(system.plane().current().source()).isEqualTo(file.toString());
        } finally {
            system.close();
        }
    }

    /**
     * --api-port is a flag, not part of the text: written into it, a restart on another port read as a changed
     * file, the operator's running version gave way to the defaults, and no older version could be rolled back to.
     */
    @Test
    void restart_resumesTheOperatorsVersion_andTheTextHoldsTheFilesPort(@TempDir Path dir) {
        EmbeddedEngine first = EmbeddedEngine.start("fifo", 1, io.queuedeck.engine.store.TaskStore.embedded(dir), null);
        try {
            first.plane().resume(dir);
            assertThat(first.plane().current().text()).contains("  port: 8080").contains("  name: fifo");
            first.plane().switchPolicy("fair", java.util.Map.of(), "console:test");
        } finally {
            first.close();
        }

        EmbeddedEngine second = EmbeddedEngine.start("fifo", 1, io.queuedeck.engine.store.TaskStore.embedded(dir), null);
        try {
            second.plane().resume(dir);
            assertThat(second.plane().current().config().policy().name()).isEqualTo("fair");
            assertThat(second.plane().current().source()).doesNotContain("changed while stopped");
            await().atMost(Duration.ofSeconds(10)).until(() -> second.engine().latestSnapshot() != null
                    && "fair".equals(second.engine().latestSnapshot().policy()));
        } finally {
            second.close();
        }
    }

    /** Why: the console ignored the file's callbacks section while GET /v1/config showed it running. */
    @Test
    void fileWithACallbacksSection_itsAllowListReachesTheCallbacks(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("callbacks.yaml");
        Files.writeString(file, """
                callbacks:
                  allowed_hosts: ["127.0.0.1:19480"]
                """);

        EmbeddedEngine system = EmbeddedEngine.start("priority", 1, null, file);
        var timers = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            var builder = io.queuedeck.engine.callback.CallbackDispatcher.builder(system.engine().clock(), timers);
            system.startConfig().callbacks().applyTo(builder); // what the console's API does with it
            var callbacks = builder.build();

            assertThat(callbacks.refusal("http://127.0.0.1:19480/hook")).isEmpty();
            assertThat(callbacks.refusal("http://127.0.0.1:19481/hook")).isPresent();
        } finally {
            timers.shutdownNow();
            system.close();
        }
    }
}
