package io.queuedeck.engine.sim;

/**
 * One request of a trace. Optional columns are null when the trace does not have them.
 *
 * @param line         line number in the file, for messages
 * @param arrivalMs    arrival, in milliseconds from the trace's first request
 * @param promptTokens prompt length
 * @param outputTokens true output length
 */
public record TraceRow(int line, long arrivalMs, int promptTokens, int outputTokens, Integer priority, String tenant,
                       String businessClass, Long deadlineMs, String model) {}
