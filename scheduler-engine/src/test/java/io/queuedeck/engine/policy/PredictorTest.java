package io.queuedeck.engine.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.queuedeck.engine.task.TaskSpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PredictorTest {
    private static final int N = 2_000;

    private static TaskSpec spec(String id, int prompt, String businessClass) {
        return new TaskSpec(id, "m", "x", 5, null, null, businessClass, null, null, prompt, null);
    }

    /** Log-normal true lengths (median 130, σ 0.66: the chat mix), and the predictor's guesses after it has seen them all once. */
    private static double realisedTau(Predictor predictor) {
        SplittableRandom random = new SplittableRandom(7);
        int[] truth = new int[N];
        for (int i = 0; i < N; i++) {
            double z = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
            truth[i] = (int) Math.max(1, Math.round(130 * Math.exp(0.66 * z)));
            predictor.learn(spec("t" + i, 100, null), truth[i]);
        }
        double[] guess = new double[N];
        double[] actual = new double[N];
        for (int i = 0; i < N; i++) {
            guess[i] = predictor.predict("t" + i, spec("t" + i, 100, null), truth[i]);
            actual[i] = truth[i];
        }
        return Predictor.kendallTau(guess, actual);
    }

    @Test
    void rank_realisesTheAskedKendallTau_withinAFewHundredths() {
        assertThat(realisedTau(Predictor.parse("rank:0.56", 1))).isCloseTo(0.56, within(0.04));
        assertThat(realisedTau(Predictor.parse("rank:0.3", 1))).isCloseTo(0.3, within(0.04));
    }

    @Test
    void oracleIsPerfect_constantCarriesNoOrder_noisyIsInBetween() {
        assertThat(realisedTau(Predictor.parse("oracle", 1))).isEqualTo(1.0);
        assertThat(realisedTau(Predictor.parse("constant", 1))).isEqualTo(0.0);
        assertThat(realisedTau(Predictor.parse("noisy:0.5", 1))).isBetween(0.4, 0.9);
    }

    @Test
    void noise_isFixedBySeedAndId_soEveryPolicyAndEveryAskSeesTheSamePrediction() {
        Predictor a = Predictor.parse("noisy:1", 3), b = Predictor.parse("noisy:1", 3), c = Predictor.parse("noisy:1", 4);
        TaskSpec spec = spec("t1", 10, null);
        assertThat(a.predict("t1", spec, 100)).isEqualTo(b.predict("t1", spec, 100)).isEqualTo(a.predict("t1", spec, 100));
        assertThat(a.predict("t1", spec, 100)).isNotEqualTo(c.predict("t1", spec, 100));
    }

    /** Why: the "code" class answers in 10 tokens and "chat" in 300; learning the class is worth knowing. */
    @Test
    void learned_picksUpTheLengthOfEachBusinessClass_afterEnoughFinishedTasks() {
        Predictor learned = Predictor.parse("learned", 1);
        assertThat(learned.predict("x", spec("x", 100, "code"), 10)).isEqualTo(128); // nothing learned yet
        for (int i = 0; i < Predictor.MIN_SAMPLES; i++) {
            learned.learn(spec("c" + i, 100, "code"), 10);
            learned.learn(spec("h" + i, 100, "chat"), 300);
        }
        assertThat(learned.predict("y", spec("y", 100, "code"), 0)).isCloseTo(10, within(0.01));
        assertThat(learned.predict("z", spec("z", 100, "chat"), 0)).isCloseTo(300, within(0.01));
        assertThat(learned.needsTruth()).isFalse();
        assertThat(Predictor.parse("rank:0.5", 1).needsTruth()).isTrue();
    }

    @Test
    void parse_refusesUnknownKindsAndValuesOutOfRange() {
        assertThatThrownBy(() -> Predictor.parse("psychic", 1)).hasMessageContaining("predictor must be mean");
        assertThatThrownBy(() -> Predictor.parse("rank:2", 1)).hasMessageContaining("[-1.0, 1.0]");
        assertThatThrownBy(() -> Predictor.parse("noisy", 1)).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> Predictor.parse("oracle:1", 1)).hasMessageContaining("takes no argument");
    }
}
