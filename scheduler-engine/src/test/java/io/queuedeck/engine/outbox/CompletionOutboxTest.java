package io.queuedeck.engine.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuedeck.engine.Engine;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.exec.Executor;
import io.queuedeck.engine.exec.ExecutorContext;
import io.queuedeck.engine.exec.InstanceState;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import org.junit.jupiter.api.Test;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** The outbox never drops: a consumer slower than the loop holds dispatch back instead of losing views. */
class CompletionOutboxTest {
    private static final int SLOTS = 8;

    @Test
    void millionCompletions_consumerSlowerThanTheLoop_everyOneArrivesExactlyOnce() throws Exception {
        int tasks = 1_000_000;
        int capacity = 4_096;
        Engine engine = Engine.builder().executor(new InstantSlots(SLOTS)).outboxCapacity(capacity)
                .finishedRetention(1_000).build();
        CompletionOutbox outbox = engine.completions();
        BitSet seen = new BitSet(tasks);
        AtomicLong received = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread consumer = Thread.ofPlatform().name("slow-consumer").start(() -> {
            long sink = 0;
            while (!stop.get()) {
                int got = outbox.drain(256, view -> {
                    int id = Integer.parseInt(view.id(), 1, view.id().length(), 10);
                    if (seen.get(id) || view.state() != TaskState.SUCCEEDED) {
                        duplicates.incrementAndGet();
                    }
                    seen.set(id);
                    received.incrementAndGet();
                });
                // slower than the loop: some work for every view it takes
                for (int i = 0; i < got * 2_000; i++) {
                    sink += i ^ (sink >>> 3);
                }
                if (got == 0) {
                    Thread.onSpinWait();
                }
            }
            if (sink == 42) {
                System.out.print("");
            }
        });
        engine.start();
        try {
            List<CompletableFuture<?>> window = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                window.add(engine.send(new Command.Submit(new TaskSpec("t" + i, InstantSlots.MODEL, "x", i % 10,
                        null, null, null, null, 1, 1, null))));
                if (window.size() == 10_000) {
                    CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).join();
                    window.clear();
                }
            }
            CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).join();

            await().atMost(Duration.ofMinutes(3)).until(() -> received.get() >= tasks);
            assertThat(received.get()).isEqualTo(tasks);
            assertThat(duplicates.get()).isZero();
            assertThat(seen.cardinality()).isEqualTo(tasks);
            assertThat(outbox.highest()).as("the consumer fell behind, and the outbox held at most its capacity"
                    + " plus what was running").isBetween(capacity, capacity + SLOTS);
            assertThat(engine.send(new Command.TakeSnapshot()).join().counters().succeeded()).isEqualTo(tasks);
        } finally {
            stop.set(true);
            consumer.join();
            engine.close();
        }
    }

    @Test
    void notOpened_keepsNothing() {
        CompletionOutbox outbox = new CompletionOutbox(2);
        outbox.add(null);
        assertThat(outbox.size()).isZero();
        assertThat(outbox.full()).isFalse();
    }

    /** Instances whose tasks finish at once, reported through {@code post} as an executor on its own thread would. */
    static final class InstantSlots implements Executor {
        static final String MODEL = "m";
        private final int slots;
        private ExecutorContext context;
        private int running;

        InstantSlots(int slots) {
            this.slots = slots;
        }

        @Override
        public void bind(ExecutorContext context) {
            this.context = context;
        }

        @Override
        public int instanceCount() {
            return 1;
        }

        @Override
        public String model(int instance) {
            return MODEL;
        }

        @Override
        public boolean canAccept(int instance, Task task) {
            return running < slots;
        }

        @Override
        public boolean canAcceptReplacing(int instance, Task incoming, Task outgoing) {
            return true;
        }

        @Override
        public int load(int instance) {
            return running;
        }

        @Override
        public Optional<String> admissionError(TaskSpec spec) {
            return Optional.empty();
        }

        @Override
        public void dispatch(int instance, Task task) {
            running++;
            context.post(() -> {
                running--;
                task.addToken(context.clock().nanos());
                context.firstToken(task);
                context.succeeded(task, "ok");
                context.instanceChanged(0);
            });
        }

        @Override
        public void evict(Task task) {
            running--;
        }

        @Override
        public List<InstanceStatus> status() {
            return List.of(new InstanceStatus(0, MODEL, InstanceState.UP, running, slots, 0, 0, 1.0));
        }
    }
}
