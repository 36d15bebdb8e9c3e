package io.queuedeck.console.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.Tiers;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TierShadesTest {
    @Test
    void defaultTable_keepsItsColours_coreFirstNormalBetweenBatchLast() {
        assertThat(Tiers.DEFAULT.list()).extracting(t -> TierShades.of(Tiers.DEFAULT, t))
                .containsExactly("tier-first", "tier-between-0", "tier-last");
    }

    @Test
    void fourTierTable_fourShades() {
        Tiers four = Tiers.of(List.of(new Tier("urgent", 0, 0, 0), new Tier("core", 1, 1, 2), new Tier("normal", 2, 3, 6),
                new Tier("batch", 3, 7, 9)));

        assertThat(four.list()).extracting(t -> TierShades.of(four, t))
                .containsExactly("tier-first", "tier-between-0", "tier-between-1", "tier-last");
        assertThat(TierShades.of(four, 5)).isEqualTo("tier-between-1");
    }

    /** Every table size a band of ten priorities allows: neighbouring tiers never share a colour, up to six all differ. */
    @Test
    void neighbours_neverShareAShade() {
        for (int size = 1; size <= 10; size++) {
            neighbours(size);
        }
    }

    private static void neighbours(int size) {
        List<Tier> tiers = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int last = i == size - 1 ? 9 : i;
            tiers.add(new Tier("t" + i, i, i, last));
        }
        Tiers table = Tiers.of(tiers);
        List<String> shades = table.list().stream().map(t -> TierShades.of(table, t)).toList();
        for (int i = 1; i < size; i++) {
            assertThat(shades.get(i)).as("%d tiers, tier %d", size, i).isNotEqualTo(shades.get(i - 1));
        }
        Set<String> distinct = new HashSet<>(shades);
        assertThat(distinct).hasSize(Math.min(size, 6));
    }
}
