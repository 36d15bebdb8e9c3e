package io.queuedeck.console.policies;

/**
 * One policy's line of a comparison. Latencies in milliseconds of simulated time; NaN where a
 * figure does not exist (FIFO not run, no urgent task finished).
 *
 * @param policy      the policy's name
 * @param goodput     percent of completed tasks that met their class's objectives
 * @param e2eMean     end-to-end latency, mean
 * @param e2eP50      end-to-end latency, median
 * @param e2eP99      end-to-end latency, 99th percentile
 * @param ttftP50     time to first token, median
 * @param ttftP99     time to first token, 99th percentile
 * @param urgentP99   end-to-end p99 of the most urgent priority class
 * @param figure      the chosen figure ({@link CompareFigure}) of this policy
 * @param vsFifo      the chosen figure over FIFO's
 * @param vsOracle    the chosen figure over the srpt-oracle's
 * @param vsBound     mean latency over the provable lower bound of this trace and these GPUs
 */
public record CompareRow(String policy, double goodput, double e2eMean, double e2eP50, double e2eP99, double ttftP50,
                         double ttftP99, double urgentP99, double figure, double vsFifo, double vsOracle, double vsBound) {}
