package io.queuedeck.engine.store;

import io.queuedeck.engine.task.Generation;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import java.time.Instant;
import java.util.Objects;

/**
 * The durable record of one task: what recovery needs to put it back where it was.
 *
 * @param spec         the validated spec as accepted (its deadline, tenant, callback and input)
 * @param state        the state when last written
 * @param priority     its own priority (not one borrowed through priority inheritance)
 * @param sequence     submission order
 * @param rank         its place within its lane
 * @param outputTokens tokens it generates on a simulated GPU
 * @param attempts     attempts started so far
 * @param error        the last failure, or null
 * @param output       the result of a succeeded task, or null
 * @param expiresAt    when the record may be forgotten (a finished task kept for idempotency);
 *                     null while it must be kept (active tasks, dead letters)
 * @param handedOn     for a finished task: whether its final view has reached the completion
 *                     feed's listeners durably (its callback recorded); if not, a restart hands it on again
 * @param arrivedAt    when it was accepted, so that its age, wait and latency go on across a
 *                     restart; null in records written before it was kept (recovery then counts
 *                     from the restart)
 * @param generatedTokens for a finished task, the tokens it generated (a real backend's count, which
 *                     is not {@code outputTokens}); null in records written before it was kept
 * @param generation   for a finished task, what its backend said of the generation (finish reason,
 *                     usage, pace, which server); null for simulated runs and in older records
 */
public record StoredTask(String id, TaskSpec spec, TaskState state, int priority, long sequence, long rank,
                         int outputTokens, int attempts, String error, String output, Instant expiresAt,
                         boolean handedOn, Instant arrivedAt, Integer generatedTokens, Generation generation) {
    public StoredTask {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(state, "state");
    }

    /** The same record, handed on. */
    public StoredTask withHandedOn() {
        return new StoredTask(id, spec, state, priority, sequence, rank, outputTokens, attempts, error, output, expiresAt,
                true, arrivedAt, generatedTokens, generation);
    }

    /** Whether the record has expired at {@code now}. */
    public boolean expired(Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }
}
