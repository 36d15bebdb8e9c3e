package io.queuedeck.engine.exec.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.queuedeck.engine.task.Generation;
import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;

/**
 * Chunked generation (decision 0027): a task asks its backend for at most a quantum's tokens at a
 * time, so MLFQ-style policies get a step boundary to demote or preempt at, which a remote request
 * does not otherwise have. The text so far lives in the task's output between chunks; the next
 * chunk sends the prompt plus that text (cheap on servers with prefix caching), and the final
 * output is the concatenation. Loop thread only.
 */
final class ChunkedGeneration {
    private final int quantumTokens;

    ChunkedGeneration(int quantumTokens) {
        if (quantumTokens < 1) {
            throw new IllegalArgumentException("chunk quantum must be at least 1 token, got " + quantumTokens);
        }
        this.quantumTokens = quantumTokens;
    }

    /** The next chunk's request body for {@code task}; fills in what {@code attempt} needs to join the chunks. */
    byte[] request(Task task, StreamAttempt attempt, String priorityField) throws JsonProcessingException {
        TaskSpec spec = task.spec();
        if (!OpenAiInput.chunkable(spec)) {
            return OpenAiInput.body(spec, task.priority(), priorityField);
        }
        String sofar = task.generatedTokens() > 0 && task.output() != null ? task.output() : "";
        int before = sofar.isEmpty() ? 0 : task.generatedTokens();
        if (sofar.isEmpty() && task.generatedTokens() > 0) {
            rewind(task, 0); // tokens of an attempt cut short before its chunk ended: its text was not kept
        }
        Integer limit = OpenAiInput.tokenLimit(spec);
        int ask = limit == null ? quantumTokens : Math.max(1, Math.min(quantumTokens, limit - before));
        attempt.tokensBefore = before;
        attempt.textBefore = sofar;
        attempt.chunkLimit = ask;
        attempt.tokenLimit = limit;
        return OpenAiInput.chunk(spec, task.priority(), priorityField, sofar, ask);
    }

    /**
     * Whether the task goes on after this chunk: the server stopped because of the chunk's limit
     * ({@code length} at the tokens asked for), not because the answer ended or the task's own
     * limit was reached.
     */
    boolean more(StreamAttempt attempt, StreamAttempt.Outcome.Success chunk) {
        return continues(attempt, chunk);
    }

    /** {@link #more}, for the stream's thread: reads only what the attempt was given before it started. */
    static boolean continues(StreamAttempt attempt, StreamAttempt.Outcome.Success chunk) {
        return attempt.chunkLimit > 0 && "length".equals(chunk.generation().finishReason()) && chunk.tokens() >= attempt.chunkLimit
                && (attempt.tokenLimit == null || attempt.tokensBefore + chunk.tokens() < attempt.tokenLimit);
    }

    /**
     * The whole generation after its last chunk: the last chunk's finish reason and pace, and the
     * tokens counted over every chunk (the prompt as it was before the first chunk's text was added,
     * as far as the server's count allows).
     */
    static Generation whole(StreamAttempt attempt, StreamAttempt.Outcome.Success last) {
        Generation g = last.generation();
        int completion = attempt.tokensBefore + last.tokens();
        Generation.Usage usage = null;
        if (g.usage() != null) {
            Integer prompt = g.usage().promptTokens() == null ? null : Math.max(0, g.usage().promptTokens() - attempt.tokensBefore);
            usage = new Generation.Usage(prompt, completion, prompt == null ? null : prompt + completion);
        }
        return new Generation(g.finishReason(), usage, g.interTokenMs(), g.backend());
    }

    /** Sets the task's token count back to {@code tokens} (the first-token time stays). */
    static void rewind(Task task, int tokens) {
        if (task.generatedTokens() == tokens) {
            return;
        }
        task.discardOutput();
        for (int i = 0; i < tokens; i++) {
            task.addToken(task.firstTokenAt());
        }
    }
}
