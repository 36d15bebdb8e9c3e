package io.queuedeck.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node's store (decision 0122): holds go to the pairs, tasks to the inner store; while the pairs
 * cannot be written the batch still goes through and the holds follow with a later one. Before,
 * one hold sent while Redis was down failed every later batch of the node until Redis was back:
 * its front door answered 503 and its readiness failed, for a command that had been applied anyway.
 */
class HoldsKeptApartTest {
    /** Pairs in memory that refuse writes while {@code down}. */
    private static final class Pairs implements TaskStore.ModePairs {
        final Map<String, String> kept = new HashMap<>();
        boolean down;

        @Override
        public Map<String, String> read() {
            return Map.copyOf(kept);
        }

        @Override
        public void write(Map<String, String> pairs) {
            if (down) {
                throw new StoreUnavailableException("the shared queue's Redis is unreachable; retry later", null);
            }
            kept.putAll(pairs);
        }
    }

    private static StoreWrite.SetInstanceHold offline(int instance) {
        return new StoreWrite.SetInstanceHold(instance, new StoreContents.InstanceHold("m", "", true, false));
    }

    @Test
    void holds_areReadBackFromThePairs() {
        Pairs pairs = new Pairs();
        TaskStore store = TaskStore.holdsIn(TaskStore.inMemory(), pairs);

        store.write(List.of(offline(1)));

        assertThat(TaskStore.holdsIn(TaskStore.inMemory(), pairs).load(Instant.now()).instanceHolds()).containsOnlyKeys(1);
    }

    @Test
    void whileThePairsCannotBeWritten_batchesGoThrough_andTheHoldFollowsWithALaterOne() {
        Pairs pairs = new Pairs();
        TaskStore inner = TaskStore.inMemory();
        TaskStore store = TaskStore.holdsIn(inner, pairs);
        pairs.down = true;

        store.write(List.of(offline(2))); // no exception: the node's other writes do not wait for Redis
        store.write(List.of(new StoreWrite.SetDispatchPaused(true)));
        assertThat(pairs.kept).isEmpty();
        assertThat(inner.load(Instant.now()).dispatchPaused()).isTrue();

        pairs.down = false;
        store.write(List.of(new StoreWrite.SetDispatchPaused(false)));

        assertThat(TaskStore.holdsIn(TaskStore.inMemory(), pairs).load(Instant.now()).instanceHolds()).containsOnlyKeys(2);
    }
}
