package io.queuedeck.engine.loop;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import java.util.List;
import java.util.TreeSet;

/**
 * The paged bitmap against a {@link TreeSet}: random adds and removes over a range of many pages
 * (so the window grows, slides, and reaches below its first page), then every next-after, and
 * the leapfrog intersection of two sets, must match the model, and a kept value must come back
 * with its member.
 */
class SequenceSetProperties {

    /** {@code add}: add or remove; {@code which}: the first or the second set. */
    record Op(boolean add, boolean which, long sequence) {}

    @Provide
    Arbitrary<List<Op>> ops() {
        // a narrow range packs pages densely, a wide one spreads members over hundreds of pages
        Arbitrary<Long> sequence = Arbitraries.oneOf(Arbitraries.longs().between(0, 10_000),
                Arbitraries.longs().between(0, 2_000_000));
        return Combinators.combine(Arbitraries.of(true, true, false), Arbitraries.of(true, false), sequence)
                .as(Op::new).list().ofMaxSize(300);
    }

    @Property(tries = 300)
    void nextAndIntersectionMatchATreeSet(@ForAll("ops") List<Op> ops) {
        SequenceSet a = SequenceSet.withValues();
        SequenceSet b = new SequenceSet();
        TreeSet<Long> modelA = new TreeSet<>();
        TreeSet<Long> modelB = new TreeSet<>();
        for (Op op : ops) {
            SequenceSet set = op.which() ? a : b;
            TreeSet<Long> model = op.which() ? modelA : modelB;
            if (op.add()) {
                set.add(op.sequence(), "v" + op.sequence());
                model.add(op.sequence());
            } else {
                // removing a member is the common case; remove one near the drawn sequence when there is one
                Long member = model.ceiling(op.sequence());
                long gone = member != null ? member : op.sequence();
                set.remove(gone);
                model.remove(gone);
            }
        }
        assertThat(a.size()).isEqualTo(modelA.size());
        assertThat(b.size()).isEqualTo(modelB.size());
        assertThat(walk(a, -1)).containsExactlyElementsOf(modelA);
        for (long member : modelA) {
            assertThat(a.get(member)).isEqualTo("v" + member);
        }
        assertThat(walk(b, -1)).containsExactlyElementsOf(modelB);
        TreeSet<Long> both = new TreeSet<>(modelA);
        both.retainAll(modelB);
        List<Long> found = new java.util.ArrayList<>();
        for (long s = SequenceSet.nextInBoth(a, b, -1); s >= 0; s = SequenceSet.nextInBoth(a, b, s)) {
            found.add(s);
        }
        assertThat(found).containsExactlyElementsOf(both);
        for (long probe : new long[] {0, 4095, 4096, 9_999, 1_000_000, 3_000_000}) {
            Long expected = modelA.higher(probe);
            assertThat(a.next(probe)).as("next after %d", probe).isEqualTo(expected == null ? -1 : expected);
            assertThat(a.contains(probe)).isEqualTo(modelA.contains(probe));
        }
    }

    /**
     * A queue's pattern: members arrive in increasing order and the oldest leave first, so the low
     * pages empty and the window must slide (or reset) rather than grow without end.
     */
    @Property(tries = 200)
    void aSlidingQueueMatchesATreeSet(@ForAll("gaps") List<Integer> gaps) {
        SequenceSet set = SequenceSet.withValues();
        TreeSet<Long> model = new TreeSet<>();
        long sequence = 0;
        for (int gap : gaps) {
            sequence += gap;
            set.add(sequence, sequence);
            model.add(sequence);
            while (model.size() > 40 || (gap % 3 == 0 && !model.isEmpty())) {
                long oldest = model.pollFirst();
                set.remove(oldest);
                if (gap % 3 != 0) {
                    break;
                }
                gap++;
            }
            assertThat(set.next(sequence - gap)).isEqualTo(model.higher(sequence - gap) == null ? -1 : model.higher(sequence - gap));
        }
        assertThat(walk(set, -1)).containsExactlyElementsOf(model);
        for (long member : model) {
            assertThat(set.get(member)).isEqualTo(member);
        }
    }

    @Provide
    Arbitrary<List<Integer>> gaps() {
        return Arbitraries.integers().between(1, 3_000).list().ofMinSize(1).ofMaxSize(400);
    }

    private static List<Long> walk(SequenceSet set, long after) {
        List<Long> members = new java.util.ArrayList<>();
        for (long s = set.next(after); s >= 0; s = set.next(s)) {
            members.add(s);
        }
        return members;
    }
}
