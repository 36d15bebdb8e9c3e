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

    /** 600 of one tenant's failed callbacks pushed out another tenant's only letter, which could then not be replayed. */
    @Test
    void aTenantPastTheBound_losesItsOwnOldest_notAnotherTenantsLetters() {
        DeliveryStore store = DeliveryStore.inMemory();
        DeadLetterList letters = new DeadLetterList(5, Long.MAX_VALUE, store);
        letters.add(new PendingCallback("globex:g1", "http://receiver/hook", new byte[10], 0, 6, "HTTP 500", null, "globex"));
        for (int i = 0; i < 600; i++) {
            letters.add(new PendingCallback("acme:a" + i, "http://receiver/hook", new byte[10], 0, 6, "HTTP 500", null, "acme"));
        }

        assertThat(letters.list()).extracting(DeadLetter::taskId)
                .containsExactly("globex:g1", "acme:a596", "acme:a597", "acme:a598", "acme:a599");
        // restored after a restart, the tenant is read from a bound client's id
        DeadLetterList restored = new DeadLetterList(2, Long.MAX_VALUE, DeliveryStore.inMemory());
        for (String id : List.of("globex:g1", "acme:a1", "acme:a2", "acme:a3")) {
            restored.restore(letter(id, 10));
        }
        assertThat(restored.list()).extracting(DeadLetter::taskId).containsExactly("globex:g1", "acme:a3");
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
