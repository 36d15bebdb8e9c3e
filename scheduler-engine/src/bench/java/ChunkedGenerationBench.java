import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.openai.Backend;
import io.queuedeck.engine.exec.openai.FakeOpenAiServer;
import io.queuedeck.engine.exec.openai.OpenAiExecutor;
import io.queuedeck.engine.exec.openai.OpenAiExecutorBuilder;
import io.queuedeck.engine.policy.PolicyConfig;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskView;
import java.util.List;
import java.util.Map;

/**
 * The trade-off of chunked generation on one backend slot under MLFQ: a long task (L tokens) is
 * running when a short one (S tokens) arrives. Without chunks the short task waits for the whole
 * long answer; with chunks of Q tokens it waits at most for the chunk in progress, and the long
 * task pays one more request per chunk (and, on a server without prefix caching, the re-read of
 * its prompt plus its text so far). Reports both tasks' end-to-end latency and the requests sent.
 * Run like FrontDoorBench:
 *   java -cp scheduler-engine/target/classes:scheduler-engine/target/test-classes:$(cat /tmp/cp.txt) \
 *       scheduler-engine/src/bench/java/ChunkedGenerationBench.java [rounds] [long] [short] [gapMillis] [quanta...]
 * e.g. ... ChunkedGenerationBench.java 5 256 8 5 0 64 32 16
 */
public class ChunkedGenerationBench {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int longTokens = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int shortTokens = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        long gap = args.length > 3 ? Long.parseLong(args[3]) : 5;
        List<Integer> quanta = args.length > 4
                ? java.util.Arrays.stream(args, 4, args.length).map(Integer::parseInt).toList() : List.of(0, 64, 32, 16);
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        System.out.printf("one slot, mlfq (q0 10 ms), long task %d tokens, short task %d tokens arriving 100 ms later, %d ms a token%n",
                longTokens, shortTokens, gap);
        System.out.println("quantum  round  short e2e ms  long e2e ms  long alone ms  requests");
        for (int quantum : quanta) {
            for (int round = -1; round < rounds; round++) { // round -1 warms up
                try (FakeOpenAiServer fake = new FakeOpenAiServer("m").continuing()) {
                    fake.byDefault(FakeOpenAiServer.Script.tokens(longTokens).delays(gap, gap));
                    OpenAiExecutorBuilder builder = OpenAiExecutor.builder()
                            .backend(Backend.at(fake.url()).withModels(List.of("m")).withSlots(1));
                    if (quantum > 0) {
                        builder.chunkedGeneration(quantum);
                    }
                    try (OpenAiExecutor executor = builder.build();
                         Engine engine = Engine.builder().executor(executor).policy("mlfq")
                                 .policyConfig(PolicyConfig.of(Map.of("q0_ms", "10"))).build()) {
                        engine.start();
                        // the long task alone first, for its unhindered time
                        TaskView alone = run(engine, List.of(TaskSpec.of("m", "alone ", 5, longTokens)), 0).getFirst();
                        int before = fake.requests().size();
                        List<TaskView> both = run(engine, List.of(TaskSpec.of("m", "long ", 5, longTokens),
                                TaskSpec.of("m", "short ", 5, shortTokens)), 100);
                        if (round >= 0) {
                            System.out.printf("%7d  %5d  %12.0f  %11.0f  %13.0f  %8d%n", quantum, round, e2e(both.get(1)),
                                    e2e(both.get(0)), e2e(alone), fake.requests().size() - before);
                        }
                    }
                }
            }
        }
    }

    private static List<TaskView> run(Engine engine, List<TaskSpec> specs, long staggerMillis) throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        for (TaskSpec spec : specs) {
            if (!ids.isEmpty()) {
                Thread.sleep(staggerMillis); // the scenario: a short task arrives while the long one runs
            }
            ids.add(engine.send(new Command.Submit(spec)).join().task().id());
        }
        List<TaskView> done = new java.util.ArrayList<>();
        for (String id : ids) {
            TaskView v;
            while (!(v = engine.send(new Command.FindTask(id)).join().orElseThrow()).state().isFinal()) {
                Thread.sleep(2);
            }
            done.add(v);
        }
        return done;
    }

    private static double e2e(TaskView v) {
        return (v.finishedAt() - v.arrivedAt()) / 1e6;
    }
}
