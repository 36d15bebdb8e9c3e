package io.queuedeck.engine.exec.openai;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/** A backend's {@code Retry-After} header read as a pause, bounded. */
final class RetryAfter {
    private RetryAfter() {}

    /** The longest pause a backend's {@code Retry-After} buys. */
    static final int MAX_SECONDS = 60;
    /** Delta-seconds: digits (RFC 9110), and a fraction, which some servers send. */
    private static final Pattern DELTA_SECONDS = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9})?");

    /**
     * The pause a {@code Retry-After} asks for: delta-seconds, or the time left until an HTTP date;
     * anything else (say {@code 1e3}, which is neither) counts as one second, as a 429 with no
     * header does. At most {@value #MAX_SECONDS} s: one tenant's request must not make
     * a backend sit idle for every tenant for an hour, and the next request after the pause asks
     * the server again.
     */
    static long pauseNanos(String value, Instant now) {
        if (value == null) {
            return 0;
        }
        String text = value.strip();
        double seconds;
        if (DELTA_SECONDS.matcher(text).matches()) {
            seconds = Double.parseDouble(text);
        } else if (text.matches("[0-9]{10,}(\\.[0-9]+)?")) { // delta-seconds past any real wait: the longest pause, not a second
            seconds = MAX_SECONDS;
        } else {
            // an HTTP date in any of the three forms a recipient must accept (IMF-fixdate, RFC 850, asctime)
            java.util.Date date;
            try {
                date = okhttp3.Headers.of("Retry-After", text).getDate("Retry-After");
            } catch (IllegalArgumentException notAHeaderValue) {
                date = null;
            }
            seconds = date == null ? 1 : Duration.between(now, date.toInstant()).toMillis() / 1e3;
        }
        return seconds > 0 ? (long) (Math.min(seconds, MAX_SECONDS) * 1e9) : 0;
    }
}
