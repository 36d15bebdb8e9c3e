package io.queuedeck.engine.task;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * What a real inference server said about a finished generation, beside its text (the task's
 * output): why it stopped, the tokens it counted, and how fast the tokens came. Simulated runs
 * have none.
 *
 * @param finishReason    the server's {@code finish_reason} ("stop", "length", ...), or null if it sent none
 * @param usage           the server's token counts, or null if it sent none
 * @param interTokenMs    mean gap between streamed tokens after the first, in milliseconds; null with fewer than two
 * @param backend         base URL of the server that produced it
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Generation(String finishReason, Usage usage, Double interTokenMs, String backend) {

    /** Token counts as the server reported them ({@code usage} in the OpenAI wire format). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Usage(Integer promptTokens, Integer completionTokens, Integer totalTokens) {}
}
