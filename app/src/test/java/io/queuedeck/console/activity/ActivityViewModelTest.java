package io.queuedeck.console.activity;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.console.gateway.EngineGateway;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.audit.AuditEntry;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.tier.TierMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Activity screen's model: the console's own actions and the API's show, newest first, searchable, exportable. */
class ActivityViewModelTest {

    @Test
    void consoleActions_areRecordedAsTheyAreAccepted_searchable_andExported(@TempDir Path dir) throws Exception {
        try (Engine engine = Engine.builder().clock(new VirtualClock()).build()) {
            engine.start();
            engine.send(new Command.PauseDispatch(true)).join();
            engine.send(new Command.Submit(new TaskSpec("t1", "llama-2-7b", "hi", 5, null, null, null, null, 8, null, null))).join();
            EngineGateway gateway = new EngineGateway(engine, Runnable::run, failure -> { });
            ActivityViewModel model = new ActivityViewModel(gateway, Runnable::run, Runnable::run); // the export writes in line here

            gateway.send(new Command.SetLaneMode(5, TierMode.PAUSED));
            gateway.send(new Command.Cancel("t1"));
            gateway.send(new Command.Cancel("unknown")); // refused: not recorded
            engine.audit().record("ops", "api", "queue.resume", "all:resume", 0, null); // a REST call, shown as it happens

            assertThat(model.entries()).extracting(AuditEntry::action)
                    .containsExactly("queue.resume", "task.cancel", "lane.paused");
            assertThat(model.entries().get(1).actor()).startsWith("console:");
            assertThat(model.entries().get(1).source()).isEqualTo("console");

            assertThat(model.messageProperty().get()).isEqualTo("3 entries");
            model.queryProperty().set("T1");
            assertThat(model.entries()).extracting(AuditEntry::target).containsExactly("t1");
            assertThat(model.messageProperty().get()).isEqualTo("1 entry");

            Path csv = dir.resolve("activity.csv");
            model.export(csv);
            assertThat(Files.readAllLines(csv)).hasSize(2).last().asString().contains(",\"console\",\"task.cancel\",\"t1\",1,");
            Path json = dir.resolve("activity.json");
            model.export(json);
            assertThat(Files.readString(json)).contains("\"action\" : \"task.cancel\"");
            assertThat(model.messageProperty().get()).isEqualTo("1 entry written to " + json);
        }
    }
}
