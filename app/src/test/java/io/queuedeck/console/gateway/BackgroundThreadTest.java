package io.queuedeck.console.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BackgroundThreadTest {
    @Test
    void calls_runInOrder_onOneDaemonThreadOfItsName() throws Exception {
        ExecutorService thread = BackgroundThread.named("queuedeck-test-calls");
        List<String> ran = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 50; i++) {
            int call = i;
            thread.execute(() -> ran.add(call + " " + Thread.currentThread().getName() + " " + Thread.currentThread().isDaemon()));
        }
        thread.submit(() -> { }).get(30, TimeUnit.SECONDS);

        assertThat(ran).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(ran.get(i)).isEqualTo(i + " queuedeck-test-calls true");
        }
    }

    /**
     * The Faults screen's pool was "Shutting down" under a call in CI: Executors.newSingleThreadExecutor's
     * wrapper, once collected, has a Cleaner shut its pool down (its idle thread ends at the next
     * collection). This one is shut down by nobody: its thread stays until a minute idle.
     */
    @Test
    void aPoolNoLongerReferenced_isNotShutDownByTheCollector() throws Exception {
        ExecutorService pool = BackgroundThread.named("queuedeck-test-unreferenced");
        pool.submit(() -> { }).get(30, TimeUnit.SECONDS);
        pool = null;

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().equals("queuedeck-test-unreferenced") && t.isAlive());
        });
    }
}
