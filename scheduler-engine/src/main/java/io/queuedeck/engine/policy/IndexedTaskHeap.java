package io.queuedeck.engine.policy;

import io.queuedeck.engine.task.Task;
import java.util.Arrays;
import java.util.Comparator;

/**
 * A binary min-heap of tasks that knows where each task sits ({@link Task#heapIndex()}), so a
 * task can be removed or re-keyed in O(log n): cancel and reprioritize never scan the queue.
 */
final class IndexedTaskHeap {
    private final Comparator<Task> order;
    private Task[] items = new Task[64];
    private int size;

    IndexedTaskHeap(Comparator<Task> order) {
        this.order = order;
    }

    void add(Task task) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size] = task;
        task.setHeapIndex(size);
        siftUp(size++);
    }

    Task peek() {
        return size == 0 ? null : items[0];
    }

    Task poll() {
        if (size == 0) {
            return null;
        }
        Task head = items[0];
        removeAt(0);
        return head;
    }

    boolean remove(Task task) {
        int index = task.heapIndex();
        if (index < 0 || index >= size || items[index] != task) {
            return false;
        }
        removeAt(index);
        return true;
    }

    int size() {
        return size;
    }

    int compare(Task a, Task b) {
        return order.compare(a, b);
    }

    private void removeAt(int index) {
        Task removed = items[index];
        removed.setHeapIndex(-1);
        Task last = items[--size];
        items[size] = null;
        if (index < size) {
            items[index] = last;
            last.setHeapIndex(index);
            siftDown(index);
            if (items[index] == last) {
                siftUp(index);
            }
        }
    }

    private void siftUp(int index) {
        Task task = items[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            Task above = items[parent];
            if (order.compare(task, above) >= 0) {
                break;
            }
            items[index] = above;
            above.setHeapIndex(index);
            index = parent;
        }
        items[index] = task;
        task.setHeapIndex(index);
    }

    private void siftDown(int index) {
        Task task = items[index];
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            int right = child + 1;
            if (right < size && order.compare(items[right], items[child]) < 0) {
                child = right;
            }
            if (order.compare(task, items[child]) <= 0) {
                break;
            }
            items[index] = items[child];
            items[index].setHeapIndex(index);
            index = child;
        }
        items[index] = task;
        task.setHeapIndex(index);
    }
}
