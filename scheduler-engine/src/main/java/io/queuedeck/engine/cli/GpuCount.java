package io.queuedeck.engine.cli;

import io.queuedeck.engine.config.ServeConfig;
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
        return (int) WholeNumber.parse(text, 1, max);
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
