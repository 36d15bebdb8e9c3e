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
    void aFlappingAlert_popsUpOncePerQuietPeriodEachWay_andAnotherAlertStillDoes() {
        Notices.Quiet quiet = new Notices.Quiet(300);

        assertThat(quiet.admits("p99.normal", true, 0)).isTrue();
        assertThat(quiet.admits("p99.normal", false, 5)).as("its first clear").isTrue();
        assertThat(quiet.admits("p99.normal", true, 10)).as("raised again 10 later: the banner says so").isFalse();
        assertThat(quiet.admits("p99.normal", false, 15)).isFalse();
        assertThat(quiet.admits("gpu.1", true, 20)).isTrue();
        assertThat(quiet.admits("p99.normal", true, 300)).as("after the quiet period").isTrue();
    }

    @Test
    void shortRefusal_staysOneLine() {
        assertThat(Notices.lines("task 'x' not found")).isEqualTo("task 'x' not found");
    }
}
