package io.queuedeck.engine.bench;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.store.TaskStore;
import io.queuedeck.engine.task.SubmitResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Durable intake and recovery, timed as a whole (not JMH).
 *
 * <p><b>intake</b>: one producer sends {@code n} {@code Command.Submit}s through {@code Engine.send},
 * keeping at most {@code window} unanswered (as that many concurrent clients would), and a round
 * ends when the last future completes, i.e. when every task is synced to the store. Dispatch runs
 * on an {@link InstantExecutor} that completes each task at once, so each task is written three
 * times (queued, running, succeeded). The same rounds run without a store as the baseline.
 *
 * <p><b>recovery</b>: {@code n} tasks are queued (dispatch paused) into an embedded store and the
 * engine closed; then the time from opening the store to the first answered command of a new
 * engine (everything recovered and serving), against the same with an empty store.
 *
 * <pre>
 * java -cp scheduler-engine/target/queuedeck-bench.jar io.queuedeck.engine.bench.DurableIntake intake 200000 2 3 4096
 * java -cp scheduler-engine/target/queuedeck-bench.jar io.queuedeck.engine.bench.DurableIntake recovery 100000 1 3
 * </pre>
 */
public final class DurableIntake {
    private DurableIntake() {}

    public static void main(String[] args) throws IOException {
        String what = args[0];
        int n = Integer.parseInt(args[1]);
        int warmups = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        int window = args.length > 4 ? Integer.parseInt(args[4]) : 4096;
        System.out.printf(Locale.ROOT, "%s n=%d warmup=%d rounds=%d window=%d java=%s cpus=%d%n", what, n, warmups,
                rounds, window, Runtime.version(), Runtime.getRuntime().availableProcessors());
        for (int round = 0; round < warmups + rounds; round++) {
            String tag = round < warmups ? "warmup" : "round " + (round - warmups + 1);
            if (what.equals("intake")) {
                double memory = intake(n, window, null);
                Path dir = Files.createTempDirectory("queuedeck-bench");
                double durable;
                try {
                    durable = intake(n, window, dir);
                } finally {
                    delete(dir);
                }
                System.out.printf(Locale.ROOT, "%s: durable %,.0f tasks/s, no store %,.0f tasks/s (%.2fx)%n", tag,
                        durable, memory, durable / memory);
            } else {
                Path dir = Files.createTempDirectory("queuedeck-bench");
                try {
                    fill(dir, n, window);
                    long empty = recover(null);
                    long full = recover(dir);
                    System.out.printf(Locale.ROOT, "%s: %,d queued tasks serving again after %,d ms (empty store: %,d ms)%n",
                            tag, n, full / 1_000_000, empty / 1_000_000);
                } finally {
                    delete(dir);
                }
            }
        }
    }

    /** Tasks per second from the first submit to the last acknowledgement. */
    private static double intake(int n, int window, Path dir) {
        AtomicLong ids = new AtomicLong();
        Workload workload = new Workload(42);
        Engine.Builder builder = Engine.builder().executor(new InstantExecutor(true)).policy("fifo")
                .idSupplier(() -> "t" + ids.getAndIncrement());
        if (dir != null) {
            builder.store(TaskStore.embedded(dir));
        }
        try (Engine engine = builder.build()) {
            engine.start();
            long start = System.nanoTime();
            submit(engine, workload, n, window);
            return n / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static void submit(Engine engine, Workload workload, int n, int window) {
        ArrayDeque<CompletableFuture<SubmitResult>> open = new ArrayDeque<>(window);
        for (int i = 0; i < n; i++) {
            if (open.size() == window) {
                open.poll().join();
            }
            open.add(engine.send(new Command.Submit(workload.nextTemplate())));
        }
        open.forEach(CompletableFuture::join);
    }

    private static void fill(Path dir, int n, int window) {
        AtomicLong ids = new AtomicLong();
        try (Engine engine = Engine.builder().store(TaskStore.embedded(dir)).idSupplier(() -> "t" + ids.getAndIncrement())
                .executor(new InstantExecutor(true)).policy("fifo").build()) {
            engine.start();
            engine.send(new Command.PauseDispatch(true)).join();
            submit(engine, new Workload(7), n, window);
        }
    }

    /** Nanoseconds from opening the store to the first answered command. */
    private static long recover(Path dir) {
        long start = System.nanoTime();
        Engine.Builder builder = Engine.builder().executor(new InstantExecutor(true)).policy("fifo");
        builder.store(dir == null ? TaskStore.inMemory() : TaskStore.embedded(dir));
        try (Engine engine = builder.build()) {
            engine.start();
            int active = engine.send(new Command.CountActive()).join();
            long took = System.nanoTime() - start;
            if (dir != null && active == 0) {
                throw new IllegalStateException("nothing recovered");
            }
            engine.send(new Command.PauseDispatch(true)).join(); // a later round finds the queue as it was
            return took;
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
