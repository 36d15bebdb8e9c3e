package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderingTest {

    @Test
    void hasGpuDevice_driOrNvidia_yes_neither_no(@TempDir Path dev) throws IOException {
        assertThat(Rendering.hasGpuDevice(dev)).isFalse();
        Files.createFile(dev.resolve("nvidiactl"));
        assertThat(Rendering.hasGpuDevice(dev)).isTrue();
        Files.delete(dev.resolve("nvidiactl"));
        Files.createDirectory(dev.resolve("dri"));
        assertThat(Rendering.hasGpuDevice(dev)).isTrue();
    }
}
