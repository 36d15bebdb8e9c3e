package io.queuedeck.engine.callback;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link DeliveryStore} promises; one subclass per backend. */
abstract class DeliveryStoreContract {
    static final Instant FINISHED = Instant.parse("2026-11-27T10:00:00Z");

    DeliveryStore store;

    /** A fresh, empty store. */
    abstract DeliveryStore newStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static DeliveryStore.Delivery pending(String id, int attempts) {
        return new DeliveryStore.Delivery(id, "http://127.0.0.1:9/" + id, ("{\"task_id\":\"" + id + "\"}")
                .getBytes(StandardCharsets.UTF_8), FINISHED, attempts, attempts == 0 ? null : "HTTP 503", null);
    }

    static DeliveryStore.Delivery dead(String id) {
        return new DeliveryStore.Delivery(id, "http://127.0.0.1:9/" + id, new byte[] {1, 2, 3}, FINISHED, 6, "HTTP 400",
                FINISHED.plusSeconds(30));
    }

    @Test
    void all_empty_isEmpty() {
        assertThat(store.all()).isEmpty();
    }

    @Test
    void put_thenAll_returnsEveryFieldAsPut() {
        DeliveryStore.Delivery d = pending("t-1", 2);

        store.put(d);

        List<DeliveryStore.Delivery> all = store.all();
        assertThat(all).hasSize(1);
        DeliveryStore.Delivery got = all.getFirst();
        assertThat(got.taskId()).isEqualTo("t-1");
        assertThat(got.url()).isEqualTo(d.url());
        assertThat(got.body()).isEqualTo(d.body());
        assertThat(got.finishedAt()).isEqualTo(FINISHED);
        assertThat(got.attempts()).isEqualTo(2);
        assertThat(got.lastError()).isEqualTo("HTTP 503");
        assertThat(got.dead()).isFalse();
    }

    @Test
    void put_sameTaskAgain_replacesItAndKeepsItsPlace() {
        store.put(pending("a", 0));
        store.put(pending("b", 0));
        store.put(pending("c", 0));

        store.put(dead("a")); // the oldest, now dead-lettered: still first

        assertThat(store.all()).extracting(DeliveryStore.Delivery::taskId).containsExactly("a", "b", "c");
        assertThat(store.all().getFirst().dead()).isTrue();
        assertThat(store.all().getFirst().deadAt()).isEqualTo(FINISHED.plusSeconds(30));
    }

    @Test
    void remove_forgetsOnlyThatTask() {
        store.put(pending("a", 0));
        store.put(pending("b", 1));

        store.remove("a");
        store.remove("never-put"); // no-op

        assertThat(store.all()).extracting(DeliveryStore.Delivery::taskId).containsExactly("b");
    }

    @Test
    void remove_thenPutAgain_goesToTheEnd() {
        store.put(pending("a", 0));
        store.put(pending("b", 0));
        store.remove("a");

        store.put(pending("a", 0));

        assertThat(store.all()).extracting(DeliveryStore.Delivery::taskId).containsExactly("b", "a");
    }

    @Test
    void putAndRemove_fromManyThreads_loseNothing() throws Exception {
        List<Thread> threads = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 500; i++) {
                    store.put(pending(thread + "-" + i, 0));
                    if (i % 2 == 0) {
                        store.remove(thread + "-" + i);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(store.all()).hasSize(4 * 250).allMatch(d -> d.taskId().matches("\\d-\\d*[13579]"));
    }

    @Test
    void writesAfterClose_areDropped_notThrown() {
        store.close();

        store.put(pending("late", 0));
        store.remove("late");
    }
}
