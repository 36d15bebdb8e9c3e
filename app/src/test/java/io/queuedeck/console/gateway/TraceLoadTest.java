package io.queuedeck.console.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.sim.Arrival;
import io.queuedeck.engine.task.TaskSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a replay offers, as the Policy and load screen shows it: the trace's own rate, not the synthetic load's. */
class TraceLoadTest {
    private static Arrival at(double seconds) {
        return new Arrival(Math.round(seconds * 1e9), new TaskSpec(null, "m", "", 5, null, null, null, null, null, 10, null), 4);
    }

    @Test
    void averageRate_isTheArrivalsOverTheTracesSpan() {
        TraceLoad replay = new TraceLoad(null, List.of(at(0), at(0.5), at(1), at(4)), System::nanoTime); // never started

        assertThat(replay.averageRate()).isEqualTo(1.0); // 4 arrivals in 4 s
    }

    @Test
    void aTraceWhoseArrivalsAllComeAtOnce_offersThemInItsFirstSecond() {
        assertThat(new TraceLoad(null, List.of(at(0), at(0)), System::nanoTime).averageRate()).isEqualTo(2.0);
    }
}
