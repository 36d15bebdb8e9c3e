package io.queuedeck.console;

import io.queuedeck.console.gateway.EmbeddedEngine;
import io.queuedeck.engine.snapshot.EngineSnapshot;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import javafx.animation.AnimationTimer;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;

/**
 * The {@code --bench-ui} mode: the console under 2,000 tasks/s with 100,000 queued, visiting
 * every screen in turn, while an {@link AnimationTimer} probe records the time between frames.
 * Prints frame time p50/p99/max and peak heap on its last line, then exits.
 */
final class BenchUi {
    static final double FLOW_PER_SECOND = 2_000;
    static final int BACKLOG = 100_000;
    /**
     * Frames before this are start-up, not steady state: the first layout and CSS pass, and one
     * visit to every screen (a screen is built on its first visit, a one-off cost of a few
     * hundred milliseconds that would otherwise land in the p99).
     */
    static final Duration WARM_UP = Duration.ofSeconds(4);

    private final long[] frameNanos = new long[200_000];
    private final java.util.Map<Screen, java.util.List<Long>> byScreen = new java.util.EnumMap<>(Screen.class);
    private Screen current = Screen.OVERVIEW;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final EmbeddedEngine system;
    private final Duration duration;
    private final Consumer<Screen> show;
    private int frames;
    private long last;
    private long startedAt;
    private long peakHeap;
    private long firstFrameMillis = -1;
    private long succeededAtStart = -1;
    private EngineSnapshot lastSnapshot;

    BenchUi(EmbeddedEngine system, Duration duration, Consumer<Screen> show) {
        this.system = system;
        this.duration = duration;
        this.show = show;
    }

    static EmbeddedEngine startSystem() {
        return EmbeddedEngine.startBench(FLOW_PER_SECOND, BACKLOG);
    }

    void start() {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        AnimationTimer probe = new AnimationTimer() {
            @Override
            public void handle(long now) {
                if (firstFrameMillis < 0) {
                    firstFrameMillis = System.currentTimeMillis() - jvmStart;
                    startedAt = now;
                }
                if (now - startedAt >= WARM_UP.toNanos() && last != 0 && frames < frameNanos.length) {
                    frameNanos[frames++] = now - last;
                    byScreen.computeIfAbsent(current, k -> new java.util.ArrayList<>()).add(now - last);
                }
                last = now;
                peakHeap = Math.max(peakHeap, memory.getHeapMemoryUsage().getUsed());
            }
        };
        probe.start();
        Screen[] screens = Screen.values();
        Timeline warmUp = new Timeline();
        for (int i = 0; i < screens.length; i++) {
            Screen screen = screens[(i + 1) % screens.length]; // end on the overview
            warmUp.getKeyFrames().add(new KeyFrame(javafx.util.Duration.millis(400 * (i + 1)), e -> show.accept(screen)));
        }
        warmUp.play();
        int[] next = {1};
        Timeline tour = new Timeline(new KeyFrame(javafx.util.Duration.seconds(4), e -> {
            current = screens[next[0]++ % screens.length];
            show.accept(current);
            EngineSnapshot s = system.engine().latestSnapshot();
            if (s != null && succeededAtStart < 0) {
                succeededAtStart = s.counters().succeeded();
            }
        }));
        tour.setCycleCount(Timeline.INDEFINITE);
        tour.play();
        long benchStart = System.nanoTime();
        Timeline end = new Timeline(new KeyFrame(javafx.util.Duration.millis(duration.toMillis()), e -> {
            probe.stop();
            tour.stop();
            lastSnapshot = system.engine().latestSnapshot();
            report((System.nanoTime() - benchStart) / 1e9);
            ConsoleApp.exitAfterStop(0);
        }));
        end.play();
    }

    private void report(double seconds) {
        long[] sorted = Arrays.copyOf(frameNanos, frames);
        Arrays.sort(sorted);
        double p50 = percentile(sorted, 0.50);
        double p99 = percentile(sorted, 0.99);
        double max = sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6;
        if (lastSnapshot != null) {
            EngineSnapshot s = lastSnapshot;
            double done = succeededAtStart < 0 ? 0 : (s.counters().succeeded() - succeededAtStart) / Math.max(1, seconds - 4);
            System.out.printf(Locale.ROOT, "engine: %d simulated GPUs, policy %s, %,d submitted, %,d queued, %,d running, ~%.0f tasks/s completed%n",
                    s.instances().size(), s.policy(), s.counters().submitted(), s.queued(), s.running(), done);
        }
        byScreen.forEach((screen, list) -> {
            long[] times = list.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "  %-14s %5d frames, p50 %.1f ms, p99 %.1f ms%n", screen.title(), times.length,
                    percentile(times, 0.5), percentile(times, 0.99));
        });
        System.out.printf(Locale.ROOT, "startup to first frame: %d ms; %d frames measured after a %d s warm-up%n",
                firstFrameMillis, frames, WARM_UP.toSeconds());
        System.out.printf(Locale.ROOT, "frame time p50 %.1f ms, p99 %.1f ms, max %.1f ms; peak heap %d MB%n",
                p50, p99, max, peakHeap / (1024 * 1024));
        System.out.flush();
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
