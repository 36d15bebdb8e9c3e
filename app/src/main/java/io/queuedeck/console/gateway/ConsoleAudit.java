package io.queuedeck.console.gateway;

import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import java.util.Locale;

/**
 * What the console records in the audit trail for each change it sends (decision 0041): the action
 * key, its target and how many tasks. Submissions are workload, and bulk slices are recorded by their
 * operation, so neither is recorded here; the operator's load changes and the poison task, a fault
 * sent as a task, are recorded by their screens ({@link EngineCommands#audited}).
 */
public final class ConsoleAudit {
    /** One entry's fields. */
    record Fields(String action, String target, int tasks) {}

    private ConsoleAudit() {}

    /** The operator behind this console: {@code console:<OS user>}. */
    public static String actor() {
        return "console:" + System.getProperty("user.name", "operator");
    }

    /** The entry for {@code change}, or null when it is not recorded; {@code last} names its instance (may be null). */
    static Fields of(Command.Change<?> change, EngineSnapshot last) {
        return switch (change) {
            case Command.Submit c -> null;
            case Command.BulkApply c -> null;
            case Command.RestoreMarks c -> null;
            case Command.Cancel c -> new Fields("task.cancel", c.taskId(), 1);
            case Command.Withdraw c -> null; // a cluster node's hand-back (logged and counted by the node), not an operator's
            case Command.RetryDeadLetter c -> new Fields("task.retry", c.taskId(), 1);
            case Command.Reprioritize c -> new Fields("task.reprioritize", c.taskId() + " to P" + c.priority(), 1);
            case Command.Place c -> new Fields("task.place", c.taskId() + (c.priority() == null ? "" : " to P" + c.priority()), 1);
            case Command.PauseDispatch c -> new Fields(c.paused() ? "queue.pause" : "queue.resume", "all", 0);
            case Command.Drain c -> new Fields("queue.drain", "all", 0);
            case Command.SetTierMode c -> new Fields("tier." + lower(c.mode()), c.tier().name(), 0);
            case Command.SetLaneMode c -> new Fields("lane." + lower(c.mode()), "P" + c.priority(), 0);
            case Command.SwitchPolicy c -> new Fields("policy.switch", c.policy(), 0);
            // the REST API's words for the same actions (instance.drain, …), so one audit filter finds both
            case Command.CrashInstance c -> new Fields("fault.crash", instance(last, c.instance()), 0);
            case Command.SlowInstance c -> c.factor() == 1.0 ? new Fields("fault.slow_clear", instance(last, c.instance()), 0)
                    : new Fields("fault.slow", instance(last, c.instance()) + " x" + c.factor(), 0);
            case Command.SetInstanceOnline c -> new Fields(c.online() ? "instance.online" : "instance.offline", instance(last, c.instance()), 0);
            case Command.DrainInstance c -> new Fields(c.draining() ? "instance.drain" : "instance.drain_end", instance(last, c.instance()), 0);
            case Command.HangInstance c -> new Fields(c.hung() ? "fault.hang" : "fault.hang_clear", instance(last, c.instance()), 0);
            case Command.LimitKvCache c -> new Fields("fault.kv_cache", instance(last, c.instance()) + " to " + c.fraction(), 0);
            case Command.FailPromptsAbove c -> new Fields("fault.oom", instance(last, c.instance()) + " above " + c.promptTokens(), 0);
            case Command.MarkFault c -> null; // the fault itself is the recorded action
            case Command.ApplyConfig c -> new Fields("config.apply", c.describe(), 0);
        };
    }

    /** "Backend 2" for an inference server, else "GPU 2": what the GPUs screen calls it. */
    private static String instance(EngineSnapshot last, int id) {
        boolean backend = last != null && last.instances().stream().anyMatch(i -> i.id() == id && i.backend() != null);
        return (backend ? "Backend " : "GPU ") + id;
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
