package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.task.TaskState;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The submission's answer is written by hand: it must be exactly what Jackson writes for the record. */
class AcceptedJsonTest {
    @ParameterizedTest
    @ValueSource(strings = {"t-1", "quote\"back\\slash/", "tab\tnew\nline\u0001", "é ü 日本", "emoji 🚀", ""})
    void accepted_anyId_isByteForByteJacksonsAnswer(String id) {
        for (TaskState state : TaskState.values()) {
            byte[] byHand = Json.accepted(id, state);
            assertThat(new String(byHand, StandardCharsets.UTF_8))
                    .isEqualTo(new String(Json.write(new Routes.Accepted(id, state)), StandardCharsets.UTF_8));
        }
    }
}
