package io.queuedeck.console.ui;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ElapsedTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "NaN       | –",
        "0         | 0 ms",
        "840.4     | 840 ms",
        "12_400    | 12.4 s",
        "59_999    | 60.0 s",
        "1_013_962 | 16 min 53 s",
        "7_500_000 | 2 h 05 min",
    })
    void readsAsAPersonWouldSayIt(String ms, String shown) {
        assertThat(Elapsed.of(Double.parseDouble(ms.replace("_", "")))).isEqualTo(shown);
    }
}
