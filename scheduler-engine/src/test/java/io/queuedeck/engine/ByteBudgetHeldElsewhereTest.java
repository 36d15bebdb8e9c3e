package io.queuedeck.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.clock.VirtualClock;
import io.queuedeck.engine.command.Command;
import io.queuedeck.engine.task.QueueFullException;
import io.queuedeck.engine.task.TaskSpec;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Bytes finished tasks still hold outside the loop (their result callbacks in flight, each with
 * the task's metadata) count against the byte budget with the queued bodies: a flood of tasks
 * that finish at once but whose callbacks pend ran the heap out while the budget read empty.
 */
class ByteBudgetHeldElsewhereTest {
    @Test
    void bytesHeldElsewhere_refuseNewTasksOnceTheBudgetIsSpent_andFreeItWhenReleased() {
        AtomicLong held = new AtomicLong();
        try (Engine engine = Engine.builder().clock(new VirtualClock()).maxQueuedBytes(100_000).build()) {
            engine.countInByteBudget(held::get);
            engine.start();
            engine.send(new Command.PauseDispatch(true)).join();
            assertThat(engine.send(new Command.Submit(spec("a"))).join().created()).isTrue();

            held.set(99_000); // callbacks in flight

            assertThatThrownBy(() -> engine.send(new Command.Submit(spec("b"))).join())
                    .isInstanceOf(CompletionException.class).hasCauseInstanceOf(QueueFullException.class)
                    .hasMessageContaining("callbacks in flight");

            held.set(0); // delivered
            assertThat(engine.send(new Command.Submit(spec("b"))).join().created()).isTrue();
        }
    }

    private static TaskSpec spec(String id) {
        return new TaskSpec(id, "llama-2-7b", "hello", 5, null, null, null, null, 8, null, null);
    }
}
