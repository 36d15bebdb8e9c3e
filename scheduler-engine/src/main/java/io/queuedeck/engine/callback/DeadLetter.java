package io.queuedeck.engine.callback;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;

/**
 * A result callback that could not be delivered: kept for an operator to inspect and replay.
 *
 * @param taskId    the task whose result it carries
 * @param url       where it was going, without user info and with secret-looking query values as {@code ***}
 * @param attempts  attempts made
 * @param lastError what the last attempt got ("HTTP 400", "connection refused", ...)
 * @param failedAt  when it gave up
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DeadLetter(String taskId, String url, int attempts, String lastError, Instant failedAt) {}
