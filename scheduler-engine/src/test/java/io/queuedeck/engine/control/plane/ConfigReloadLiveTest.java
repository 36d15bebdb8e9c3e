package io.queuedeck.engine.control.plane;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.CompletionFeed;
import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.control.ReleaseClassifier;
import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.exec.sim.SimulatedGpuExecutor;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On the system clock: the watched file, and reloads while tasks flow. */
class ConfigReloadLiveTest {
    @TempDir
    Path dir;

    private static void await(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(5);
        }
    }

    private static Engine engine(ReleaseClassifier classifier, String policy) {
        Engine engine = Engine.builder().executor(new SimulatedGpuExecutor(1, "m", GpuProfile.LLAMA2_7B_H100))
                .policy(policy).classifier(classifier).build();
        engine.start();
        return engine;
    }

    @Test
    void watchedFile_validChange_appliesWithin1s_withAVersionBump_invalidOneIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("queuedeck.yaml"), ConfigPlaneTest.V1);
        ReleaseClassifier classifier = new ReleaseClassifier(TestConfigs.parse(ConfigPlaneTest.V1).priorityRules());
        try (Engine engine = engine(classifier, "priority")) {
            ConfigPlane plane = new ConfigPlane(engine, classifier, TestConfigs.parse(ConfigPlaneTest.V1), ConfigPlaneTest.V1,
                    file.toString(), dir, Map.<String, String>of()::get, "priority");
            try (ConfigWatcher watcher = ConfigWatcher.start(plane, file, Thread.ofPlatform().daemon().factory())) {
                Files.writeString(file, "policy:\n  name: fifo\n");
                long written = System.nanoTime();
                await(Duration.ofSeconds(5), () -> plane.status().version() == 2, "version 2 from the file");
                assertThat(Duration.ofNanos(System.nanoTime() - written)).isLessThan(Duration.ofSeconds(1));
                assertThat(plane.status().source()).isEqualTo(file.toString());
                assertThat(engine.send(new Command.TakeSnapshot()).join().policy()).isEqualTo("fifo");

                Files.writeString(file, "policy:\n  name: nonsense\n");
                await(Duration.ofSeconds(5), () -> plane.lastError() != null, "the refusal");
                assertThat(plane.lastError().problems()).singleElement().asString()
                        .contains("policy.name must be one of").contains("(line 2)");
                assertThat(plane.status().version()).isEqualTo(2);
                assertThat(engine.send(new Command.TakeSnapshot()).join().policy()).isEqualTo("fifo");

                // a file that cannot be read is said so in last_error, which kept the previous problem
                Files.write(file, new byte[] {0, (byte) 0xff, (byte) 0xfe});
                await(Duration.ofSeconds(5), () -> plane.lastError().problems().getFirst().contains("not valid UTF-8"), "not UTF-8");
                Files.delete(file);
                await(Duration.ofSeconds(5), () -> plane.lastError().problems().getFirst().contains("no such file"), "gone");
                assertThat(plane.lastError().problems().getFirst()).contains("version 2 keeps running");
                assertThat(plane.status().version()).isEqualTo(2);

                // a FIFO at the path hung the watcher for good (no change was read again); a device ran the heap out
                assertThat(new ProcessBuilder("mkfifo", file.toString()).start().waitFor()).isZero();
                await(Duration.ofSeconds(5), () -> plane.lastError().problems().getFirst().contains("not a regular file"), "FIFO");
                Files.delete(file);
                Files.createSymbolicLink(file, Path.of("/dev/zero"));
                await(Duration.ofSeconds(5), () -> plane.lastError().problems().getFirst().contains("not a regular file")
                        && plane.lastError().at().isAfter(java.time.Instant.EPOCH), "device");
                Files.delete(file);
                Files.write(file, new byte[io.queuedeck.engine.config.ConfigFiles.MAX_BYTES + 1]);
                await(Duration.ofSeconds(5), () -> plane.lastError().problems().getFirst().contains("larger than the 8 MiB"), "huge");
                Files.writeString(file, ""); // an editor truncating before it writes: no all-defaults version
                await(Duration.ofSeconds(5), () -> plane.lastError().problems().getFirst().contains("is empty"), "empty");
                Files.writeString(file, "policy:\n  name: priority\n");
                await(Duration.ofSeconds(5), () -> plane.status().version() == 3, "the watcher still reads saves");
            }
        }
    }

    /**
     * One GPU, every task at the same priority: under fifo and under priority alike they must
     * finish in the order they were sent, all of them, while the config is reloaded 100 times,
     * each reload switching the policy (the queue re-ranked on the loop), the rules, and the tier
     * limits and tenant weights (every other reload splits the normal tier by tenant, with a cap).
     */
    @Test
    void hundredReloads_underLoad_loseAndReorderNothing() throws Exception {
        String a = "policy: {name: fifo}\npriority_rules:\n  - {name: a, match: {business_class: x}, priority: 1}\n";
        String b = "policy: {name: priority}\npriority_rules:\n  - {name: b, match: {business_class: y}, priority: 2}\n"
                + "tiers:\n  normal: {max_concurrency: 64, fairness: round_robin, queue_ttl: 10m}\n"
                + "tenants:\n  weights: {z: 2}\n";
        ReleaseClassifier classifier = new ReleaseClassifier(TestConfigs.parse(a).priorityRules());
        ScheduledExecutorService feedThread = Executors.newSingleThreadScheduledExecutor();
        ConcurrentLinkedQueue<TaskView> finished = new ConcurrentLinkedQueue<>();
        try (Engine engine = engine(classifier, "fifo");
             CompletionFeed feed = new CompletionFeed(engine, feedThread).onFinished(finished::add).start(2)) {
            ConfigPlane plane = new ConfigPlane(engine, classifier, TestConfigs.parse(a), a, "q.yaml", dir,
                    Map.<String, String>of()::get, "fifo");
            int tasks = 400;
            CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < tasks; i++) {
                    engine.send(new Command.Submit(new TaskSpec(String.format("t%04d", i), "m", "hi", 5, null, null,
                            "z", null, 2, 1, null))).join();
                }
            });
            for (int i = 0; i < 100; i++) {
                plane.apply(i % 2 == 0 ? b : a, "reload " + i);
            }
            load.join();
            assertThat(plane.status().version()).isEqualTo(101);
            await(Duration.ofSeconds(60), () -> finished.size() >= tasks, "every task finished");
            List<String> order = new ArrayList<>();
            for (TaskView view : finished) {
                assertThat(view.state()).isEqualTo(TaskState.SUCCEEDED);
                order.add(view.id());
            }
            assertThat(order).hasSize(tasks).isSorted();
        } finally {
            feedThread.shutdownNow();
        }
    }
}
