package io.queuedeck.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunFiguresTest {

    @Test
    void rank_nearestRank_smallestValueCoveringTheFraction() {
        long[] sorted = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};

        assertThat(RunFigures.rank(sorted, 0.0)).isEqualTo(10);
        assertThat(RunFigures.rank(sorted, 0.5)).isEqualTo(50);
        assertThat(RunFigures.rank(sorted, 0.51)).isEqualTo(60);
        assertThat(RunFigures.rank(sorted, 0.9)).isEqualTo(90);
        assertThat(RunFigures.rank(sorted, 0.99)).isEqualTo(100);
        assertThat(RunFigures.rank(sorted, 1.0)).isEqualTo(100);
        assertThat(RunFigures.rank(new long[] {7}, 0.99)).isEqualTo(7);
    }

    @Test
    void naturalOrder_digitRunsCompareAsNumbers() {
        List<String> names = new ArrayList<>(List.of("tenant-10", "tenant-2", "(none)", "acme", "tenant-1", "tenant-02b"));

        names.sort(RunFigures::naturalOrder);

        assertThat(names).containsExactly("(none)", "acme", "tenant-1", "tenant-2", "tenant-02b", "tenant-10");
    }
}
