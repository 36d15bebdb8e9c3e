package io.queuedeck.console.lanes;

import io.queuedeck.console.lanes.LanesViewModel.TaskRow;
import io.queuedeck.engine.tier.Tier;
import io.queuedeck.engine.tier.TierMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * "Why is this task here?", answered from what the console already holds: the latest listing
 * (each lane in dispatch order), the lane totals and modes of the latest snapshot, and the live
 * policy. The score factors of scoring policies come separately ({@link TaskDetails#withScore}).
 *
 * @param policy          the live policy
 * @param laneOrderKept   whether that policy keeps places within a lane (fifo, priority, mlfq)
 * @param dispatchPaused  dispatch is paused for every lane
 * @param byPriority      waiting tasks per priority
 * @param byLevel         waiting tasks per policy level (one entry for flat policies)
 * @param laneModes       each lane's own mode
 * @param tierModes       each tier's mode
 * @param listed          the listed rows of each priority's lane, in dispatch order
 * @param clockNanos      the engine clock of the latest snapshot
 */
record WhyHere(String policy, boolean laneOrderKept, boolean dispatchPaused, List<Integer> byPriority, List<Integer> byLevel,
               List<TierMode> laneModes, Map<Tier, TierMode> tierModes, List<List<TaskRow>> listed, long clockNanos) {
    private static final int AHEAD_SHOWN = 3;

    /** Lines for the inspector: the task's place, what is ahead of it and why, and what holds its lane. */
    List<String> explain(TaskDetails d) {
        List<String> lines = new ArrayList<>();
        if (!d.state().equals("queued") && !d.state().equals("preempted")) {
            lines.add(switch (d.state()) {
                case "running" -> "Running" + (d.instance() < 0 ? "" : " on GPU " + d.instance()) + ": it waits for nothing.";
                case "retry_wait" -> "Waiting out its retry backoff; it joins lane P" + d.priority() + " again after it.";
                case "dead_lettered" -> "Dead-lettered after " + d.attempts() + " attempts: it stays until retried.";
                default -> "Finished (" + d.state().replace('_', ' ') + "): no longer in any lane.";
            });
            return lines;
        }
        int p = d.priority();
        List<TaskRow> lane = p < listed.size() ? listed.get(p) : List.of();
        int index = indexOf(lane, d.id());
        int laneTotal = p < byPriority.size() ? byPriority.get(p) : 0;
        String place = index < 0 ? "beyond the first " + String.format(Locale.ROOT, "%,d", lane.size()) + " listed"
                : ordinal(index + 1);
        lines.add("Place in lane P" + p + ": " + place + " of " + String.format(Locale.ROOT, "%,d", Math.max(laneTotal, lane.size()))
                + (laneOrderKept ? " (its dispatch order)" : " (the " + policy + " policy's rank order)"));
        if (index > 0) {
            StringBuilder ahead = new StringBuilder("Ahead of it in P" + p + ": ");
            for (int i = 0; i < Math.min(index, AHEAD_SHOWN); i++) {
                TaskRow row = lane.get(i);
                ahead.append(i == 0 ? "" : ", ").append(shortId(row.id())).append(" (waited ")
                        .append(TaskRow.compactWait(row.waitedMs(clockNanos))).append(row.level() > 0 ? ", level " + row.level() : "").append(')');
            }
            if (index > AHEAD_SHOWN) {
                ahead.append(" and ").append(index - AHEAD_SHOWN).append(" more");
            }
            lines.add(ahead.toString());
        }
        int higher = 0;
        for (int i = 0; i < p && i < byPriority.size(); i++) {
            higher += byPriority.get(i);
        }
        switch (policy) {
            case "priority" -> {
                lines.add("The priority policy serves P0 first: " + String.format(Locale.ROOT, "%,d", higher)
                        + " tasks in P0–P" + Math.max(0, p - 1) + " go before it.");
                if (index >= 0) {
                    lines.add("Position in dispatch order: " + ordinal(higher + index + 1));
                }
            }
            case "mlfq" -> {
                int level = index >= 0 ? lane.get(index).level() : 0;
                int lower = 0;
                for (int i = 0; i < level && i < byLevel.size(); i++) {
                    lower += byLevel.get(i);
                }
                lines.add("MLFQ level " + level + ": " + String.format(Locale.ROOT, "%,d", lower)
                        + " tasks at higher levels (0–" + Math.max(0, level - 1) + ") go first; a task drops a level as it uses its quantum.");
            }
            case "fifo" -> lines.add("The fifo policy serves every lane by arrival: older tasks go first, whatever their priority.");
            default -> lines.add("The " + policy + " policy ranks tasks across lanes by its own keys"
                    + (policy.equals("weighted") ? " (the score below)." : "; priority is one input."));
        }
        TierMode own = p < laneModes.size() ? laneModes.get(p) : TierMode.ACTIVE;
        TierMode tier = tierModes.getOrDefault(Tier.of(p), TierMode.ACTIVE);
        if (own == TierMode.PAUSED) {
            lines.add("Lane P" + p + " is paused: nothing leaves it until it is resumed (the lane's ⋮ menu).");
        } else if (tier == TierMode.PAUSED) {
            lines.add("The " + Tier.of(p).name().toLowerCase(Locale.ROOT) + " tier is paused: its lanes dispatch nothing until it is resumed.");
        } else if (own == TierMode.DRAINING || tier == TierMode.DRAINING) {
            lines.add("Its lane is draining: it still dispatches, but takes no new submissions.");
        }
        if (dispatchPaused) {
            lines.add("Dispatch is paused for every lane (Resume dispatch, Ctrl+P).");
        }
        return List.copyOf(lines);
    }

    private static int indexOf(List<TaskRow> rows, String id) {
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    static String shortId(String id) {
        return id.length() > 13 ? id.substring(0, 12) + "…" : id;
    }

    private static String ordinal(int n) {
        String suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return String.format(Locale.ROOT, "%,d", n) + suffix;
    }
}
