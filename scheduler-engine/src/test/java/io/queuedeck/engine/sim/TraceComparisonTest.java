package io.queuedeck.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceComparisonTest {

    @Test
    void newComparison_unknownPolicy_refusedNamingTheKnownOnes() {
        assertThatThrownBy(() -> new TraceComparison("azure-code-2023.csv", 0.9, 1, "keep", List.of("fifo", "lottery")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown policy 'lottery'")
                .hasMessageContaining("fifo");
    }

    @Test
    void newComparison_loadOutOfRangeOrBadRule_refusedSayingWhy() {
        assertThatThrownBy(() -> new TraceComparison("azure-code-2023.csv", 0, 1, "keep", List.of("fifo")))
                .hasMessage("the load must be in (0, 10], got 0.0");
        assertThatThrownBy(() -> new TraceComparison("azure-code-2023.csv", 0.9, 1, "urgent", List.of("fifo")))
                .hasMessageContaining("keep, prompt or mix");
    }

    @Test
    void newComparison_gpusTenantsOrDeadlinesOutOfRange_refusedSayingWhy() {
        assertThatThrownBy(() -> new TraceComparison("azure-code-2023.csv", 0.9, 1, "keep", List.of("fifo"), 0, "h100", 0, "none"))
                .hasMessage("the instances must be 1 to 10000, got 0");
        assertThatThrownBy(() -> new TraceComparison("azure-code-2023.csv", 0.9, 1, "keep", List.of("fifo"), 4, "v100", 0, "none"))
                .hasMessage("the GPU must be one of h100, a100, got 'v100'");
        assertThatThrownBy(() -> new TraceComparison("azure-code-2023.csv", 0.9, 1, "keep", List.of("fifo"), 4, "h100", -1, "none"))
                .hasMessageContaining("tenants must not be negative");
        assertThatThrownBy(() -> new TraceComparison("azure-code-2023.csv", 0.9, 1, "keep", List.of("fifo"), 4, "h100", 0, "0=soon"))
                .hasMessageContaining("--deadlines must be none or P=SECONDS");
    }

    @Test
    void run_malformedTrace_formatErrorNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.csv"), "arrival_ms,prompt_tokens,output_tokens\n0,10,5\n5,ten,5\n");

        TraceComparison comparison = new TraceComparison(bad.toString(), 0.9, 1, "keep", List.of("fifo"));

        assertThatThrownBy(() -> comparison.run(Runnable::run, () -> false, done -> {}))
                .isInstanceOf(TraceFormatException.class).hasMessageContaining("bad.csv:3");
    }

    @Test
    void run_stopAsked_givesUpWithinTheFirstRun() {
        // the whole conversation trace would take seconds per policy: a stop asked once the run is under way ends it
        AtomicInteger asked = new AtomicInteger();
        List<Integer> finished = new ArrayList<>();
        TraceComparison comparison = new TraceComparison("azure-conv-2023.csv", 0.9, 1, "keep", List.of("fifo", "mlfq"));

        assertThatThrownBy(() -> comparison.run(Runnable::run, () -> asked.incrementAndGet() > 3, finished::add))
                .isInstanceOf(CancellationException.class).hasMessage("the simulation of fifo was stopped");
        assertThat(finished).as("no run finished: the first gave up, the second never started").isEmpty();
    }
}
