package io.electionbench.core;

/**
 * A ZooKeeper transaction id: the high 32 bits are the epoch, the low 32 bits the counter within it.
 * Written {@code epoch:counter} in scenarios, results and the admin endpoint.
 */
public final class Zxid {
    private Zxid() {
    }

    public static long make(final long epoch, final long counter) {
        return (epoch << 32) | (counter & 0xFFFF_FFFFL);
    }

    public static long epoch(final long zxid) {
        return zxid >> 32;
    }

    public static long counter(final long zxid) {
        return zxid & 0xFFFF_FFFFL;
    }

    /** Formats as {@code epoch:counter}; the special value -1 (no data, ZOOKEEPER-261) prints as {@code -1}. */
    public static String toString(final long zxid) {
        if (zxid == -1) {
            return "-1";
        }
        return epoch(zxid) + ":" + counter(zxid);
    }

    /**
     * Parses {@code epoch:counter}.
     *
     * @throws IllegalArgumentException naming the text when it is not two non-negative integers that fit
     */
    public static long parse(final String text) {
        final int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("zxid '" + text + "' is not of the form epoch:counter");
        }
        final long epoch;
        final long counter;
        try {
            epoch = Long.parseLong(text.substring(0, colon));
            counter = Long.parseLong(text.substring(colon + 1));
        } catch (final NumberFormatException ex) {
            throw new IllegalArgumentException("zxid '" + text + "' is not of the form epoch:counter", ex);
        }
        if (epoch < 0 || epoch > Integer.MAX_VALUE || counter < 0 || counter > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("zxid '" + text + "' is out of range (epoch 0..2^31-1, counter 0..2^32-1)");
        }
        return make(epoch, counter);
    }
}
