package io.queuedeck.console;

import java.lang.management.ManagementFactory;
import javafx.scene.Scene;

/**
 * The start's phases in milliseconds from the JVM's start, printed to standard error when the
 * console runs with {@code -Dqueuedeck.startTimes=true} (docs/performance.md reruns the first-frame
 * bar with it); free otherwise.
 */
final class StartTimes {
    static final boolean ON = Boolean.getBoolean("queuedeck.startTimes");

    private StartTimes() {
    }

    static void mark(String phase) {
        if (ON) {
            long since = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            // CPU times too: on a machine others load, the wall clock alone says little
            long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime() / 1_000_000;
            long thread = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1_000_000;
            System.err.printf("start %5d ms  cpu %5d ms (%s %5d ms)  %s%n", since, process,
                    Thread.currentThread().getName(), thread, phase);
        }
    }

    /** Where the CPU went so far, by thread (Linux), the busiest first: JIT, GC, engine, JavaFX. */
    private static void threads() {
        java.nio.file.Path tasks = java.nio.file.Path.of("/proc/self/task");
        if (!java.nio.file.Files.isDirectory(tasks)) {
            return;
        }
        java.util.Map<String, Long> byName = new java.util.TreeMap<>();
        try (var dirs = java.nio.file.Files.list(tasks)) {
            for (java.nio.file.Path task : dirs.toList()) {
                String stat = java.nio.file.Files.readString(task.resolve("stat"));
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+$", "#");
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                byName.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10, Long::sum); // clock ticks of 10 ms
            }
        } catch (java.io.IOException | RuntimeException e) {
            return; // a thread ended while read: diagnostics only
        }
        StringBuilder line = new StringBuilder("start cpu by thread (ms):");
        byName.entrySet().stream().filter(e -> e.getValue() >= 50)
                .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> line.append(' ').append(e.getKey()).append('=').append(e.getValue()));
        System.err.println(line);
    }

    /** Marks the main window's first pulse and its first frame drawn by the renderer. */
    static void watch(Scene scene) {
        if (!ON) {
            return;
        }
        Runnable[] once = new Runnable[1];
        once[0] = () -> {
            mark("first pulse (CSS and layout done)");
            scene.removePostLayoutPulseListener(once[0]);
        };
        scene.addPostLayoutPulseListener(once[0]);
        // the renderer's own count of frames drawn for this scene (internal, diagnostics only)
        var tracker = com.sun.javafx.perf.PerformanceTracker.getSceneTracker(scene);
        boolean[] painted = {false};
        tracker.setOnRenderedFrameTask(() -> {
            if (!painted[0]) {
                painted[0] = true;
                mark("first painted frame");
                threads();
            }
        });
    }
}
