package io.queuedeck.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.exec.sim.GpuProfile;
import io.queuedeck.engine.loop.InversionProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class InversionScenarioTest {
    private static final GpuProfile H100 = GpuProfile.LLAMA2_7B_H100;
    /** L (200 tokens, prompt 100) started at 0; H arrives at 100 ms. */
    private static final double LOW_ALONE_MS = (H100.prefillNanos(100) + 200 * H100.decodeStepNanos(1)) / 1e6;

    @Test
    void run_noProtocol_highPriorityWaitGrowsWithMediumTasks() {
        InversionScenario.Outcome ten = new InversionScenario(10).run(InversionProtocol.NONE);
        InversionScenario.Outcome forty = new InversionScenario(40).run(InversionProtocol.NONE);

        // The medium tasks preempt L (5 beats 9) and H cannot pass L, which holds its adapter: H
        // waits for every medium task. Each medium task costs prefill(100) + 100 steps.
        double mediumMs = (H100.prefillNanos(100) + 100 * H100.decodeStepNanos(1)) / 1e6;
        assertThat(ten.highWaitMs()).isGreaterThan(10 * mediumMs);
        assertThat(forty.highWaitMs() - ten.highWaitMs()).isCloseTo(30 * mediumMs, org.assertj.core.data.Offset.offset(1.0));
        assertThat(forty.preemptions()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = InversionProtocol.class, names = {"INHERITANCE", "CEILING"})
    void run_withProtocol_highPriorityWaitsOnlyForTheHolder(InversionProtocol protocol) {
        InversionScenario.Outcome ten = new InversionScenario(10).run(protocol);
        InversionScenario.Outcome forty = new InversionScenario(40).run(protocol);

        // L runs at H's priority (or the ceiling), so no medium task preempts it; H runs right
        // after L: its wait is L's remaining time (L alone, minus the 100 ms before H arrived),
        // plus nothing for the medium tasks, however many.
        assertThat(ten.highWaitMs()).isEqualTo(forty.highWaitMs());
        assertThat(ten.highWaitMs()).isCloseTo(LOW_ALONE_MS - 100, org.assertj.core.data.Offset.offset(0.01));
        assertThat(ten.preemptions()).isZero();
        assertThat(ten.lowFinishMs()).isCloseTo(LOW_ALONE_MS, org.assertj.core.data.Offset.offset(0.01));
    }
}
