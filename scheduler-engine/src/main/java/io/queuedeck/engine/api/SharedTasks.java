package io.queuedeck.engine.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
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
     * A task as the shared queue records it.
     *
     * @param state           waiting, leased, succeeded, failed, cancelled or dead
     * @param node            the node holding it (leased) or that held it last
     * @param cancelRequested a cancel waits for its holder's next heartbeat
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Shared(@JsonProperty("task_id") String taskId, String state, int priority, String model, String tenant,
                  String node, @JsonProperty("finished_by") String finishedBy, String detail, int attempts,
                  int deliveries, @JsonProperty("cancel_requested") Boolean cancelRequested) {
        /** Served by the shared queue, not by one node's engine. */
        @JsonProperty("source")
        public String source() {
            return "shared_queue";
        }
    }
}
