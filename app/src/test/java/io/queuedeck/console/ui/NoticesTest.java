package io.queuedeck.console.ui;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NoticesTest {
    @Test
    void longRefusal_isBrokenIntoShortLines_atSpaces_andCutAfterTheLastOne() {
        String reason = "unknown parameter [bogus] for policy mlfq; it takes " + "some_parameter_name, ".repeat(40) + "end";

        String shown = Notices.lines(reason);

        assertThat(shown.lines()).hasSize(Notices.LINES).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(Notices.LINE + 2));
        assertThat(shown).startsWith("unknown parameter [bogus]").endsWith(" …");
        assertThat(shown.replace("\n", " ")).startsWith(reason.substring(0, 200));
    }

    @Test
    void shortRefusal_staysOneLine() {
        assertThat(Notices.lines("task 'x' not found")).isEqualTo("task 'x' not found");
    }
}
