package io.queuedeck.engine.exec.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

/** How long a backend's 429 pauses it, from its {@code Retry-After}. */
class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-12-06T05:00:00Z");
    private static final long SECOND = 1_000_000_000L;

    @Test
    void deltaSeconds_areTakenAsSent_upToTheCap() {
        assertThat(RetryAfter.pauseNanos("5", NOW)).isEqualTo(5 * SECOND);
        assertThat(RetryAfter.pauseNanos(" 2.5 ", NOW)).isEqualTo(2_500_000_000L);
        assertThat(RetryAfter.pauseNanos("3600", NOW)).isEqualTo(RetryAfter.MAX_SECONDS * SECOND);
        assertThat(RetryAfter.pauseNanos("0", NOW)).isZero();
        // longer than nine digits is delta-seconds past any real wait: the cap, not the one second of junk
        assertThat(RetryAfter.pauseNanos("99999999999999999999", NOW)).isEqualTo(RetryAfter.MAX_SECONDS * SECOND);
        assertThat(RetryAfter.pauseNanos("9".repeat(5_000), NOW)).isEqualTo(RetryAfter.MAX_SECONDS * SECOND);
        assertThat(RetryAfter.pauseNanos(null, NOW)).isZero();
    }

    @Test
    void anHttpDate_countsTheTimeLeftUntilIt() {
        String in20s = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(20).atOffset(ZoneOffset.UTC));
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.minusSeconds(20).atOffset(ZoneOffset.UTC));

        assertThat(RetryAfter.pauseNanos(in20s, NOW)).isEqualTo(20 * SECOND);
        assertThat(RetryAfter.pauseNanos(past, NOW)).isZero();
    }

    /** RFC 9110 5.6.7: a recipient must accept all three forms; the two obsolete ones counted as one second. */
    @Test
    void theObsoleteDateForms_countTheTimeLeftToo() {
        assertThat(RetryAfter.pauseNanos("Sunday, 06-Dec-26 05:00:30 GMT", NOW)).isEqualTo(30 * SECOND); // RFC 850
        assertThat(RetryAfter.pauseNanos("Sun Dec  6 05:00:40 2026", NOW)).isEqualTo(40 * SECOND); // asctime
    }

    @Test
    void whatIsNeitherForm_countsAsOneSecond_notAsTheNumberItLooksLike() {
        // "1e3" was read as 1,000 s (then capped to a minute); it is not delta-seconds
        for (String unreadable : new String[] {"1e3", "Infinity", "NaN", "-5", "0x10", "soon", "+7", "Sun, 06 Dec 2026 05:00:30 GMT\u00e9"}) {
            assertThat(RetryAfter.pauseNanos(unreadable, NOW)).as(unreadable).isEqualTo(SECOND);
        }
    }
}
