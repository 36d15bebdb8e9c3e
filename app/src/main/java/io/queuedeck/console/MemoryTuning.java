package io.queuedeck.console;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;

/**
 * Makes the console's JVM give back memory it does not need (decision 0066). Users start the
 * console with a plain {@code java -jar}, where G1 grows the heap while its collections compete
 * for CPU and keeps it at a steady load; so the console sets the manageable flags that make it
 * shrink, at start, unless the user sized the heap: narrower free ratios, and a watch that starts a
 * concurrent collection when the heap has grown to more than twice its use, where explicit
 * collections are concurrent ({@code -XX:+ExplicitGCInvokesConcurrent}, in the README's command):
 * never a full one, which would freeze the window for a second or more on a busy machine. The
 * watch also hands freed malloc memory (JIT, JavaFX, SQLite) back to the system now and then.
 */
final class MemoryTuning {
    /** Manageable flags and the values the console wants; a flag the user set keeps the user's value. */
    static final Map<String, String> FLAGS = flags();
    /** Below this much committed heap nothing is worth a collection. */
    static final long FLOOR = 160L << 20;
    private static final long CHECK_EVERY_SECONDS = 30;
    /** At most one concurrent cycle started by the watch in this long. */
    private static final long MIN_SECONDS_BETWEEN = 180;

    private MemoryTuning() {
    }

    private static Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("MinHeapFreeRatio", "10"); // MinHeapFreeRatio <= MaxHeapFreeRatio at every step: lower first
        flags.put("MaxHeapFreeRatio", "25");
        return flags;
    }

    /** Applies {@link #FLAGS} and starts the watch; never fails the start. */
    static void apply() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (!isG1(vm)) {
                return; // another collector: the user chose it, and the figures here are G1's
            }
            if (!isDefault(vm.getVMOption("MaxHeapFreeRatio")) || !isDefault(vm.getVMOption("MaxHeapSize"))) {
                return; // the user sized the heap: theirs to manage
            }
            FLAGS.forEach((name, value) -> {
                if (isDefault(vm.getVMOption(name))) {
                    vm.setVMOption(name, value);
                }
            });
            startWatch(Boolean.parseBoolean(vm.getVMOption("ExplicitGCInvokesConcurrent").getValue()));
        } catch (RuntimeException e) { // an unknown flag, a JVM without the bean: the console starts anyway
            System.err.println("queuedeck-console: heap flags left as they are: " + e.getMessage());
        }
    }

    /** Set neither on the command line, nor in JDK_JAVA_OPTIONS or a flags file. */
    static boolean isDefault(VMOption option) {
        return option.getOrigin() == VMOption.Origin.DEFAULT || option.getOrigin() == VMOption.Origin.ERGONOMIC;
    }

    private static boolean isG1(HotSpotDiagnosticMXBean vm) {
        return Boolean.parseBoolean(vm.getVMOption("UseG1GC").getValue());
    }

    /**
     * Every half minute: when G1 holds more than twice what its last collection left (and over {@link #FLOOR})
     * and explicit collections are concurrent, a marking cycle whose remark uncommits; then glibc's freed arenas go back to the system
     * ({@code System.trim_native_heap}, JDK 21 and later, as {@code jcmd} runs it). G1 shrinks the
     * heap on its own only at the end of a marking cycle, and a heap it grew while its pauses
     * competed for CPU rarely starts one; its periodic collection waits for a gap between any two
     * collections, which a console at load never has.
     */
    private static void startWatch(boolean concurrentCollections) {
        Thread.ofPlatform().name("queuedeck-memory").daemon().priority(Thread.MIN_PRIORITY).start(() -> {
            try {
                MemoryMXBean heap = ManagementFactory.getMemoryMXBean();
                long lastCollection = 0;
                boolean trim = System.getProperty("os.name", "").startsWith("Linux");
                while (!Thread.currentThread().isInterrupted()) {
                    TimeUnit.SECONDS.sleep(CHECK_EVERY_SECONDS);
                    long now = System.nanoTime();
                    if (concurrentCollections && overgrown(heap.getHeapMemoryUsage().getCommitted(), usedAfterLastCollection())
                            && now - lastCollection > TimeUnit.SECONDS.toNanos(MIN_SECONDS_BETWEEN)) {
                        lastCollection = now;
                        System.gc(); // a concurrent cycle: its remark gives back what is above the free ratio
                    }
                    if (trim) {
                        trim = trimNativeHeap();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** The heap committed beyond twice what the last collection left, and worth giving back. */
    static boolean overgrown(long committed, long live) {
        return live > 0 && committed > FLOOR && committed > 2 * live;
    }

    /** What the last collection left in use (the live set and some garbage); 0 before the first one. */
    private static long usedAfterLastCollection() {
        long latest = -1;
        long used = 0;
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector instanceof com.sun.management.GarbageCollectorMXBean gc && gc.getLastGcInfo() != null
                    && gc.getLastGcInfo().getEndTime() > latest && gc.getLastGcInfo().getDuration() > 0) {
                latest = gc.getLastGcInfo().getEndTime();
                used = gc.getLastGcInfo().getMemoryUsageAfterGc().values().stream().mapToLong(MemoryUsage::getUsed).sum();
            }
        }
        return used;
    }

    /** False once the command turns out not to exist here. */
    private static boolean trimNativeHeap() {
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "systemTrimNativeHeap", new Object[] {null}, new String[] {String[].class.getName()});
            return true;
        } catch (Exception e) { // no such command on this JVM or libc: nothing to trim
            System.err.println("queuedeck-console: native memory is not trimmed: " + e.getMessage());
            return false;
        }
    }
}
