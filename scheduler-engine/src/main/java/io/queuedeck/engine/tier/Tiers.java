package io.queuedeck.engine.tier;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The ordered table of tiers (the {@code tiers} config section, decision 0061): bands that cover
 * priorities 0-9 without gaps or overlaps, in order, so the first tier holds priority 0. Priority
 * to tier is an array lookup. {@link Tier#DEAD_LETTER} is not in the table: it is always last.
 */
public final class Tiers {
    /** Today's three tiers: core 0-2, normal 3-6, batch 7-9. */
    public static final Tiers DEFAULT = new Tiers(List.of(Tier.CORE, Tier.NORMAL, Tier.BATCH));

    private final List<Tier> list;
    private final Tier[] byPriority = new Tier[10];

    /**
     * @param tiers in order; each tier's index is its place and its band starts right after the
     *              one before (checked: a config reader reports gaps and overlaps with their lines first)
     */
    @JsonCreator
    public Tiers(List<Tier> tiers) {
        if (tiers.isEmpty()) {
            throw new IllegalArgumentException("a tier table needs at least one tier");
        }
        int next = 0;
        for (int i = 0; i < tiers.size(); i++) {
            Tier tier = tiers.get(i);
            if (tier.deadLetter() || tier.index() != i || tier.first() != next) {
                throw new IllegalArgumentException("tier " + tier.name() + " (" + tier.band() + ") at " + i
                        + " must be the tier at " + i + " starting at priority " + next);
            }
            for (int p = tier.first(); p <= tier.last(); p++) {
                byPriority[p] = tier;
            }
            next = tier.last() + 1;
            for (int j = 0; j < i; j++) {
                if (tiers.get(j).name().equals(tier.name())) {
                    throw new IllegalArgumentException("tier " + tier.name() + " is named twice");
                }
            }
        }
        if (next != 10) {
            throw new IllegalArgumentException("the tiers' bands end at priority " + (next - 1) + ", not 9");
        }
        this.list = List.copyOf(tiers);
    }

    /** The table of these tiers in any order (e.g. a snapshot's map keys); {@link Tier#DEAD_LETTER} is left out. */
    public static Tiers of(Collection<Tier> tiers) {
        List<Tier> sorted = new ArrayList<>();
        for (Tier tier : tiers) {
            if (!tier.deadLetter()) {
                sorted.add(tier);
            }
        }
        sorted.sort(Comparator.comparingInt(Tier::index));
        return sorted.equals(DEFAULT.list) ? DEFAULT : new Tiers(sorted);
    }

    /** The tier of a waiting task with this priority (0-9). */
    public Tier of(int priority) {
        return byPriority[priority];
    }

    /** The tiers in order, without the dead-letter tier. */
    @JsonValue
    public List<Tier> list() {
        return list;
    }

    public int size() {
        return list.size();
    }

    /** The tier called {@code name}, the dead-letter tier included ({@code dead_letter}). */
    public Optional<Tier> named(String name) {
        if (Tier.DEAD_LETTER.name().equals(name)) {
            return Optional.of(Tier.DEAD_LETTER);
        }
        return list.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The next, less urgent tier of waiting work; null after the last one (and for dead letters). */
    public Tier next(Tier tier) {
        return tier.deadLetter() || tier.index() + 1 >= list.size() ? null : list.get(tier.index() + 1);
    }

    /** The last tier: the one nothing spills or demotes below. */
    public Tier last() {
        return list.getLast();
    }

    /** The tier names, comma-separated, for error messages. */
    public String names() {
        return String.join(", ", list.stream().map(Tier::name).toList());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tiers other && list.equals(other.list);
    }

    @Override
    public int hashCode() {
        return list.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (Tier tier : list) {
            out.append(out.isEmpty() ? "" : ", ").append(tier.name()).append(' ').append(tier.band());
        }
        return out.toString();
    }
}
