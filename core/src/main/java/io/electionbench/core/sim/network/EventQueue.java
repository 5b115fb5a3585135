package io.electionbench.core.sim.network;

import java.util.Arrays;

/**
 * A binary min-heap of simulator events ordered by (time, sequence), so events at the same instant
 * run in the order they were scheduled and a run is deterministic. It holds the events; their pools
 * ({@link SimEvent.Pool}) make and reuse them.
 */
final class EventQueue {
    private SimEvent[] heap = new SimEvent[256];
    private int size;
    private long sequence;

    void add(final SimEvent e) {
        e.sequence = sequence++;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        while (i > 0) {
            final int parent = (i - 1) >>> 1;
            if (!before(e, heap[parent])) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = e;
    }

    SimEvent peek() {
        return size == 0 ? null : heap[0];
    }

    SimEvent poll() {
        if (size == 0) {
            return null;
        }
        final SimEvent top = heap[0];
        final SimEvent last = heap[--size];
        heap[size] = null;
        if (size > 0) {
            int i = 0;
            while (true) {
                final int left = 2 * i + 1;
                if (left >= size) {
                    break;
                }
                final int right = left + 1;
                final int child = right < size && before(heap[right], heap[left]) ? right : left;
                if (!before(heap[child], last)) {
                    break;
                }
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = last;
        }
        return top;
    }

    int size() {
        return size;
    }

    /** Releases every event still queued to its pool. */
    void clear() {
        while (size > 0) {
            poll().release();
        }
    }

    private static boolean before(final SimEvent a, final SimEvent b) {
        return a.timeNs != b.timeNs ? a.timeNs < b.timeNs : a.sequence < b.sequence;
    }
}
