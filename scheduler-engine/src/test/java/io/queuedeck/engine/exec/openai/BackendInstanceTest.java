package io.queuedeck.engine.exec.openai;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** What one backend model reports of itself in the engine's snapshot. */
class BackendInstanceTest {
    private static final long SECOND = 1_000_000_000L;

    /** Why: a time to first token measured once stayed on the GPUs screen for good, minutes after the last request. */
    @Test
    void timeToFirstToken_isShownForAMinuteAfterTheLastToken_thenNoLonger() {
        BackendState backend = new BackendState(Backend.at("http://127.0.0.1:9"), new OkHttpClient());
        BackendInstance instance = new BackendInstance(0, backend, "m");
        long now = 1_000 * SECOND;
        backend.firstTokenAfter(140_000_000L);

        backend.lastTokenAt = now - 59 * SECOND;
        assertThat(instance.status(now).backend().ttftMs()).isEqualTo(140.0);

        backend.lastTokenAt = now - 61 * SECOND;
        assertThat(instance.status(now).backend().ttftMs()).isNull();
    }

    @Test
    void rate_isTheTokensStreamedOverTheWindow_andZeroWhenNoneCame() {
        BackendInstance instance = new BackendInstance(0, new BackendState(Backend.at("http://127.0.0.1:9"), new OkHttpClient()), "m");
        instance.sampleRate(0);
        instance.streamed.add(50);

        instance.sampleRate(2 * SECOND);
        assertThat(instance.tokensPerSecond).isEqualTo(25.0);
        instance.sampleRate(3 * SECOND);
        assertThat(instance.tokensPerSecond).isZero();
    }
}
