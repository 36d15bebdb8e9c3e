package io.queuedeck.engine.bench;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.task.SubmitResult;
import io.queuedeck.engine.task.TaskSpec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Heap held for finished tasks within the idempotency window (decision 0058), timed as a whole
 * (not JMH). {@code n} tasks with client-chosen ids run to the end on an {@link InstantExecutor}
 * against the embedded store, at most {@code window} unanswered; then the heap in use after a full
 * GC, against the same engine before the first task, and the time one identical resubmission of
 * the first task takes (answered from the store). {@code remembered} is the number of finished
 * tasks kept whole, or {@code all} for every one (the behaviour before decision 0058). The loop's
 * own finished-task retention is held at 1,000 so only the idempotency memory differs.
 *
 * <pre>
 * java -Xmx2g -cp scheduler-engine/target/classes:$(cat /tmp/cp.txt) io.queuedeck.engine.bench.FinishedMemory 300000 10000
 * java -Xmx2g -cp scheduler-engine/target/classes:$(cat /tmp/cp.txt) io.queuedeck.engine.bench.FinishedMemory 300000 all
 * </pre>
 */
public final class FinishedMemory {
    private FinishedMemory() {}

    public static void main(String[] args) throws IOException {
        int n = Integer.parseInt(args[0]);
        int remembered = args[1].equals("all") ? Integer.MAX_VALUE : Integer.parseInt(args[1]);
        int window = args.length > 2 ? Integer.parseInt(args[2]) : 4096;
        Workload workload = new Workload(42);
        Path dir = Files.createTempDirectory("queuedeck-memory");
        try (Engine engine = Engine.builder().store(TaskStore.embedded(dir)).executor(new InstantExecutor(true))
                .policy("fifo").finishedRetention(1_000).rememberedFinished(remembered)
                .idempotencyWindow(Duration.ofHours(24)).build()) {
            engine.start();
            long before = usedAfterGc();
            TaskSpec first = workload.nextTemplate().withTaskId("t0");
            long start = System.nanoTime();
            ArrayDeque<CompletableFuture<SubmitResult>> open = new ArrayDeque<>(window);
            for (int i = 0; i < n; i++) {
                if (open.size() == window) {
                    open.poll().join();
                }
                open.add(engine.send(new Command.Submit(i == 0 ? first : workload.nextTemplate().withTaskId("t" + i))));
            }
            open.forEach(CompletableFuture::join);
            while (engine.send(new Command.CountActive()).join() > 0) {
                Thread.onSpinWait();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long written;
            do { // the writes of the last finished tasks: a lookup waits for everything queued before it
                written = engine.storeStats().orElseThrow().writes();
                LockSupport.parkNanos(200_000_000L);
            } while (engine.storeStats().orElseThrow().writes() != written);
            long after = usedAfterGc();
            long probe = System.nanoTime();
            engine.send(new Command.CountActive()).join();
            long loopMicros = (System.nanoTime() - probe) / 1_000;
            probe = System.nanoTime();
            engine.send(new Command.PauseDispatch(false)).join(); // a change: answered once the writer has synced
            long changeMicros = (System.nanoTime() - probe) / 1_000;
            StringBuilder finds = new StringBuilder();
            for (int i = 1; i <= 5; i++) { // the first one pays for the read path's first use
                long find = System.nanoTime();
                boolean found = engine.send(new Command.FindTask("t" + i * 1_000)).join().isPresent();
                finds.append(String.format(Locale.ROOT, " %s %,d us;", found ? "found" : "MISSING", (System.nanoTime() - find) / 1_000));
            }
            long lookup = System.nanoTime();
            SubmitResult again = engine.send(new Command.Submit(first)).join();
            long lookupMicros = (System.nanoTime() - lookup) / 1_000;
            System.out.printf(Locale.ROOT, "n=%,d remembered=%s: %,.0f tasks/s; heap %,.1f MB before, %,.1f MB after"
                            + " (%,.0f bytes per finished task); kept whole %,d; store rows %,d; first a loop query %,d us, a change %,d us; GET of older ones:%s"
                            + " then a resubmission of the first: created=%s in %,d us; java=%s%n", n, args[1], n / seconds, before / 1e6, after / 1e6,
                    (after - before) / (double) n, engine.rememberedFinished(),
                    engine.storeStats().orElseThrow().tasks(), loopMicros, changeMicros, finds, again.created(), lookupMicros, Runtime.version());
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
