package io.queuedeck.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The since-start figures per priority describe the same tasks: the finished ones. */
class LatencyMetricsTest {
    private static final long MS = 1_000_000L;

    @Test
    void perPriority_ttftIsOfFinishedTasks_soItsP50NeverExceedsTheirEndToEndP99() {
        LatencyMetrics metrics = new LatencyMetrics();
        for (int i = 0; i < 10; i++) { // first tokens after a long wait, then cancelled or moved: never finished here
            metrics.recordTtft(2, 13_000 * MS);
        }
        for (int i = 0; i < 5; i++) {
            metrics.recordTtft(2, 100 * MS);
            metrics.recordCompletion(2, 90 * MS, 5_000 * MS, 100 * MS);
        }

        assertThat(metrics.priority(2).ttft().count()).isEqualTo(5);
        assertThat(metrics.priority(2).ttft().p50Ms()).isLessThanOrEqualTo(metrics.priority(2).endToEnd().p99Ms());
        assertThat(metrics.total().ttft().count()).as("the charts count every first token as it comes").isEqualTo(15);
    }

    @Test
    void completionWithoutAFirstToken_addsNoTtft() {
        LatencyMetrics metrics = new LatencyMetrics();
        metrics.recordCompletion(4, 0, 10 * MS, -1);

        assertThat(metrics.priority(4).endToEnd().count()).isEqualTo(1);
        assertThat(metrics.priority(4).ttft().count()).isZero();
    }
}
