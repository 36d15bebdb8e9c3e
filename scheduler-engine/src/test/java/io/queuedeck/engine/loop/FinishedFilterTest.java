package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FinishedFilterTest {
    private static final long WINDOW = 80_000;

    @Test
    void everyIdAdded_isAMaybe_untilItsExpiry_evenWhenTheFilterIsOverfull() {
        FinishedFilter filter = new FinishedFilter(WINDOW, 1 << 10); // 1,024 bits per generation for 20,000 ids: overfull
        for (int i = 0; i < 20_000; i++) {
            filter.add("t-" + i, i + WINDOW, i); // one finishes per nanosecond, each kept for the window
        }
        for (int i = 0; i < 20_000; i++) {
            assertThat(filter.mayContain("t-" + i, 19_999)).as("t-" + i).isTrue(); // never a false "no"
        }
        assertThat(filter.bytes()).isLessThanOrEqualTo(10 * 128); // ten generations of 1,024 bits at most
    }

    @Test
    void idsNeverAdded_areMostlyANo_whileTheFilterHasRoom() {
        FinishedFilter filter = new FinishedFilter(WINDOW, 1 << 20);
        for (int i = 0; i < 10_000; i++) {
            filter.add("seen-" + i, 1_000 + WINDOW, 1_000);
        }
        int falseMaybes = 0;
        for (int i = 0; i < 10_000; i++) {
            falseMaybes += filter.mayContain("other-" + i, 1_000) ? 1 : 0;
        }
        // 10,000 ids in 2^20 bits with 6 hashes: about 3 in 100 million should be a false "maybe"
        assertThat(falseMaybes).isLessThan(10);
    }

    @Test
    void anExpiredGeneration_isForgotten_andItsSlotReused() {
        FinishedFilter filter = new FinishedFilter(WINDOW, 1 << 12);
        filter.add("old", WINDOW, 0);
        assertThat(filter.mayContain("old", WINDOW - 1)).isTrue();
        assertThat(filter.mayContain("old", WINDOW + WINDOW / FinishedFilter.GENERATIONS)).isFalse(); // its slice has ended
        assertThat(filter.size(WINDOW - 1)).isEqualTo(1);

        for (long now = WINDOW; now < 5 * WINDOW; now += 1_000) { // the window moves on: slots are cleared and reused
            filter.add("at-" + now, now + WINDOW, now);
        }
        assertThat(filter.mayContain("at-" + (5 * WINDOW - 1_000), 5 * WINDOW)).isTrue();
        assertThat(filter.bytes()).isEqualTo(10L * (1 << 12) / 8);
    }

    @Test
    void anExpiryBeyondTheWindow_isHeldToTheWindow() {
        FinishedFilter filter = new FinishedFilter(WINDOW, 1 << 12);
        filter.add("from-a-longer-window", 100 * WINDOW, 0);
        assertThat(filter.mayContain("from-a-longer-window", WINDOW - 1)).isTrue();
        assertThat(filter.mayContain("from-a-longer-window", 2 * WINDOW)).isFalse();
    }
}
