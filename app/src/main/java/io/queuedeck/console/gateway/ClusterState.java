package io.queuedeck.console.gateway;

import io.queuedeck.engine.cluster.SharedQueue;
import java.util.List;

/**
 * The shared queue as the console last read it from Redis: every node with its instances and
 * heartbeat age, each tier's levels across the cluster, the best waiting tasks per tier and the
 * dead letters.
 *
 * @param node      this console's node name
 * @param queue     the shared queue's name
 * @param error     why the last read failed (Redis unreachable), else null; the rest is then the last good read
 * @param waiting   the first waiting tasks of each served tier, best first, one list per tier
 * @param dataLoss  what this node found of Redis losing the queue's data (decision 0130), or null
 */
public record ClusterState(String node, String queue, String redisUri, String error, List<NodeRow> nodes,
                           List<SharedQueue.TierLevel> tiers, long dead, List<List<SharedQueue.Listed>> waiting,
                           List<SharedQueue.Listed> deadTasks, String dataLoss) {

    /** Before the first read. */
    static ClusterState empty(String node, String queue, String redisUri) {
        return new ClusterState(node, queue, redisUri, null, List.of(), List.of(), 0, List.of(), List.of(), null);
    }

    /**
     * A node as it last announced itself.
     *
     * @param ageMillis   since Redis last heard from it
     * @param instances   its GPUs or inference servers
     * @param running     tasks running on them
     * @param batch       their batch slots
     * @param states      its instances' states, e.g. "2 healthy, 1 crashed"
     */
    public record NodeRow(String name, long ageMillis, int instances, int running, int batch, String states) {}
}
