package io.queuedeck.engine.exec.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.task.Generation;
import org.junit.jupiter.api.Test;

class StreamChunkTest {

    @Test
    void usage_isReadAsTheBackendSentIt() throws Exception {
        StreamChunk chunk = StreamChunk.parse("{\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,"
                + "\"total_tokens\":10}}", true);

        assertThat(chunk.usage()).isEqualTo(new Generation.Usage(7, 3, 10));
    }

    /** A negative count was stored on the task, reported and summed as if it were one. */
    @Test
    void countsBelowZero_orNotWhole_areNoCounts() throws Exception {
        StreamChunk chunk = StreamChunk.parse("{\"choices\":[],\"usage\":{\"prompt_tokens\":-7,\"completion_tokens\":-1,"
                + "\"total_tokens\":2.5}}", true);

        assertThat(chunk.usage()).isEqualTo(new Generation.Usage(null, null, null));
    }
}
