package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WaitOrderTest {
    private static final TaskSpec SPEC = new TaskSpec("t", "m", "x", 5, null, null, null, null, 16, 4, null);

    private long sequence;
    private long now;

    private Task join(WaitOrder order) {
        Task task = new Task(SPEC, sequence++, 1, ++now);
        task.setEnqueuedAt(now);
        order.joined(task);
        return task;
    }

    @Test
    void oldest_whenNothingWaits_isNone() {
        assertThat(new WaitOrder().oldest()).isEqualTo(WaitOrder.NONE);
    }

    /** Read back at start, a task that began waiting before this process's clock did joined at a time below zero. */
    @Test
    void oldest_ofATaskThatJoinedBeforeTheClocksZero_isItsJoinTime() {
        WaitOrder order = new WaitOrder();
        Task waitedLong = new Task(SPEC, sequence++, 1, -600_000_000_000L);
        waitedLong.setEnqueuedAt(-600_000_000_000L);
        order.joined(waitedLong);

        assertThat(order.oldest()).isEqualTo(-600_000_000_000L);
    }

    @Test
    void oldest_afterTheOldestLeaves_isTheNextInJoinOrder() {
        WaitOrder order = new WaitOrder();
        Task first = join(order);
        Task second = join(order);
        first.transitionTo(TaskState.RUNNING, ++now);

        assertThat(order.oldest()).isEqualTo(second.enqueuedAt());
    }

    @Test
    void joined_withAWaitThatBeganEarlier_asTasksReadBackAtStartDo_isStillFoundOldest() {
        WaitOrder order = new WaitOrder();
        now = 1_000;
        Task restarted = join(order); // its wait began at the restart
        Task waitedLong = new Task(SPEC, sequence++, 1, 10);
        waitedLong.setEnqueuedAt(10); // its wait began before the restart
        order.joined(waitedLong);

        assertThat(order.oldest()).isEqualTo(10);
        waitedLong.transitionTo(TaskState.RUNNING, ++now);
        assertThat(order.oldest()).isEqualTo(restarted.enqueuedAt());
    }

    /** The leak this guards against: one starving task must not pin every later task in memory. */
    @Test
    void joined_whileOneTaskWaitsAndAMillionPassIt_holdsABoundedNumberOfEntries() {
        WaitOrder order = new WaitOrder();
        Task starving = join(order);
        for (int i = 0; i < 1_000_000; i++) {
            join(order).transitionTo(TaskState.RUNNING, ++now);
        }

        assertThat(order.entries()).isLessThanOrEqualTo(WaitOrder.MIN_COMPACT + 1);
        assertThat(order.oldest()).isEqualTo(starving.enqueuedAt());
    }

    /** A preempted task that joins again counts from its new join, not its first. */
    @Test
    void oldest_afterATaskRejoins_countsItsLatestJoin() {
        WaitOrder order = new WaitOrder();
        Task task = join(order);
        Task other = join(order);
        task.transitionTo(TaskState.RUNNING, ++now);
        task.transitionTo(TaskState.PREEMPTED, ++now);
        task.setEnqueuedAt(now);
        order.joined(task);

        assertThat(order.oldest()).isEqualTo(other.enqueuedAt());
        other.transitionTo(TaskState.RUNNING, ++now);
        assertThat(order.oldest()).isEqualTo(task.enqueuedAt());
    }

    /** Against a plain list, over random joins and departures that cross many compactions. */
    @Test
    void oldest_overRandomJoinsAndDepartures_matchesTheEarliestWaitingJoin() {
        WaitOrder order = new WaitOrder();
        List<Task> waiting = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        int mostWaiting = 0;
        for (int step = 0; step < 200_000; step++) {
            if (waiting.isEmpty() || random.nextInt(100) < 52) {
                waiting.add(join(order));
            } else {
                // mostly the newest leave (as under a priority order), sometimes any
                int index = random.nextInt(10) < 8 ? waiting.size() - 1 : random.nextInt(waiting.size());
                waiting.remove(index).transitionTo(TaskState.RUNNING, ++now);
            }
            mostWaiting = Math.max(mostWaiting, waiting.size());
            long expected = waiting.stream().mapToLong(Task::enqueuedAt).min().orElse(WaitOrder.NONE);
            assertThat(order.oldest()).isEqualTo(expected);
            assertThat(order.entries()).isLessThanOrEqualTo(Math.max(WaitOrder.MIN_COMPACT, 2 * mostWaiting) + 1);
        }
    }
}
