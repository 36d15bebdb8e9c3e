package io.queuedeck.engine.cli;

import io.queuedeck.engine.config.ServeConfig;
import java.math.BigInteger;
import picocli.CommandLine;

/**
 * {@code --instances} as picocli reads it: a number of simulated GPUs out of range, however large,
 * is refused with the range the command takes ({@code must be 1 to 10000, got 99999999999}), not
 * as "not an int", which said neither what is wrong nor what would do.
 */
final class GpuCount {
    private GpuCount() {}

    /** {@code text} as a count from 1 to {@code max}, or the refusal saying so. */
    static int parse(String text, int max) {
        String trimmed = text.trim();
        if (!trimmed.matches("[-+]?[0-9]+")) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a whole number; give 1 to " + max);
        }
        BigInteger value = new BigInteger(trimmed);
        if (value.compareTo(BigInteger.ONE) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new CommandLine.TypeConversionException("must be 1 to " + max + ", got " + trimmed);
        }
        return value.intValueExact();
    }

    /** {@code simulate}: as many as a policy comparison may need ({@link SimulateCommand#MAX_INSTANCES}). */
    static final class Simulated implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            return parse(text, SimulateCommand.MAX_INSTANCES);
        }
    }

    /** {@code serve} and {@code demo}, which run them live: {@link ServeConfig.ExecutorSection#MAX_INSTANCES}. */
    static final class Live implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            return parse(text, ServeConfig.ExecutorSection.MAX_INSTANCES);
        }
    }
}
