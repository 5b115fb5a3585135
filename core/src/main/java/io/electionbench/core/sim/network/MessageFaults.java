package io.electionbench.core.sim.network;

import java.util.Arrays;

/**
 * The message faults set on a network and not yet used up: per link and kind, an action for the next
 * N messages. Rules are kept in arrays and grow only when one is added; matching a message scans the
 * live rules in the order they were added, and the first that matches takes the message and counts
 * it. With no rule set, {@link #take} is never called. Simulator thread only.
 */
final class MessageFaults {
    private MessageAction[] action = new MessageAction[8];
    private int[] from = new int[8];
    private int[] to = new int[8];
    private int[] kind = new int[8];
    private long[] remaining = new long[8];
    private long[] delayNs = new long[8];
    private int count;
    /** The delay of the last {@link MessageAction#DELAY} that {@link #take} returned. */
    private long takenDelayNs;

    boolean isEmpty() {
        return count == 0;
    }

    void add(final MessageAction a, final int fromIndex, final int toIndex, final MessageKind k, final long n,
        final long delay) {
        if (count == action.length) {
            final int grown = count * 2;
            action = Arrays.copyOf(action, grown);
            from = Arrays.copyOf(from, grown);
            to = Arrays.copyOf(to, grown);
            kind = Arrays.copyOf(kind, grown);
            remaining = Arrays.copyOf(remaining, grown);
            delayNs = Arrays.copyOf(delayNs, grown);
        }
        action[count] = a;
        from[count] = fromIndex;
        to[count] = toIndex;
        kind[count] = k.ordinal();
        remaining[count] = n;
        delayNs[count] = delay;
        count++;
    }

    /**
     * The action for a message of {@code k} from {@code fromIndex} to {@code toIndex}, or null when no
     * rule matches; the matching rule counts it and is removed when used up.
     */
    MessageAction take(final int fromIndex, final int toIndex, final MessageKind k) {
        final int ordinal = k.ordinal();
        for (int r = 0; r < count; r++) {
            if (from[r] == fromIndex && to[r] == toIndex && kind[r] == ordinal) {
                final MessageAction a = action[r];
                takenDelayNs = delayNs[r];
                if (--remaining[r] == 0) {
                    remove(r);
                }
                return a;
            }
        }
        return null;
    }

    long takenDelayNs() {
        return takenDelayNs;
    }

    /** Rules not used up. */
    int size() {
        return count;
    }

    private void remove(final int r) {
        final int tail = count - r - 1;
        System.arraycopy(action, r + 1, action, r, tail);
        System.arraycopy(from, r + 1, from, r, tail);
        System.arraycopy(to, r + 1, to, r, tail);
        System.arraycopy(kind, r + 1, kind, r, tail);
        System.arraycopy(remaining, r + 1, remaining, r, tail);
        System.arraycopy(delayNs, r + 1, delayNs, r, tail);
        count--;
        action[count] = null;
    }
}
