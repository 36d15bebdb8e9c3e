package io.queuedeck.engine.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The shared queue's marker in Redis, as one node remembers it (decision 0130). The marker is
 * written when the queue is first seen and goes only with the queue's keys: the node reads it again
 * at each announcement (the round trip it makes every third of its lease, at least once a second),
 * with the queue's sizes and what an operator set there. Found gone (this node wrote it again) or
 * another, Redis lost the queue's data since the node's previous look: the node says so once,
 * loudly, with what the queue held at that look, writes back the tier pauses and drains and its own
 * instance holds it saw then, and carries on with the new marker.
 */
final class QueueEpoch {
    private static final System.Logger LOG = System.getLogger(QueueEpoch.class.getName());

    private final String prefix;
    private final String node;
    private final String[] served;
    /** The marker as this node last saw it; null before its first look. */
    private String known;
    /** What the queue held at that look. */
    private Look before = Look.NONE;
    /** What a loss took and is not written back yet (Redis went away again); null when nothing is owed. */
    private Look owed;
    private volatile SharedQueue.DataLoss last = SharedQueue.DataLoss.NONE;

    /** One look: the queue's sizes, and what an operator had set that a loss takes. */
    private record Look(long waiting, long leased, long dead, long leasedHere, List<String> paused, List<String> draining,
                        Map<String, String> holds) {
        static final Look NONE = new Look(0, 0, 0, 0, List.of(), List.of(), Map.of());

        static Look of(List<?> seen) {
            Map<String, String> holds = new LinkedHashMap<>();
            List<?> flat = (List<?>) seen.get(8);
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                holds.put((String) flat.get(i), (String) flat.get(i + 1));
            }
            return new Look((Long) seen.get(2), (Long) seen.get(3), (Long) seen.get(4), (Long) seen.get(5),
                    strings(seen.get(6)), strings(seen.get(7)), Map.copyOf(holds));
        }

        private static List<String> strings(Object list) {
            return ((List<?>) list).stream().map(String.class::cast).sorted().toList();
        }

        boolean setAnything() {
            return !paused.isEmpty() || !draining.isEmpty() || !holds.isEmpty();
        }
    }

    QueueEpoch(String prefix, String node, String[] served) {
        this.prefix = prefix;
        this.node = node;
        this.served = served.clone();
    }

    /** The first look, when the node opens the queue (writing the marker of a queue seen for the first time). */
    void learn(NodeName.Scripts redis) {
        String[] args = new String[3 + served.length];
        args[0] = prefix;
        args[1] = node;
        System.arraycopy(asking(), 0, args, 2, served.length + 1);
        saw(redis.run(NodeScripts.EPOCH, args), redis);
    }

    /** The arguments of a look that follow a script's own: a fresh marker id (written only where none is), the served tiers. */
    String[] asking() {
        String[] args = new String[1 + served.length];
        args[0] = UUID.randomUUID().toString();
        System.arraycopy(served, 0, args, 1, served.length);
        return args;
    }

    /**
     * What one look answered ({@link NodeScripts}' {@code see}). After a loss, what an operator had set
     * is written back through {@code redis}, at this look or, while Redis refuses, at a later one.
     */
    synchronized void saw(List<?> seen, NodeName.Scripts redis) {
        String marker = (String) seen.get(0);
        Look now = Look.of(seen);
        if (known != null && !known.equals(marker)) {
            String[] parts = marker.split(" ");
            last = new SharedQueue.DataLoss(last.times() + 1, (Long) seen.get(1) == 1, parts.length > 1 ? parts[1] : "",
                    parts.length > 2 ? Long.parseLong(parts[2]) : 0, before.waiting(), before.leased(), before.leasedHere(),
                    before.dead());
            LOG.log(System.Logger.Level.ERROR, "node " + node + " of the shared queue " + prefix + "*: " + last.message());
            owed = before.setAnything() ? before : null;
        }
        known = marker;
        before = now;
        if (owed != null) {
            putBack(redis);
        }
    }

    private void putBack(NodeName.Scripts redis) {
        List<String> args = new ArrayList<>(List.of(prefix, node, Integer.toString(owed.paused().size())));
        args.addAll(owed.paused());
        args.add(Integer.toString(owed.draining().size()));
        args.addAll(owed.draining());
        owed.holds().forEach((name, value) -> {
            args.add(name);
            args.add(value);
        });
        try {
            redis.run(NodeScripts.PUT_BACK, args.toArray(String[]::new));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "node " + node + " could not write back the tier modes and instance holds"
                    + " Redis lost (tried again at its next announcement): " + e.getMessage());
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "node " + node + " wrote back what Redis lost as it saw it a moment before:"
                + " tiers paused " + owed.paused() + ", draining " + owed.draining() + ", its instance holds "
                + owed.holds());
        owed = null;
    }

    /** What this process found so far. */
    SharedQueue.DataLoss last() {
        return last;
    }
}
