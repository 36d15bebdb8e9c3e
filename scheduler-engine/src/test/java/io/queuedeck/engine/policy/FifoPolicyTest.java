package io.queuedeck.engine.policy;

import io.queuedeck.engine.command.Command;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.SimHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** FIFO on one instance that runs one task at a time: dispatch order is submission order. */
class FifoPolicyTest {
    private final SimHarness sim = SimHarness.oneAtATime("fifo");

    @AfterEach
    void close() {
        sim.close();
    }

    @Test
    void dispatch_mixedPriorities_submissionOrderWhateverThePriority() {
        sim.pause(true);
        sim.submit("a", 5, 10, 2);
        sim.submit("b", 0, 10, 2);
        sim.submit("c", 9, 10, 2);
        sim.submit("d", 0, 10, 2);
        sim.pause(false);

        sim.runUntilAllFinished();

        // FIFO orders by submission sequence only: the urgent b and d get no head start over a.
        assertThat(sim.dispatchOrder()).containsExactly("a", "b", "c", "d");
        assertThat(sim.task("a").firstDispatchAt()).isLessThan(sim.task("b").firstDispatchAt());
        assertThat(sim.task("b").firstDispatchAt()).isLessThan(sim.task("c").firstDispatchAt());
        assertThat(sim.task("c").firstDispatchAt()).isLessThan(sim.task("d").firstDispatchAt());
    }

    @Test
    void dispatch_urgentArrivalWhileBusy_waitsBehindEarlierArrivals() {
        sim.submit("running", 9, 10, 4); // starts at once: the instance is idle
        sim.submit("early", 9, 10, 2);
        sim.submit("urgent", 0, 10, 2);

        sim.runUntilAllFinished();

        // Neither priority nor preemption exists for FIFO: "urgent" came last, so it goes last.
        assertThat(sim.dispatchOrder()).containsExactly("running", "early", "urgent");
        assertThat(sim.task("running").preemptions()).isZero();
    }

    @Test
    void reprioritize_queuedTask_doesNotMoveItUnderFifo() {
        sim.pause(true);
        sim.submit("a", 5, 10, 2);
        sim.submit("b", 5, 10, 2);
        sim.submit("c", 5, 10, 2);

        sim.engine().send(new Command.Reprioritize("c", 0)).join();
        sim.pause(false);
        sim.runUntilAllFinished();

        // The new priority is recorded, but FIFO ignores priorities altogether.
        assertThat(sim.task("c").priority()).isZero();
        assertThat(sim.dispatchOrder()).containsExactly("a", "b", "c");
    }
}
