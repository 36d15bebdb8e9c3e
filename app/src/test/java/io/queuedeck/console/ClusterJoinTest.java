package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuedeck.engine.cluster.NodeNameTakenException;
import org.junit.jupiter.api.Test;

class ClusterJoinTest {
    @Test
    void refusal_namesTheOptionToChange() {
        assertThat(ClusterJoin.refusal(new NodeNameTakenException("node name gpu-a is taken: …")))
                .isEqualTo("--node: node name gpu-a is taken: …");
        assertThat(ClusterJoin.refusal(new IllegalArgumentException("cannot reach Redis at 127.0.0.1:1: refused")))
                .isEqualTo("--redis: cannot reach Redis at 127.0.0.1:1: refused");
    }
}
