package io.queuedeck.console.gateway;

import static org.assertj.core.api.Assertions.assertThat;

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
}
