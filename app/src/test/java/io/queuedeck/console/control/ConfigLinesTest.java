package io.queuedeck.console.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The editor has no line numbers: where the caret is, and the line a refusal names, are found here. */
class ConfigLinesTest {
    private static final String TEXT = "policy:\n  name: mlfq\ntiers:\n  batch: {max_queue: -1}\n";

    @Test
    void theCaret_isDescribedByLineAndColumn() {
        assertThat(ConfigLines.describe(TEXT, 0)).isEqualTo("Line 1, column 1");
        assertThat(ConfigLines.describe(TEXT, TEXT.indexOf("mlfq"))).isEqualTo("Line 2, column 9");
        assertThat(ConfigLines.describe("", 5)).isEqualTo("Line 1, column 1");
    }

    @Test
    void theLineAProblemNames_isFound_orNothingWhenItNamesNone() {
        int[] range = ConfigLines.rangeOfLineIn(TEXT, "tiers.batch.max_queue must be at least 0 (line 4)");
        assertThat(TEXT.substring(range[0], range[1])).isEqualTo("  batch: {max_queue: -1}");
        int[] first = ConfigLines.rangeOfLineIn(TEXT, "not valid YAML at line 1, column 3");
        assertThat(TEXT.substring(first[0], first[1])).isEqualTo("policy:");
        assertThat(ConfigLines.rangeOfLineIn(TEXT, "policy.name: unknown policy 'x'")).isNull();
        assertThat(ConfigLines.rangeOfLineIn(TEXT, "at line 99")).isNull();
        assertThat(ConfigLines.rangeOfLineIn(TEXT, "at line 0")).isNull();
        assertThat(ConfigLines.rangeOfLineIn(TEXT, "at line 99999999999999999999")).isNull();
    }
}
