package io.queuedeck.engine.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.task.Task;
import io.queuedeck.engine.task.TaskSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GittinsPolicyTest {

    private static Task task(String id, int output) {
        return new Task(new TaskSpec(id, "m", "x", 5, null, null, null, null, null, 10, null), 0, output, 0);
    }

    /**
     * Why: half the answers are 10 tokens and half 1,000 (as the policy has learned). A fresh task
     * may be short, so its index is high; one that has already produced 20 tokens is surely long,
     * and a fresh task goes before it, although it has less left than the 1,000 a fresh long one has.
     */
    @Test
    void bimodalLengths_aFreshTaskOutranksOneThatHasShownItIsLong() {
        GittinsPolicy policy = new GittinsPolicy(PolicyConfig.of(Map.of("predictor", "constant:100")));
        for (int i = 0; i < 20; i++) {
            Task done = task("d" + i, i % 2 == 0 ? 10 : 1000);
            for (int t = 0; t < done.outputTokens(); t++) {
                done.addToken(0);
            }
            policy.onCompleted(done, 0);
        }
        Task fresh = task("fresh", 1000);
        Task provenLong = task("long", 1000);
        for (int t = 0; t < 20; t++) {
            provenLong.addToken(0);
        }
        assertThat(policy.index(fresh)).isGreaterThan(policy.index(provenLong));
    }

    @Test
    void beforeItHasLearned_itIsShortestPredictedJobFirst() {
        GittinsPolicy policy = new GittinsPolicy(PolicyConfig.of(Map.of("predictor", "oracle")));
        assertThat(policy.index(task("short", 10))).isGreaterThan(policy.index(task("long", 500)));
        assertThat(policy.simulationOnly()).isTrue();
    }
}
