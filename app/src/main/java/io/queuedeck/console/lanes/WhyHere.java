package io.queuedeck.console.lanes;

import io.queuedeck.console.lanes.LanesViewModel.TaskRow;
import io.queuedeck.engine.exec.InstanceStatus;
import io.queuedeck.engine.snapshot.FlowStats;
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
 * @param takenAt         the wall time of the latest snapshot (deadlines are wall times)
 * @param tenants         the latest snapshot's per tier × tenant flow figures (dispatches, weights)
 * @param instances       the latest snapshot's GPUs or backend models, with their states
 */
record WhyHere(String policy, boolean laneOrderKept, boolean dispatchPaused, List<Integer> byPriority, List<Integer> byLevel,
               List<TierMode> laneModes, Map<Tier, TierMode> tierModes, List<List<TaskRow>> listed, long clockNanos,
               java.time.Instant takenAt, List<FlowStats.TenantFlow> tenants, List<InstanceStatus> instances) {
    private static final int AHEAD_SHOWN = 3;

    /** Lines for the inspector: the task's place, what is ahead of it and why, and what holds its lane. */
    List<String> explain(TaskDetails d) {
        List<String> lines = new ArrayList<>();
        if (!d.state().equals("queued") && !d.state().equals("preempted")) {
            lines.add(switch (d.state()) {
                case "running" -> "Running" + (d.instance() < 0 ? "" : " on " + instanceName(d.instance())) + ": it waits for nothing.";
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
                if (index >= 0 && !d.givenUp()) { // a late one goes after the other lanes' tasks too: no count says where
                    lines.add("Position in dispatch order: " + ordinal(higher + index + 1));
                }
            }
            case "mlfq" -> {
                int level = index >= 0 ? lane.get(index).level() : 0;
                int lower = 0;
                for (int i = 0; i < level && i < byLevel.size(); i++) {
                    lower += byLevel.get(i);
                }
                // "0 tasks at higher levels (0-0) go first" at the top level said nothing in many words
                lines.add("MLFQ level " + level + (level == 0 ? ": the top level, served first"
                        : ": " + String.format(Locale.ROOT, "%,d", lower) + (lower == 1 ? " task" : " tasks") + " at higher levels ("
                        + (level == 1 ? "0" : "0–" + (level - 1)) + ") go first")
                        + "; a task drops a level as it uses its quantum.");
            }
            case "fifo" -> lines.add("The fifo policy serves every lane by arrival: older tasks go first, whatever their priority.");
            default -> lines.add("The " + policy + " policy ranks tasks across lanes by its own keys"
                    + (policy.equals("weighted") ? " (the score below)." : "; priority is one input."));
        }
        if (d.givenUp()) {
            lines.add("Given up on as late: it waited past its class's objective (the policy's give_up_seconds), so the "
                    + policy + " policy serves it after every task, in any lane, that can still meet its own. Moved to another"
                    + " lane or placed in its own, it is served as the move says.");
        }
        TierMode own = p < laneModes.size() ? laneModes.get(p) : TierMode.ACTIVE;
        Tier ownTier = tierOf(tierModes, p);
        TierMode tier = tierModes.getOrDefault(ownTier, TierMode.ACTIVE);
        if (own == TierMode.PAUSED) {
            lines.add("Lane P" + p + " is paused: nothing leaves it until it is resumed (the lane's ⋮ menu).");
        } else if (tier == TierMode.PAUSED) {
            lines.add("The " + ownTier.name() + " tier is paused: its lanes dispatch nothing until it is resumed.");
        } else if (own == TierMode.DRAINING || tier == TierMode.DRAINING) {
            lines.add("Its lane is draining: it still dispatches, but takes no new submissions.");
        }
        if (dispatchPaused) {
            lines.add("Dispatch is paused for every lane (Resume dispatch, Ctrl+P).");
        }
        String serving = serving(d.model());
        if (serving != null) {
            lines.add(serving);
        }
        lines.add(tenantShare(d));
        lines.add(deadline(d));
        return List.copyOf(lines);
    }

    /** Instance {@code id} as the GPUs screen names it: "GPU 0", or "backend 0 (http://gpu1:8000)"; "–" for none. */
    String instanceName(int id) {
        if (id < 0) {
            return "–";
        }
        return instances.stream().filter(i -> i.id() == id).findFirst()
                .map(i -> i.backend() != null ? "backend " + id + " (" + i.backend().url() + ")" : "GPU " + id).orElse("GPU " + id);
    }

    /**
     * Why no instance can take a task of {@code model} now, when none can: every instance serving
     * it is down, offline, loading or draining (each named with its state), or none serves it; null
     * when one takes work.
     */
    String serving(String model) {
        List<InstanceStatus> serving = instances.stream().filter(i -> i.model().equals(model)).toList();
        if (serving.isEmpty()) {
            return instances.isEmpty() ? null : "No instance serves " + model + ": it waits for one that does (a restart"
                    + " with a backend or GPUs of that model).";
        }
        if (serving.stream().anyMatch(i -> i.state().acceptsWork() && !i.draining())) {
            return null;
        }
        String states = serving.stream().map(i -> (i.backend() != null ? "backend " : "GPU ") + i.id() + " "
                + (i.draining() && i.state().acceptsWork() ? "draining" : i.state().name().toLowerCase(Locale.ROOT)))
                .collect(java.util.stream.Collectors.joining(", "));
        return "No instance serving " + model + " takes work now (" + states + "): it waits for one to come back"
                + " (GPUs screen).";
    }

    /** The tier holding {@code priority}, by the snapshot's tiers (the default table when it names none). */
    static Tier tierOf(Map<Tier, TierMode> tierModes, int priority) {
        for (Tier tier : tierModes.keySet()) {
            if (tier.holds(priority)) {
                return tier;
            }
        }
        return io.queuedeck.engine.tier.Tiers.DEFAULT.of(priority);
    }

    /**
     * The task's tenant in its tier: its share of the tier's dispatches since start against its
     * fair share (its weight over the weights of the tenants with work in the tier), for every policy.
     */
    String tenantShare(TaskDetails d) {
        Tier tier = tierOf(tierModes, d.priority());
        String tenant = d.tenant() == null ? "" : d.tenant();
        String name = tenant.isEmpty() ? "(no tenant)" : tenant;
        String tierName = tier.name().toLowerCase(Locale.ROOT);
        long all = 0;
        double weights = 0;
        FlowStats.TenantFlow own = null;
        for (FlowStats.TenantFlow t : tenants) {
            if (t.tier() != tier) {
                continue;
            }
            all += t.dispatched();
            if (t.waiting() > 0 || t.tenant().equals(tenant)) {
                weights += t.weight();
            }
            if (t.tenant().equals(tenant)) {
                own = t;
            }
        }
        if (own == null || all == 0) {
            return "Tenant " + name + " in the " + tierName + " tier: no dispatches counted yet, so no share to compare.";
        }
        return String.format(Locale.ROOT, "Tenant %s in the %s tier: %.0f%% of its dispatches since start against a fair share of "
                + "%.0f%% (weight %s of %s among tenants with work there)%s.", name, tierName, 100.0 * own.dispatched() / all,
                100 * own.weight() / weights, weight(own.weight()), weight(weights),
                own.waiting() > 0 && (double) own.dispatched() / all < own.weight() / weights - 0.05 ? "; below its share" : "");
    }

    /** The task's deadline: how long is left, or how long ago it passed; or that it has none. */
    String deadline(TaskDetails d) {
        if (d.deadline() == null) {
            return "No deadline: nothing times it out but its tier's queue_ttl, if the tier has one.";
        }
        long ms = java.time.Duration.between(takenAt, d.deadline()).toMillis();
        return ms >= 0 ? "Deadline in " + TaskRow.compactWait(ms) + " (" + d.deadline() + "); past it, a waiting task leaves as timed out."
                : "Deadline passed " + TaskRow.compactWait(-ms) + " ago (" + d.deadline() + ").";
    }

    private static String weight(double w) {
        return w == Math.rint(w) ? String.valueOf((long) w) : String.format(Locale.ROOT, "%.1f", w);
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
