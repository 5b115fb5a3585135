package io.electionbench.core.sim;

import java.util.Arrays;

/**
 * A binary min-heap of simulator events ordered by (time, sequence), so events at the same instant
 * run in the order they were scheduled and a run is deterministic. Events are pooled.
 */
final class EventQueue {
    private Event[] heap = new Event[256];
    private int size;
    private Event free;
    private long sequence;

    Event acquire() {
        final Event e = free;
        if (e == null) {
            return new Event();
        }
        free = e.next;
        e.next = null;
        return e;
    }

    void release(final Event e) {
        e.next = free;
        free = e;
    }

    void add(final Event e) {
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

    Event peek() {
        return size == 0 ? null : heap[0];
    }

    Event poll() {
        if (size == 0) {
            return null;
        }
        final Event top = heap[0];
        final Event last = heap[--size];
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

    void clear() {
        while (size > 0) {
            release(poll());
        }
    }

    private static boolean before(final Event a, final Event b) {
        return a.timeNs != b.timeNs ? a.timeNs < b.timeNs : a.sequence < b.sequence;
    }

    /** One scheduled delivery. Fields are reused; see {@link Simulator} for their meaning per type. */
    static final class Event {
        long timeNs;
        long sequence;
        int type;
        int from;
        int to;
        int toIncarnation;
        int state;
        long a;
        long b;
        long c;
        long d;
        boolean flag;
        /**
         * A LOOKING notification's sender's own data when it was sent: its current epoch and last
         * logged zxid (the checker's, not on any wire).
         */
        long ownEpoch;
        long ownZxid;
        /** A proposal's payload or a snapshot chunk, copied at send time; the buffer is reused with the event. */
        final org.agrona.ExpandableArrayBuffer bytes = new org.agrona.ExpandableArrayBuffer(32);
        int length;
        /** The link whose queue this message occupies while on its way ({@link SimLinks}). */
        byte link;
        Event next;
    }
}
