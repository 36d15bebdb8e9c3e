package io.queuedeck.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuedeck.engine.Engine;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The limits' settings: checked once, defaults taken from the heap. */
class BoundedSettingsTest {

    @Test
    void engine_maxQueuedBytes_mustBePositive_setOnce_andDefaultsToAQuarterOfTheHeap() {
        assertThatThrownBy(() -> Engine.builder().maxQueuedBytes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Engine.builder().maxQueuedBytes(1).maxQueuedBytes(2)).isInstanceOf(IllegalStateException.class);
        assertThat(Engine.builder().build().maxQueuedBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
        assertThat(Engine.builder().maxQueuedBytes(12_345).build().maxQueuedBytes()).isEqualTo(12_345);
    }

    @Test
    void inFlightCap_belowTheLargestBatch_refusesToBuild() {
        Engine engine = Engine.builder().build();
        assertThatThrownBy(() -> ApiServer.builder(engine).maxBodyBytes(1_000).maxInFlightBodyBytes(15_999).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("16 x max body bytes = 16000");
        assertThat(ApiServer.builder(engine).port(0).maxBodyBytes(1_000).maxInFlightBodyBytes(16_000).build()).isNotNull();
        assertThatThrownBy(() -> ApiServer.builder(engine).bodyTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApiServer.builder(engine).maxInFlightBodyBytes(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
