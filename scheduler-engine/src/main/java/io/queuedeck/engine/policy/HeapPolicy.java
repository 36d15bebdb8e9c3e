package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;
import java.util.Comparator;

/**
 * A policy that is just one total order over waiting tasks.
 *
 * <p>Subclasses write their order out as one static method rather than composing
 * {@code Comparator.comparingInt(..).thenComparing(..)}: the heap calls it O(log n) times per
 * decision, and the composed form is a chain of JDK lambdas whose shared call sites the JIT
 * does not inline (measured: about half of an MLFQ decision went to it).
 */
abstract class HeapPolicy implements SchedulingPolicy {
    private final IndexedTaskHeap heap;
    /** Which heads have lost their objective ({@link GiveUp}); null: this policy never gives up. */
    private GiveUp.Lost giveUp;

    HeapPolicy(Comparator<Task> order) {
        heap = new IndexedTaskHeap(order);
    }

    /** The heap itself, for a rule that moves tasks within it ({@link GiveUp}). */
    final IndexedTaskHeap heap() {
        return heap;
    }

    /**
     * Gives up on heads that {@code lost} says have lost their objective (null: never), moving
     * them when they reach the head ({@link GiveUp#moveLateHeads}); the order must put given-up
     * tasks last. For the constructor.
     */
    final void giveUpOn(GiveUp.Lost lost) {
        giveUp = lost;
    }

    @Override
    public void enqueue(Task task, long now) {
        heap.add(task);
    }

    @Override
    public Task peek(long now) {
        moveLateHeads(now);
        return heap.peek();
    }

    @Override
    public Task poll(long now) {
        moveLateHeads(now);
        return heap.poll();
    }

    private void moveLateHeads(long now) {
        if (giveUp != null) {
            GiveUp.moveLateHeads(heap, now, giveUp);
        }
    }

    @Override
    public boolean remove(Task task) {
        return heap.remove(task);
    }

    @Override
    public int size() {
        return heap.size();
    }

    @Override
    public int compare(Task a, Task b) {
        return heap.compare(a, b);
    }
}
