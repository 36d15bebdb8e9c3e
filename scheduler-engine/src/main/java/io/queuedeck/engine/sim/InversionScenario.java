package io.queuedeck.engine.sim;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.loop.InversionProtocol;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import java.util.Map;

/**
 * Priority inversion, staged: one GPU with one batch slot under preemptive strict priority.
 * A low-priority task L (priority 9) takes an exclusive resource (a LoRA adapter slot) and runs;
 * a high-priority task H (priority 0) that needs the same adapter arrives and must wait for L;
 * then a stream of medium tasks (priority 5, no adapter) arrives. Without a protocol the medium
 * tasks preempt L, so H waits for all of them: its wait grows with their number. With priority
 * inheritance (or a ceiling) L runs at H's priority, finishes, and H waits only for L's rest.
 *
 * @param mediumTasks number of medium-priority tasks
 */
public record InversionScenario(int mediumTasks) {
    private static final String MODEL = "llama-2-7b";
    private static final String ADAPTER = "lora-support-bot";

    /**
     * What happened to H.
     *
     * @param protocol  the protocol in force
     * @param highWaitMs how long H waited for a GPU, in simulated milliseconds
     * @param lowFinishMs when L finished
     * @param preemptions preemptions during the run
     */
    public record Outcome(InversionProtocol protocol, double highWaitMs, double lowFinishMs, long preemptions) {}

    public Outcome run(InversionProtocol protocol) {
        VirtualClock clock = new VirtualClock();
        Engine engine = Engine.builder()
                .clock(clock)
                .executor(new SimulatedGpuExecutor(1, MODEL, GpuProfile.LLAMA2_7B_H100.withMaxBatch(1)))
                .policy("priority")
                // strict: giving up on late bulk tasks (decision 0074) would end the inversion on its own
                // and every class evicts a less urgent one (decision 0076's guard off): the medium tasks preempt the holder
                .policyConfig(PolicyConfig.of(Map.of("preemptive", "true", "preempt_through", "9",
                        "give_up_seconds", "0", "late_give_up_seconds", "0")))
                .inversionProtocol(protocol)
                .build();
        engine.start();
        submit(engine, "low", 9, 200, ADAPTER);
        clock.runUntil(100_000_000L);
        submit(engine, "high", 0, 10, ADAPTER);
        for (int i = 0; i < mediumTasks; i++) {
            submit(engine, "medium-" + i, 5, 100, null);
        }
        while (engine.send(new Command.CountActive()).join() > 0 && clock.runNext()) {
            // run until every task has finished
        }
        TaskView high = engine.send(new Command.FindTask("high")).join().orElseThrow();
        TaskView low = engine.send(new Command.FindTask("low")).join().orElseThrow();
        long preemptions = engine.send(new Command.TakeSnapshot()).join().counters().preemptions();
        return new Outcome(protocol, high.waitedNanos() / 1e6, low.finishedAt() / 1e6, preemptions);
    }

    private static void submit(Engine engine, String id, int priority, int tokens, String adapter) {
        TaskSpec spec = new TaskSpec(id, MODEL, "", priority, null, null, null, null, tokens, 100,
                adapter == null ? null : Map.of("exclusive_resource", adapter));
        engine.send(new Command.Submit(spec)).join();
    }
}
