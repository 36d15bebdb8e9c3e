package io.queuedeck.engine.cluster;

import java.util.List;
import java.util.UUID;

/**
 * The shared queue's marker in Redis, as one node remembers it (decision 0130). The marker is
 * written when the queue is first seen and goes only with the queue's keys: the node reads it again
 * at each announcement (the round trip it makes every third of its lease, at least once a second),
 * with the queue's sizes. Found gone (this node wrote it again) or another, Redis lost the queue's
 * data since the node's previous look: the node says so once, loudly, with what the queue held at
 * that look, and carries on with the new marker.
 */
final class QueueEpoch {
    private static final System.Logger LOG = System.getLogger(QueueEpoch.class.getName());

    private final String prefix;
    private final String node;
    private final String[] served;
    /** The marker as this node last saw it; null before its first look. */
    private String known;
    /** The queue's sizes at that look: waiting, leased, dead, leased to this node. */
    private long[] sizes = new long[4];
    private volatile SharedQueue.DataLoss last = SharedQueue.DataLoss.NONE;

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
        saw(redis.run(NodeScripts.EPOCH, args));
    }

    /** The arguments of a look that follow a script's own: a fresh marker id (written only where none is), the served tiers. */
    String[] asking() {
        String[] args = new String[1 + served.length];
        args[0] = UUID.randomUUID().toString();
        System.arraycopy(served, 0, args, 1, served.length);
        return args;
    }

    /** What one look answered: {the marker, 1 when it wrote it, waiting, leased, dead, leased to this node}. */
    synchronized void saw(List<?> seen) {
        String marker = (String) seen.get(0);
        long[] now = {(Long) seen.get(2), (Long) seen.get(3), (Long) seen.get(4), (Long) seen.get(5)};
        if (known != null && !known.equals(marker)) {
            String[] parts = marker.split(" ");
            last = new SharedQueue.DataLoss(last.times() + 1, (Long) seen.get(1) == 1, parts.length > 1 ? parts[1] : "",
                    parts.length > 2 ? Long.parseLong(parts[2]) : 0, sizes[0], sizes[1], sizes[3], sizes[2]);
            LOG.log(System.Logger.Level.ERROR, "node " + node + " of the shared queue " + prefix + "*: " + last.message());
        }
        known = marker;
        sizes = now;
    }

    /** What this process found so far. */
    SharedQueue.DataLoss last() {
        return last;
    }
}
