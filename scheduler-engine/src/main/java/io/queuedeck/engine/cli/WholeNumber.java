package io.queuedeck.engine.cli;

import io.queuedeck.engine.cluster.ClusterNode;
import java.math.BigInteger;
import picocli.CommandLine;

/**
 * Every whole-number option as picocli reads it: any run of digits is read, and a value out of
 * the option's range, however large, is refused with that range in words ({@code must be 0 to
 * 2147483647, got 99999999999}), not as "not an int", which said neither what is wrong nor what
 * would do. Each option names its range by its converter; the commands' later checks of the same
 * bounds stay, for values that come from the config file.
 */
final class WholeNumber {
    private WholeNumber() {}

    /** {@code text} as a whole number from {@code min} to {@code max}, or the refusal saying so. */
    static long parse(String text, long min, long max) {
        String trimmed = text.trim();
        if (!trimmed.matches("[-+]?[0-9]+")) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a whole number; give " + min + " to " + max);
        }
        BigInteger value = new BigInteger(trimmed);
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new CommandLine.TypeConversionException("must be " + min + " to " + max + ", got " + trimmed);
        }
        return value.longValueExact();
    }

    /** An option's converter with its range, giving {@code N} (an option's field type). */
    abstract static class Range<N> implements CommandLine.ITypeConverter<N> {
        private final long min;
        private final long max;
        private final java.util.function.LongFunction<N> as;

        Range(long min, long max, java.util.function.LongFunction<N> as) {
            this.min = min;
            this.max = max;
            this.as = as;
        }

        @Override
        public N convert(String text) {
            return as.apply(parse(text, min, max));
        }
    }

    /** An int option's converter with its range. */
    abstract static class IntRange extends Range<Integer> {
        IntRange(int min, int max) { super(min, max, v -> (int) v); }
    }

    /** A long option's converter with its range. */
    abstract static class LongRange extends Range<Long> {
        LongRange(long min, long max) { super(min, max, v -> v); }
    }

    /** Counts of something there must be one of at least: threads, sequences, tokens. */
    static final class Positive extends IntRange {
        Positive() { super(1, Integer.MAX_VALUE); }
    }

    /** Counts that may be none: tenants, seconds. */
    static final class NonNegative extends IntRange {
        NonNegative() { super(0, Integer.MAX_VALUE); }
    }

    /** Byte and token counts past an int's range. */
    static final class PositiveLong extends LongRange {
        PositiveLong() { super(1, Long.MAX_VALUE); }
    }

    /** A seed: any long. */
    static final class AnyLong extends LongRange {
        AnyLong() { super(Long.MIN_VALUE, Long.MAX_VALUE); }
    }

    /** {@code simulate --tasks}: as many as a trace may hold. */
    static final class Tasks extends IntRange {
        Tasks() { super(1, SimulateCommand.MAX_TASKS); }
    }

    /** {@code simulate --urgent-priority}: a priority, or -1 for none. */
    static final class UrgentPriority extends IntRange {
        UrgentPriority() { super(-1, 9); }
    }

    /** {@code simulate --bulk-chunk-tokens}: tokens, or -1 for no cap. */
    static final class BulkChunkTokens extends IntRange {
        BulkChunkTokens() { super(-1, Integer.MAX_VALUE); }
    }

    /** {@code serve --port}: 0 picks a free one. */
    static final class Port extends IntRange {
        Port() { super(0, 65_535); }
    }

    /** {@code serve --max-body-bytes}: just under 2 GiB, what one request may hold (the API server's limit). */
    static final class BodyBytes extends LongRange {
        BodyBytes() { super(1, Integer.MAX_VALUE - 8); }
    }

    /** {@code serve --prefetch}. */
    static final class Prefetch extends IntRange {
        Prefetch() { super(0, ClusterNode.MAX_PREFETCH); }
    }
}
