package io.queuedeck.engine.callback;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The dead letters are bounded by count and by the bytes of their bodies, oldest dropped first. */
class DeadLetterListTest {
    private static PendingCallback letter(String id, int bodyBytes) {
        return new PendingCallback(id, "http://receiver/hook", new byte[bodyBytes], 0, 6, "HTTP 500", null, null);
    }

    @Test
    void largeBodies_dropTheOldestPastTheByteBound_andTheStoreForgetsThemToo() {
        DeliveryStore store = DeliveryStore.inMemory();
        DeadLetterList letters = new DeadLetterList(10_000, 250_000, store);
        for (int i = 0; i < 10; i++) {
            PendingCallback dead = letter("t" + i, 60_000); // a task's 60 KB of metadata in its result
            store.put(dead.stored(new io.queuedeck.engine.clock.VirtualClock()));
            letters.add(dead);
        }

        // 10 × 60 KB were all kept by count (10,000); the bound keeps the newest four
        assertThat(letters.list()).extracting(DeadLetter::taskId).containsExactly("t6", "t7", "t8", "t9");
        assertThat(store.all()).extracting(DeliveryStore.Delivery::taskId).containsExactlyInAnyOrder("t6", "t7", "t8", "t9");

        assertThat(letters.take("t7")).isNotNull();
        letters.add(letter("t10", 60_000));
        letters.add(letter("t11", 60_000));
        assertThat(letters.list()).extracting(DeadLetter::taskId).containsExactly("t8", "t9", "t10", "t11");
    }

    @Test
    void restoredLetters_keepTheSameBounds() {
        DeadLetterList letters = new DeadLetterList(3, Long.MAX_VALUE, DeliveryStore.inMemory());
        for (String id : List.of("a", "b", "c", "d", "e")) {
            letters.restore(letter(id, 10));
        }

        assertThat(letters.list()).extracting(DeadLetter::taskId).containsExactly("c", "d", "e");
    }
}
