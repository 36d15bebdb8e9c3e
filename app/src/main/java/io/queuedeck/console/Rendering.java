package io.queuedeck.console;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Picks JavaFX's software renderer on a Linux machine without a GPU device (a virtual X server,
 * a VM, a remote desktop). JavaFX tries OpenGL first there, loads Mesa's software GL (with LLVM:
 * about 0.3 s and 60 MB of mapped libraries that stay mapped), refuses it as a software renderer
 * and falls back to its own: going there first starts the window sooner and leaves the memory
 * alone. A user's {@code -Dprism.order} wins; machines with a GPU are not touched.
 */
final class Rendering {
    static final String ORDER = "prism.order";

    private Rendering() {
    }

    static void choose() {
        if (System.getProperty(ORDER) == null && System.getProperty("os.name", "").startsWith("Linux")
                && !hasGpuDevice(Path.of("/dev"))) {
            System.setProperty(ORDER, "sw");
        }
    }

    /** A DRM device (Mesa, AMD, Intel, nouveau, nvidia-drm) or NVIDIA's own. */
    static boolean hasGpuDevice(Path dev) {
        return Files.isDirectory(dev.resolve("dri")) || Files.exists(dev.resolve("nvidiactl"));
    }
}
