package io.queuedeck.engine.bench;

import io.queuedeck.engine.task.TaskSpec;
import java.util.SplittableRandom;

/**
 * The task mix every scheduler benchmark submits: priority uniform over 0..9 and prompt length
 * one of 64, 256, 1,024 or 4,096 tokens (so MLFQ's skip-join spreads tasks over its levels),
 * drawn from a fixed seed. Specs are complete and valid, as the loop expects after admission.
 *
 * <p>Ids are {@code "t<n>"} from a counter: every submission needs a fresh id, and this is about
 * the cheapest honest way to make one (the engine's default is a random UUID, which costs more;
 * {@link SpecCostBench} measures what making a spec costs on its own).
 */
final class Workload {
    static final int[] PROMPT_TOKENS = {64, 256, 1_024, 4_096};
    private static final int MIX = 1 << 16;

    private final TaskSpec[] templates = new TaskSpec[(TaskSpec.MAX_PRIORITY + 1) * PROMPT_TOKENS.length];
    private final TaskSpec[] mix = new TaskSpec[MIX];
    private long next;

    Workload(long seed) {
        for (int p = 0; p <= TaskSpec.MAX_PRIORITY; p++) {
            for (int t = 0; t < PROMPT_TOKENS.length; t++) {
                templates[p * PROMPT_TOKENS.length + t] = new TaskSpec(null, InstantExecutor.MODEL, "x", p, null, null,
                        null, null, 16, PROMPT_TOKENS[t], null);
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < MIX; i++) {
            mix[i] = templates[random.nextInt(templates.length)];
        }
    }

    /** The next spec without an id (for an engine with an id supplier, or raw tasks). */
    TaskSpec nextTemplate() {
        return mix[(int) (next++ & (MIX - 1))];
    }

    /** The next spec with a fresh id. */
    TaskSpec nextSpec() {
        long n = next;
        return nextTemplate().withTaskId("t" + n);
    }
}
