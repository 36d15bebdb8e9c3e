package io.queuedeck.engine.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;
import java.nio.file.Path;
import java.util.List;

class RedisServerTest {
    @TempDir
    Path empty;

    /** An aborted (skipped) test would let the Redis tests pass by not running; a missing binary must fail them. */
    @Test
    void missingBinary_failsWithTheInstallLine_neverSkips() {
        assertThatThrownBy(() -> RedisServer.binary(List.of(empty.toString())))
                .isInstanceOf(IllegalStateException.class).isNotInstanceOf(TestAbortedException.class)
                .hasMessage("redis-server not found: apt-get install redis-server");
    }

    @Test
    void binaryOnThePath_isFound() {
        assertThat(RedisServer.binary(List.of(empty.toString(), "/usr/bin"))).isEqualTo("/usr/bin/redis-server");
    }
}
