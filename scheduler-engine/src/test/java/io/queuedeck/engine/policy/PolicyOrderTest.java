package io.queuedeck.engine.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.function.ToIntBiFunction;
import org.junit.jupiter.api.Test;

/**
 * The heap policies write their orders out by hand for speed; these tests pin each to the
 * composed comparator that states it plainly, over random pairs with many ties on every key.
 */
class PolicyOrderTest {
    private static final int PAIRS = 100_000;

    @Test
    void fifoOrder_overRandomPairs_isSubmissionOrder() {
        assertSameSigns(FifoPolicy::order, Comparator.comparingLong(Task::sequence));
    }

    @Test
    void priorityOrder_overRandomPairs_isPriorityThenSubmission() {
        assertSameSigns(PriorityPolicy::order, Comparator.comparingInt(Task::priority).thenComparingLong(Task::sequence));
    }

    @Test
    void mlfqOrder_overRandomPairs_isLevelThenPriorityThenSubmission() {
        assertSameSigns(MlfqPolicy::order,
                Comparator.comparingInt(Task::level).thenComparingInt(Task::priority).thenComparingLong(Task::sequence));
    }

    private static void assertSameSigns(ToIntBiFunction<Task, Task> written, Comparator<Task> composed) {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < PAIRS; i++) {
            Task a = randomTask(random);
            Task b = random.nextInt(20) == 0 ? a : randomTask(random);
            assertThat(Integer.signum(written.applyAsInt(a, b)))
                    .as("%s vs %s", describe(a), describe(b))
                    .isEqualTo(Integer.signum(composed.compare(a, b)));
        }
    }

    private static Task randomTask(SplittableRandom random) {
        // Small ranges, so pairs often tie on the leading keys and the later keys decide.
        // Sequences include Long extremes: a subtraction-based compare would overflow there.
        long sequence = switch (random.nextInt(4)) {
            case 0 -> Long.MAX_VALUE - random.nextInt(3);
            case 1 -> Long.MIN_VALUE + random.nextInt(3);
            default -> random.nextInt(5);
        };
        TaskSpec spec = new TaskSpec("t", "m", "x", random.nextInt(3), null, null, null, null, 16, 4, null);
        Task task = new Task(spec, sequence, 1, 0);
        task.setLevel(random.nextInt(3));
        return task;
    }

    private static String describe(Task task) {
        return "level " + task.level() + " priority " + task.priority() + " sequence " + task.sequence();
    }
}
