package io.queuedeck.engine.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;

/**
 * The tasks of a queue shared by several nodes (distributed mode, docs/distributed.md), as the
 * REST API reads and changes them: a task another node holds or ran is served from the shared
 * queue instead of answering 404 here. Implemented over Redis by the distributed mode's wiring.
 */
public interface SharedTasks {

    /** The task's shared record; empty when the shared queue does not know it (or it expired). */
    Optional<Shared> find(String id);

    /** This node's name: a task leased to it is answered by its own engine, which runs it. */
    String node();

    /** Changes a waiting task's priority; answers "changed" or the state that forbids it. */
    String reprioritize(String id, int priority);

    /** Puts a waiting task just before another of its tier; answers "changed", "not_beside" or the state. */
    String place(String id, String beforeId);

    /** Cancels a waiting task ("cancelled") or asks the holder of a leased one to ("cancel_requested"). */
    String cancel(String id);

    /**
     * One page of a list of the shared queue, read by rank in Redis (no scan): {@code waiting} tasks
     * (of {@code tier}, or of every tier in the order nodes claim them), {@code leased} ones by lease
     * expiry, or {@code dead} letters by when they died.
     *
     * @param tier a tier's name, or null for every tier (waiting tasks only)
     * @throws IllegalArgumentException for an unknown state or tier
     */
    Page list(String state, String tier, int offset, int limit);

    /** Every node with its instances and heartbeat age, and each tier's levels and mode across the cluster. */
    Cluster cluster();

    /**
     * Pauses, drains or reactivates a tier (by name) on every node.
     *
     * @throws IllegalArgumentException for an unknown tier
     */
    void tierMode(String tier, io.queuedeck.engine.tier.TierMode mode);

    /**
     * Returns every lease of node {@code node}, which must be gone, to the shared queue at once, each
     * as an expired lease returns (an attempt counted; dead after the last; cancelled when a cancel
     * was asked): an operator's reclaim of a dead node's leases (decision 0130).
     */
    Reclaimed reclaim(String node);

    /**
     * The answer to a reclaim.
     *
     * @param outcome        {@code reclaimed}; {@code alive} (refused: the node was heard {@code heardMillisAgo}
     *                       ago); {@code unknown} (Redis has no record and no lease of it)
     * @param requeued       tasks back in their tiers, in their old places
     * @param deadLettered   tasks whose attempt was their last
     * @param cancelled      tasks whose cancel their holder never saw
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Reclaimed(String node, String outcome, @JsonProperty("heard_ms_ago") Long heardMillisAgo, int reclaimed,
                     int requeued, @JsonProperty("dead_lettered") int deadLettered, int cancelled) {}

    /**
     * Takes one request of {@code client} from its bucket in the shared queue, so its {@code rate}
     * holds for the sum of its requests to every node; answers 0 when taken, else the whole seconds
     * until one will be.
     *
     * @throws io.queuedeck.engine.store.StoreUnavailableException when the shared queue cannot be reached
     */
    long takeRequest(String client, RateLimit rate);

    /** A page of a list: its tasks, how many the whole list holds, where the page starts. */
    record Page(List<Shared> tasks, long total, int offset) {}

    /**
     * The cluster as Redis records it.
     *
     * @param node  the node answering
     * @param tiers each served tier's levels by name, most urgent first
     * @param dead  dead letters
     * @param dataLoss what the answering node found of Redis losing the queue's data; absent while nothing
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Cluster(String node, List<Node> nodes, java.util.Map<String, TierLevel> tiers, long dead,
                   @JsonProperty("data_loss") DataLoss dataLoss) {}

    /**
     * Redis lost the shared queue's data, as the answering node found it (decision 0130): the last time,
     * and how often since it started. Counts are the queue's at the node's look before.
     *
     * @param markerGone the marker was gone and this node wrote it again (else another node had, or it reaches another Redis)
     * @param writtenBy  the node that wrote the marker in effect since
     * @param writtenAt  when (ISO-8601, Redis's time)
     * @param message    what it means, in a sentence an operator acts on (as the node logged it)
     */
    record DataLoss(long times, @JsonProperty("marker_gone") boolean markerGone, @JsonProperty("written_by") String writtenBy,
                    @JsonProperty("written_at") String writtenAt, long waiting, long leased,
                    @JsonProperty("leased_here") long leasedHere, long dead, String message) {}

    /**
     * A node as it last announced itself.
     *
     * @param instances its instances as it announced them ({@code id}, {@code model}, {@code state}, {@code running}, {@code batch})
     */
    record Node(String name, @JsonProperty("heartbeat_age_ms") long heartbeatAgeMs,
                com.fasterxml.jackson.databind.JsonNode instances) {}

    /** A tier across the cluster: waiting and leased tasks, and its mode (active, paused, draining). */
    record TierLevel(long waiting, long leased, String mode) {}

    /**
     * A task as the shared queue records it.
     *
     * @param state           waiting, leased, succeeded, failed, cancelled or dead
     * @param node            the node holding it (leased) or that held it last
     * @param cancelRequested a cancel waits for its holder's next heartbeat
     * @param priorityRule    the priority rule that chose its priority where it arrived, {@code explicit} when
     *                        its client gave it (decision 0121); null for a record queued without
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Shared(@JsonProperty("task_id") String taskId, String state, int priority, String model, String tenant,
                  String node, @JsonProperty("finished_by") String finishedBy, String detail, int attempts,
                  int deliveries, @JsonProperty("cancel_requested") Boolean cancelRequested,
                  @JsonProperty("priority_rule") String priorityRule) {
        /** Served by the shared queue, not by one node's engine. */
        @JsonProperty("source")
        public String source() {
            return "shared_queue";
        }
    }
}
