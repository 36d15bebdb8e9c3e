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

    @Test
    void reasoningAndToolCalls_areWork_emptyOnesAreNot() throws Exception {
        assertThat(StreamChunk.parse("{\"choices\":[{\"delta\":{\"reasoning_content\":\"hmm\"}}]}", true).working()).isTrue();
        assertThat(StreamChunk.parse("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0}]}}]}", true).working()).isTrue();
        // as some servers send them beside every piece of text: no sign of work, nor the end of a first-token wait
        StreamChunk plain = StreamChunk.parse("{\"choices\":[{\"delta\":{\"tool_calls\":[],\"reasoning_content\":\"\","
                + "\"content\":\"hi\"}}]}", true);
        assertThat(plain.working()).isFalse();
        assertThat(plain.piece()).isEqualTo("hi");
    }

    /** A backend's choice 7 first in the array was taken as the answer ("c0idx7": two choices mixed). */
    @Test
    void theAnswer_isChoiceZero_whereverItStandsInTheArray() throws Exception {
        StreamChunk other = StreamChunk.parse("{\"choices\":[{\"index\":7,\"delta\":{\"content\":\"idx7\"}}]}", true);
        assertThat(other.hasChoices()).isTrue();
        assertThat(other.piece()).isNull();

        StreamChunk both = StreamChunk.parse("{\"choices\":[{\"index\":1,\"text\":\"b\"},{\"text\":\"a\",\"index\":0,"
                + "\"finish_reason\":\"stop\"}]}", false);
        assertThat(both.piece()).isEqualTo("a");
        assertThat(both.finishReason()).isEqualTo("stop");
        assertThat(StreamChunk.parse("{\"choices\":[{\"text\":\"no index\"}]}", false).piece()).isEqualTo("no index");
    }
}
