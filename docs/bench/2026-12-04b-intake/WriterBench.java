import io.queuedeck.engine.store.*;
import io.queuedeck.engine.task.*;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** The store writer's work alone: batches of PutTask (as the intake queues them) into a fresh embedded store; thread CPU per task. */
public class WriterBench {
    public static void main(String[] a) throws Exception {
        int batches = Integer.parseInt(a[0]), size = Integer.parseInt(a[1]);
        var bean = ManagementFactory.getThreadMXBean();
        var dir = Files.createTempDirectory("wb");
        try (TaskStore store = TaskStore.embedded(dir)) {
            long seq = 0;
            for (int pass = 0; pass < 2; pass++) { // pass 0 warms up
                long cpu0 = bean.getCurrentThreadCpuTime(), wall0 = System.nanoTime();
                for (int b = 0; b < batches; b++) {
                    List<StoreWrite> batch = new ArrayList<>(size);
                    for (int i = 0; i < size; i++) {
                        seq++;
                        TaskSpec spec = new TaskSpec("w-" + seq, "llama-2-7b", "Summarise the quarterly report in three bullet points.",
                                (int) (seq % 10), null, "bench", null, null, 64, null, null,
                                new TaskSpec.Classification("explicit", "stable", "the client's priority"));
                        batch.add(new StoreWrite.PutTask(new StoredTask("w-" + seq, spec, TaskState.QUEUED, (int) (seq % 10), seq, seq, 64, 0, null, null, null, false, null)));
                    }
                    store.write(batch);
                }
                long cpu = bean.getCurrentThreadCpuTime() - cpu0, wall = System.nanoTime() - wall0;
                if (pass == 1) System.out.printf("%d batches of %d: writer thread CPU %.1f us/task, %.1f us/commit; wall %.1f us/commit%n",
                        batches, size, cpu / 1e3 / batches / size, cpu / 1e3 / batches, wall / 1e3 / batches);
            }
        }
    }
}
