package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ControlScreenTest {
    @Test
    void policySwitchRefused_itsLineIsNamedAsTheRunningConfigs() {
        assertThat(ControlScreen.linesOfTheRunningConfig("console by ada: policy.parameters are refused by policy mlfq:"
                + " q0_ms must be between 1 and 60000, got -5 (line 45)"))
                .endsWith("got -5 (line 45 of the running config, on the Control screen)");
    }
}
