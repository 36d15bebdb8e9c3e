package io.queuedeck.engine.exec.sim;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The order of one instance's step in {@link VllmGpuExecutor}. By policy, the last step's order is
 * kept: the next one is nearly the same, so sorting it again takes about one comparison per task,
 * and as the order is a total one the result does not depend on where the sort starts.
 */
final class StepOrder {
    private Seq[] order = new Seq[16];
    /** Entries of the kept order; some may have left the instance since. */
    private int kept;

    /** The running tasks by {@code byPolicy}, in an array the caller may reorder within its first {@code running.size()}. */
    Seq[] sorted(List<Seq> running, Comparator<Seq> byPolicy) {
        int size = running.size();
        grow(size);
        int n = 0;
        for (int i = 0; i < kept; i++) { // the last order, less those that left
            if (!order[i].gone) {
                order[n++] = order[i];
            }
        }
        for (int i = 0; i < size; i++) { // then those admitted since, in admission order
            Seq seq = running.get(i);
            if (!seq.ordered) {
                seq.ordered = true;
                order[n++] = seq;
            }
        }
        Arrays.fill(order, n, Math.max(n, kept), null);
        kept = n;
        Arrays.sort(order, 0, size, byPolicy);
        return order;
    }

    /** The running tasks in admission order (vLLM's own), in a scratch array. */
    Seq[] admission(List<Seq> running) {
        grow(running.size());
        kept = 0;
        return running.toArray(order);
    }

    /** Drops a scratch order of {@code size} entries, so that it holds no finished task. */
    void forget(int size) {
        Arrays.fill(order, 0, size, null);
    }

    private void grow(int size) {
        if (order.length < size) {
            order = Arrays.copyOf(order, Math.max(size, order.length * 2));
        }
    }
}
