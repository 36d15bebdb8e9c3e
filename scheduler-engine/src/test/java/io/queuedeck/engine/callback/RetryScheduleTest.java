package io.queuedeck.engine.callback;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.clock.SystemClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {
    /** 10 ms base, 40 ms cap, jitter fixed at 0.5. */
    private final RetrySchedule schedule = new RetrySchedule(new SystemClock(), Duration.ofMillis(10), Duration.ofMillis(40),
            () -> 0.5);

    @Test
    void retryAfter_readsSecondsAndHttpDates() {
        assertThat(schedule.retryAfterNanos("3")).isEqualTo(3_000_000_000L);
        assertThat(schedule.retryAfterNanos(null)).isEqualTo(-1);
        assertThat(schedule.retryAfterNanos("soon")).isEqualTo(-1);
        String inTenSeconds = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(10));
        assertThat(schedule.retryAfterNanos(inTenSeconds)).isBetween(8_000_000_000L, 10_000_000_000L);
    }

    @Test
    void backoff_growsExponentiallyUpToTheCap() {
        // jitter 0.5: delay/2 + 0.5*delay/2 = 0.75 * delay
        assertThat(schedule.backoffNanos(1)).isEqualTo(7_500_000);
        assertThat(schedule.backoffNanos(2)).isEqualTo(15_000_000);
        assertThat(schedule.backoffNanos(3)).isEqualTo(30_000_000);
        assertThat(schedule.backoffNanos(10)).isEqualTo(30_000_000);
    }

    @Test
    void delay_isTheReceiversRetryAfterUpToTheCap_elseTheBackoff() {
        assertThat(schedule.delayNanos(1, 20_000_000)).isEqualTo(20_000_000);
        assertThat(schedule.delayNanos(1, 1_000_000_000)).as("capped").isEqualTo(40_000_000);
        assertThat(schedule.delayNanos(2, -1)).isEqualTo(15_000_000);
    }
}
