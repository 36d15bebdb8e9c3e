package io.queuedeck.console.gateway;

import static io.queuedeck.console.testing.Snapshots.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.BackendLoad;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import org.junit.jupiter.api.Test;

class ConsoleAuditTest {

    @Test
    void instanceTargets_nameBackendsAsTheGpusScreenDoes() {
        var backend = new InstanceStatus(3, "m1", InstanceState.UP, 0, 2, 0, 0, 1, false,
                new BackendLoad("http://127.0.0.1:8000", 0, 2, 0, null, null, null, null, null));
        var simulated = new InstanceStatus(1, "llama-2-7b", InstanceState.UP, 0, 32, 0, 120_000, 1);
        var last = snapshot().instances(simulated, backend).build();

        assertThat(ConsoleAudit.of(new Command.SetInstanceOnline(3, false), last).target()).isEqualTo("Backend 3");
        assertThat(ConsoleAudit.of(new Command.DrainInstance(3, true), last).target()).isEqualTo("Backend 3");
        assertThat(ConsoleAudit.of(new Command.SetInstanceOnline(1, false), last).target()).isEqualTo("GPU 1");
        assertThat(ConsoleAudit.of(new Command.CrashInstance(1), null).target()).as("before the first snapshot").isEqualTo("GPU 1");
    }

    /** The console's instance actions are audited in the REST API's words, so one filter finds both. */
    @Test
    void instanceActions_areAuditedAsTheApiAuditsThem() {
        assertThat(ConsoleAudit.of(new Command.DrainInstance(3, true), null).action()).isEqualTo("instance.drain");
        assertThat(ConsoleAudit.of(new Command.SetInstanceOnline(3, false), null).action()).isEqualTo("instance.offline");
        assertThat(ConsoleAudit.of(new Command.SetInstanceOnline(3, true), null).action()).isEqualTo("instance.online");
        assertThat(ConsoleAudit.of(new Command.CrashInstance(1), null).action()).isEqualTo("fault.crash");
        assertThat(ConsoleAudit.of(new Command.SlowInstance(1, 1.0), null).action()).as("full speed again").isEqualTo("fault.slow_clear");
    }
}
