package io.queuedeck.engine.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A config duration as written: {@code 500ms}, {@code 2s}, {@code 1.5m}, {@code 1h}. */
public final class DurationText {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");

    private DurationText() {}

    /**
     * The duration {@code text} writes, or empty when it is not one.
     *
     * @throws ArithmeticException when it is one but longer than about 292 years
     */
    public static Optional<Duration> parse(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        BigDecimal millisPerUnit = BigDecimal.valueOf(switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            default -> 3_600_000;
        });
        return Optional.of(Duration.ofNanos(new BigDecimal(m.group(1)).multiply(millisPerUnit)
                .multiply(BigDecimal.valueOf(1_000_000)).longValueExact()));
    }
}
