package io.queuedeck.engine.clock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimerTest {
    @Test
    void cancelled_lettingGoOfItsAction_atOnce_andNeverFiring() {
        VirtualClock clock = new VirtualClock();
        List<String> fired = new ArrayList<>();
        Timer cancelled = clock.scheduleAfter(1_000, () -> fired.add("cancelled"));
        clock.scheduleAfter(2_000, () -> fired.add("kept"));

        cancelled.cancel();

        // a stream's cancelled 10-minute timeout held the stream, and its answer, until it was due
        assertThat(cancelled.action).isNull();
        clock.runUntil(3_000);
        assertThat(fired).containsExactly("kept");
    }
}
