package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ControlScreenTest {
    /** "line 45 of the running config" sent the operator to a line without the refused value: the line was of the switch's own text. */
    @Test
    void policySwitchRefused_namesTheKeyPath_notALineShownNowhere() {
        assertThat(ControlScreen.withoutLines("console by ada: policy.parameters are refused by policy mlfq:"
                + " q0_ms must be between 1 and 60000, got -5 (line 45)"))
                .isEqualTo("console by ada: policy.parameters are refused by policy mlfq: q0_ms must be between 1 and 60000, got -5");
    }
}
