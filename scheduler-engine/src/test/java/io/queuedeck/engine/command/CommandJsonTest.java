package io.queuedeck.engine.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.task.Placement;
import io.queuedeck.engine.task.TaskFilter;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import org.junit.jupiter.api.Test;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Every change has a stable JSON form that reads back as the same record. */
class CommandJsonTest {

    /** One of every change, with every field set. */
    private static final io.queuedeck.engine.tier.FlowSettings FLOW = new io.queuedeck.engine.tier.FlowSettings(
            Map.of(Tier.BATCH, new io.queuedeck.engine.tier.TierLimits(2, 1, 10, 0, java.time.Duration.ofSeconds(5),
                    io.queuedeck.engine.tier.TierLimits.TimeoutAction.DEMOTE, 0, null, null,
                    io.queuedeck.engine.tier.TierLimits.Degrade.PARK, io.queuedeck.engine.tier.TierLimits.Fairness.VTC,
                    false)), Map.of("acme", 2.0));
    private static final List<Command.Change<?>> SAMPLES = List.of(
            new Command.Submit(new TaskSpec("t-1", "llama-2-7b", "Hello", 2, "http://127.0.0.1:9/cb", "acme",
                    "interactive", Instant.parse("2026-12-03T10:15:30Z"), 64, 12, Map.of("k", "v")), 40),
            new Command.Cancel("t-1"),
            new Command.Withdraw(List.of("t-1", "t-2")),
            new Command.RetryDeadLetter("t-2"),
            new Command.Reprioritize("t-3", 7),
            new Command.Place("t-4", 3, Placement.before("t-5")),
            new Command.Place("t-4", null, Placement.after("t-5")),
            new Command.Place("t-4", 0, Placement.front()),
            new Command.Place("t-4", 9, Placement.back()),
            new Command.PauseDispatch(true),
            new Command.Drain(),
            new Command.SetTierMode(Tier.BATCH, TierMode.DRAINING),
            new Command.SetLaneMode(4, TierMode.PAUSED),
            new Command.SwitchPolicy("mlfq", Map.of("q0_ms", "20", "levels", "4")),
            new Command.ApplyConfig(3, "policy priority → edf", "edf", Map.of(), FLOW, new io.queuedeck.engine.command.CanaryPolicy("edf",
                    Map.of("k", "v"), FLOW)),
            new Command.ApplyConfig(4, "canary started", null, Map.of(), null, new io.queuedeck.engine.command.CanaryPolicy(null, Map.of(), FLOW)),
            new Command.CrashInstance(1),
            new Command.SlowInstance(2, 3.5),
            new Command.SetInstanceOnline(3, false),
            new Command.HangInstance(0, true),
            new Command.LimitKvCache(1, 0.25),
            new Command.FailPromptsAbove(2, 4096),
            new Command.MarkFault("f-1", "hang GPU 0", true),
            new Command.DrainInstance(2, true),
            new Command.BulkApply(List.of("t-1", "t-2"), new TaskFilter(null, "llama-2-7b", "acme", null,
                    Set.of(TaskState.QUEUED), 4, 6, 1_000L, null, "nightly"), BulkAction.MOVE, 2, "front"),
            new Command.RestoreMarks(List.of(new io.queuedeck.engine.task.UndoMark("t-1", 5, 3_145_728L, 2, 1_048_576L))));

    @Test
    void everyChange_writtenThenRead_isTheSameRecord() {
        for (Command.Change<?> change : SAMPLES) {
            String json = CommandJson.write(change);

            assertThat(CommandJson.read(json)).as(json).isEqualTo(change);
        }
    }

    @Test
    void submit_acceptBy_isNotWritten_andAReadSubmitNeverExpires() {
        TaskSpec spec = new TaskSpec("t-1", "llama-2-7b", "Hello", 2, null, null, null, null, 8, null, null);
        String json = CommandJson.write(new Command.Submit(spec, 5, 1_234));

        assertThat(json).doesNotContain("accept");
        assertThat(CommandJson.read(json)).isEqualTo(new Command.Submit(spec, 5, Command.Submit.NO_EXPIRY));
    }

    @Test
    void samples_coverEveryKindOfChange() {
        Set<Class<?>> kinds = Arrays.stream(Command.Change.class.getPermittedSubclasses()).collect(Collectors.toSet());

        assertThat(SAMPLES.stream().map(Object::getClass).collect(Collectors.toSet()))
                .as("a new change needs a sample here, and so a tested JSON form").isEqualTo(kinds);
    }

    @Test
    void cancel_writesVersionTypeAndSnakeCaseFields() {
        assertThat(CommandJson.write(new Command.Cancel("t-1"))).isEqualTo("{\"v\":1,\"type\":\"cancel\",\"task_id\":\"t-1\"}");
        assertThat(CommandJson.write(new Command.Place("a", 3, Placement.before("b"))))
                .isEqualTo("{\"v\":1,\"type\":\"place\",\"task_id\":\"a\",\"priority\":3,"
                        + "\"placement\":{\"at\":\"before\",\"task_id\":\"b\"}}");
    }

    @Test
    void read_otherVersionOrUnknownTypeOrField_refusedWithTheReason() {
        assertThatThrownBy(() -> CommandJson.read("{\"v\":2,\"type\":\"cancel\",\"task_id\":\"t\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version must be 1, got 2");
        assertThatThrownBy(() -> CommandJson.read("{\"type\":\"cancel\",\"task_id\":\"t\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got none");
        assertThatThrownBy(() -> CommandJson.read("{\"v\":1,\"type\":\"explode\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("explode");
        assertThatThrownBy(() -> CommandJson.read("{\"v\":1,\"type\":\"cancel\",\"task_id\":\"t\",\"colour\":1}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("colour");
        assertThatThrownBy(() -> CommandJson.read("[1]"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> CommandJson.read("{\"v\":1,"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a command");
    }
}
