package io.queuedeck.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryTuningTest {
    private static final long MB = 1L << 20;

    @Test
    void flags_areManageableOnThisJvm() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        for (String name : MemoryTuning.FLAGS.keySet()) {
            assertThat(vm.getVMOption(name).isWriteable()).as(name + " writeable at run time").isTrue();
        }
    }

    @Test
    void overgrown_onlyAboveTheFloorAndTwiceTheLiveSet() {
        assertThat(MemoryTuning.overgrown(700 * MB, 150 * MB)).isTrue();
        assertThat(MemoryTuning.overgrown(240 * MB, 95 * MB)).isTrue();
        assertThat(MemoryTuning.overgrown(280 * MB, 150 * MB)).isFalse(); // under twice the live set
        assertThat(MemoryTuning.overgrown(150 * MB, 20 * MB)).isFalse(); // too small to be worth a pause
        assertThat(MemoryTuning.overgrown(700 * MB, 0)).isFalse(); // no collection yet: nothing known
    }

    @Test
    void isDefault_commandLineAndEnvironmentAreTheUsers() {
        assertThat(MemoryTuning.isDefault(new VMOption("MaxHeapFreeRatio", "70", true, VMOption.Origin.DEFAULT))).isTrue();
        assertThat(MemoryTuning.isDefault(new VMOption("MaxHeapSize", "6g", true, VMOption.Origin.ERGONOMIC))).isTrue();
        assertThat(MemoryTuning.isDefault(new VMOption("MaxHeapFreeRatio", "50", true, VMOption.Origin.VM_CREATION))).isFalse();
        assertThat(MemoryTuning.isDefault(new VMOption("MaxHeapFreeRatio", "50", true, VMOption.Origin.ENVIRON_VAR))).isFalse();
    }

    @Test
    void apply_inAFreshJvm_setsTheFlagsUnlessTheUserSizedTheHeap() throws Exception {
        assertThat(probe()).contains("MinHeapFreeRatio=10 management", "MaxHeapFreeRatio=25 management");
        assertThat(probe("-XX:MaxHeapFreeRatio=50")).contains("MinHeapFreeRatio=40 default", "MaxHeapFreeRatio=50 command-line");
        assertThat(probe("-Xmx512m")).contains("MinHeapFreeRatio=40 default", "MaxHeapFreeRatio=70 default");
    }

    /** Runs {@link MemoryTuningProbe} in a JVM of its own with {@code flags}; its output. */
    private static String probe(String... flags) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:+UseG1GC");
        command.addAll(List.of(flags));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), MemoryTuningProbe.class.getName()));
        Path out = Files.createTempFile("memory-tuning", ".txt");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("probe JVM ended").isTrue();
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        assertThat(process.exitValue()).as(text).isZero();
        return text;
    }
}
