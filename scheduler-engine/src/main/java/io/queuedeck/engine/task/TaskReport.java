package io.queuedeck.engine.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * A task as clients see it (snake_case JSON): what {@code GET /v1/tasks/{id}} answers and what a
 * result callback posts. Times are wall-clock instants; durations are milliseconds.
 *
 * @param taskId          the task's id
 * @param state           its lifecycle state
 * @param priority        its priority now (0 most urgent)
 * @param model           the model that serves it
 * @param tenant          who submitted it, when given
 * @param businessClass   its business class, when given
 * @param metadata        client key/value pairs, as submitted
 * @param attempts        runs started so far
 * @param preemptions     times it gave up its GPU slot
 * @param promptTokens    prompt length in tokens
 * @param generatedTokens tokens generated so far
 * @param output          the executor's text, once it succeeded
 * @param error           why its last attempt failed, if it did
 * @param submittedAt     when it arrived
 * @param startedAt       when it first ran
 * @param firstTokenAt    when its first token came
 * @param finishedAt      when it reached its final state
 * @param queueWaitMs     time spent waiting for a GPU
 * @param ttftMs          time to first token
 * @param e2eMs           arrival to final state
 * @param finishReason    why a real inference server stopped generating ("stop", "length", ...)
 * @param usage           the token counts that server reported
 * @param interTokenMs    mean gap between its streamed tokens
 * @param backend         base URL of the server that ran it
 * @param priorityRule    the priority rule that classified it ({@code explicit}, {@code default} or a rule's name)
 * @param release         {@code stable}, or {@code canary} when a candidate config classified it
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskReport(
        String taskId,
        TaskState state,
        int priority,
        String model,
        String tenant,
        String businessClass,
        Map<String, String> metadata,
        int attempts,
        int preemptions,
        Integer promptTokens,
        int generatedTokens,
        String output,
        String error,
        Instant submittedAt,
        Instant startedAt,
        Instant firstTokenAt,
        Instant finishedAt,
        double queueWaitMs,
        Double ttftMs,
        Double e2eMs,
        String finishReason,
        Generation.Usage usage,
        Double interTokenMs,
        String backend,
        String priorityRule,
        String release) {

    /**
     * The report of {@code view}.
     *
     * @param toInstant turns an engine-clock reading into a wall-clock instant (the engine clock's own conversion)
     */
    public static TaskReport of(TaskView view, LongFunction<Instant> toInstant) {
        TaskSpec spec = view.spec();
        Generation generation = view.generation();
        return new TaskReport(view.id(), view.state(), view.priority(), spec.model(), spec.tenant(),
                spec.businessClass(), spec.metadata(), view.attempts(), view.preemptions(), spec.promptTokens(),
                view.generatedTokens(), view.output(), view.error(),
                toInstant.apply(view.arrivedAt()), instant(view.firstDispatchAt(), toInstant),
                instant(view.firstTokenAt(), toInstant), instant(view.finishedAt(), toInstant),
                view.waitedNanos() / 1e6,
                view.firstTokenAt() == NOT_YET ? null : (view.firstTokenAt() - view.arrivedAt()) / 1e6,
                view.finishedAt() == NOT_YET ? null : (view.finishedAt() - view.arrivedAt()) / 1e6,
                generation == null ? null : generation.finishReason(), generation == null ? null : generation.usage(),
                generation == null ? null : generation.interTokenMs(), generation == null ? null : generation.backend(),
                spec.classification() == null ? null : spec.classification().rule(),
                spec.classification() == null ? null : spec.classification().release());
    }

    /** {@link TaskView}'s "not yet"; any other reading, before this process started too, is a time. */
    private static final long NOT_YET = -1;

    private static Instant instant(long clockNanos, LongFunction<Instant> toInstant) {
        return clockNanos == NOT_YET ? null : toInstant.apply(clockNanos);
    }
}
