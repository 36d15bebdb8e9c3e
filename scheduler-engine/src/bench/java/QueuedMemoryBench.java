import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.TaskSpec;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Heap taken by queued tasks: dispatch paused, N tasks submitted through the engine API with an
 * input of C ASCII characters (and, in a second round, a few metadata entries), live heap after a
 * full GC compared with before. Prints the heap per task beside what the byte budget counts for it.
 * Run (after ./mvnw -pl scheduler-engine package -DskipTests and dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt):
 *   java -Xmx2g -cp scheduler-engine/target/classes:$(cat /tmp/cp.txt) scheduler-engine/src/bench/java/QueuedMemoryBench.java [tasks] [chars,...]
 */
public class QueuedMemoryBench {
    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        String[] sizes = (args.length > 1 ? args[1] : "16,1000,10000").split(",");
        System.out.printf("%-9s %-9s %-14s %-15s%n", "chars", "metadata", "heap/task (B)", "counted/task (B)");
        for (String size : sizes) {
            for (boolean metadata : new boolean[] {false, true}) {
                int chars = Integer.parseInt(size);
                int n = chars >= 10_000 ? Math.min(tasks, 20_000) : tasks;
                round(n, chars, metadata);
            }
        }
    }

    private static void round(int n, int chars, boolean withMetadata) throws Exception {
        Engine engine = Engine.builder().maxQueuedBytes(Long.MAX_VALUE).build();
        engine.start();
        engine.send(new Command.PauseDispatch(true)).join();
        long before = live();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        Map<String, String> metadata = withMetadata ? Map.of("team", "search", "trace", "0123456789abcdef", "env", "prod") : null;
        for (int i = 0; i < n; i++) {
            // a fresh string per task, as parsed from a request body
            String input = ("x".repeat(chars - 8) + String.format("%08d", i));
            TaskSpec spec = new TaskSpec(null, "llama-2-7b", input, 5, null, null, null, null, 16, null, metadata);
            pending.add(engine.send(new Command.Submit(spec)));
            if (pending.size() == 10_000) {
                pending.forEach(CompletableFuture::join);
                pending.clear();
            }
        }
        pending.forEach(CompletableFuture::join);
        long after = live();
        long counted = engine.queuedBodyBytes();
        System.out.printf("%-9d %-9s %-14d %-15d%n", chars, withMetadata ? "3 keys" : "none", (after - before) / n, counted / n);
        engine.close();
    }

    private static long live() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
