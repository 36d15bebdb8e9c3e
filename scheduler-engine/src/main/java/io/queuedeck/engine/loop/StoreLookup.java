package io.queuedeck.engine.loop;

import io.queuedeck.engine.store.StoredTask;
import java.util.function.Function;

/**
 * A command's answer that needs a finished task's record from the store first. The loop never
 * reads the store: {@link LoopDriver} looks the id up on the store writer's thread and then runs
 * {@code resume} on the loop with the record found (null if none), whose result is the answer.
 */
record StoreLookup(String taskId, Function<StoredTask, Object> resume) {}
