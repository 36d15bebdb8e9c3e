package io.queuedeck.console.lanes;

import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.Tiers;
import java.util.List;
import javafx.scene.Node;

/**
 * A tier's colour by its place in the engine's table, not by its name, so a table of one's own
 * is coloured too: the first tier red, the last purple, those between blue, then amber, green
 * and teal (the default table: core red, normal blue, batch purple, as before).
 */
final class TierShades {
    static final String FIRST = "tier-first";
    static final String LAST = "tier-last";
    /** Tiers between the first and the last, in order; a longer table starts the list again. */
    static final List<String> BETWEEN = List.of("tier-between-0", "tier-between-1", "tier-between-2", "tier-between-3");

    private TierShades() {}

    /** The style class of {@code tier} in {@code tiers}. */
    static String of(Tiers tiers, Tier tier) {
        int at = tiers.list().indexOf(tier);
        if (at <= 0) {
            return FIRST;
        }
        return at == tiers.size() - 1 ? LAST : BETWEEN.get((at - 1) % BETWEEN.size());
    }

    /** The style class of the tier holding {@code priority}. */
    static String of(Tiers tiers, int priority) {
        return of(tiers, tiers.of(priority));
    }

    /** Gives {@code node} the shade {@code styleClass} in place of any it had. */
    static void paint(Node node, String styleClass) {
        node.getStyleClass().removeIf(c -> c.equals(FIRST) || c.equals(LAST) || BETWEEN.contains(c));
        node.getStyleClass().add(styleClass);
    }
}
