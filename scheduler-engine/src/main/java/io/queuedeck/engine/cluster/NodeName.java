package io.queuedeck.engine.cluster;

import java.util.List;
import java.util.UUID;

/**
 * A node's name as one process's own in the shared queue (decision 0115): two live processes never
 * run as one node, sharing its processing set and its heartbeat unseen. The name is claimed at start,
 * given up at a clean stop, and passes to a new process only once the one that held it was silent
 * for two of its announcement periods and a second (it was killed, or stalled that long).
 */
final class NodeName {
    private static final System.Logger LOG = System.getLogger(NodeName.class.getName());
    private static final long POLL_MILLIS = 50;

    private final String prefix;
    private final String node;
    /** "INCARNATION PERIOD_MS": which process holds the name, and how often it announces itself. */
    private final String claim;
    private volatile boolean displaced;

    /** Runs one of {@link QueueScripts} and answers its list (the queue's connection; Lettuce stays in the queue). */
    interface Scripts {
        List<Object> run(String script, String... args);
    }

    NodeName(String prefix, String node, long announceMillis) {
        this.prefix = prefix;
        this.node = node;
        this.claim = UUID.randomUUID() + " " + announceMillis;
    }

    /**
     * Makes the name this process's; while another process holds it, waits (at most its silence
     * limit: 3 s, 15 s while that one starts) to learn whether that one is alive.
     *
     * @throws NodeNameTakenException when another live process runs as this node
     */
    void claim(Scripts redis) {
        long firstHeard = -1;
        while (true) {
            List<Object> heard = redis.run(NodeScripts.CLAIM_NAME, prefix, node, claim,
                    Long.toString(NodeScripts.STARTING_MILLIS));
            if (heard.isEmpty()) {
                return;
            }
            long at = (Long) heard.get(0);
            if (firstHeard == -1) {
                firstHeard = at;
                LOG.log(System.Logger.Level.INFO, "node name {0} was last heard {1} ms ago from another process;"
                        + " waiting to learn whether it is still running", node, heard.get(1));
            } else if (at != firstHeard) { // it announced itself again: alive
                throw new NodeNameTakenException("node name " + node + " is taken: another process runs as node " + node
                        + " on the shared queue " + prefix + " (heard " + heard.get(1) + " ms ago); give this one its own --node");
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalArgumentException("interrupted while waiting for node name " + node + " to be free");
            }
        }
    }

    /**
     * Announces the node ({@code detail}: its instances), {@code seeing} the arguments of what it sees
     * of the queue ({@link NodeScripts#ANNOUNCE}); answers {the tier table Redis holds, '' or the claim
     * of the process that took the name over, what it saw}.
     */
    List<Object> announce(Scripts redis, String detail, String table, String... seeing) {
        String[] args = new String[5 + seeing.length];
        args[0] = prefix;
        args[1] = node;
        args[2] = detail;
        args[3] = table;
        args[4] = claim;
        System.arraycopy(seeing, 0, args, 5, seeing.length);
        List<Object> answer = redis.run(NodeScripts.ANNOUNCE, args);
        boolean taken = !"".equals(answer.get(1));
        if (taken && !displaced) {
            LOG.log(System.Logger.Level.ERROR, "node name {0} is now another process''s: it claimed the name while this"
                    + " one was silent for longer than its announcements allow; this process is no longer seen as node {0}"
                    + " (stop one of the two)", node);
        }
        displaced = taken;
        return answer;
    }

    /** Takes the node out of the cluster view, unless another process holds the name by now. */
    void leave(Scripts redis) {
        redis.run(NodeScripts.LEAVE, prefix, node, claim);
    }
}
