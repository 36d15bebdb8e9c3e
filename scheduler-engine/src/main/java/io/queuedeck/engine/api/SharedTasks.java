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
     */
    record Cluster(String node, List<Node> nodes, java.util.Map<String, TierLevel> tiers, long dead) {}

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
