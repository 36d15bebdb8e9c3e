package io.queuedeck.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import io.queuedeck.engine.task.TaskState;
import io.queuedeck.engine.task.TaskView;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Finished tasks carry their release as a label, so stable and canary can be compared in Prometheus too. */
class ReleaseMetricsTest {
    private static TaskView finished(String id, String release, TaskState state) {
        return finished(id, release, state, "chat");
    }

    private static TaskView finished(String id, String release, TaskState state, String businessClass) {
        TaskSpec spec = new TaskSpec(id, "m", "hi", 1, null, null, businessClass, null, 8, 1, null)
                .withClassification(new TaskSpec.Classification("r", release, "test"));
        return new TaskView(id, spec, state, 1, 0, 0, 0, 0, 1_000, 2_000, 500_000_000L, 1_000, 8, 8, 1, 0, null, "ok",
                List.of(new Task.Transition(null, TaskState.QUEUED, 0)));
    }

    @Test
    void finishedTasks_areCountedByRelease_withLatencyByReleaseAndClass() throws Exception {
        EngineMetrics metrics = new EngineMetrics(() -> null);
        metrics.recordFinished(finished("a", "stable", TaskState.SUCCEEDED));
        metrics.recordFinished(finished("b", "canary", TaskState.SUCCEEDED));
        metrics.recordFinished(finished("c", "canary", TaskState.TIMED_OUT));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.scrape(out);
        PromText parsed = PromText.parse(out.toString(StandardCharsets.UTF_8));

        assertThat(parsed.value("queuedeck_release_tasks_finished_total", "release", "stable", "state", "succeeded"))
                .isEqualTo(1.0);
        assertThat(parsed.value("queuedeck_release_tasks_finished_total", "release", "canary", "state", "timed_out"))
                .isEqualTo(1.0);
        assertThat(parsed.value("queuedeck_release_e2e_latency_seconds_count", "release", "canary", "business_class", "chat"))
                .isEqualTo(1.0);
    }

    @Test
    void businessClasses_getASeriesEachUpToTheCap_andTheRestCountAsOther() throws Exception {
        EngineMetrics metrics = new EngineMetrics(() -> null);
        int sent = EngineMetrics.MAX_BUSINESS_CLASSES + 1_000; // a client sending a new class with every task
        for (int i = 0; i < sent; i++) {
            metrics.recordFinished(finished("t" + i, "stable", TaskState.SUCCEEDED, "class-" + i));
        }
        metrics.recordFinished(finished("again", "stable", TaskState.SUCCEEDED, "class-0"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.scrape(out);
        String text = out.toString(StandardCharsets.UTF_8);
        PromText parsed = PromText.parse(text);

        assertThat(text.lines().filter(l -> l.startsWith("queuedeck_release_e2e_latency_seconds_count")))
                .hasSize(EngineMetrics.MAX_BUSINESS_CLASSES + 1);
        assertThat(parsed.value("queuedeck_release_e2e_latency_seconds_count", "release", "stable", "business_class", "other"))
                .isEqualTo(1_000.0);
        assertThat(parsed.value("queuedeck_release_e2e_latency_seconds_count", "release", "stable", "business_class", "class-0"))
                .isEqualTo(2.0);
    }
}
