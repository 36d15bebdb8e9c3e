package io.queuedeck.console;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/** Applies {@link MemoryTuning} in a JVM of its own and prints the flags with their origin. */
final class MemoryTuningProbe {
    private MemoryTuningProbe() {
    }

    public static void main(String[] args) {
        MemoryTuning.apply();
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        for (String name : MemoryTuning.FLAGS.keySet()) {
            var option = vm.getVMOption(name);
            String origin = switch (option.getOrigin()) {
                case DEFAULT, ERGONOMIC -> "default";
                case MANAGEMENT -> "management";
                case VM_CREATION -> "command-line";
                default -> option.getOrigin().name();
            };
            System.out.println(name + "=" + option.getValue() + " " + origin);
        }
    }
}
