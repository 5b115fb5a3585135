package io.electionbench.core;

/**
 * A ZooKeeper transaction id: the high 32 bits are the epoch, the low 32 bits the counter within it.
 * Written {@code epoch:counter} in scenarios, results and the admin endpoint.
 *
 * <p>Zxids are signed longs compared as numbers, and ZooKeeper's {@code ZxidUtils.getEpochFromZxid}
 * shifts arithmetically, so an epoch of 2^31 or more would make every zxid of it negative and order it
 * before all history: epochs are bounded to {@link #MAX_EPOCH}. Every epoch or zxid read from a peer or
 * from disk is checked with {@link #isValidEpoch} and {@link #isValid} before it is used (see
 * docs/recovery.md, "Bounded epochs").
 */
public final class Zxid {
    /** The largest epoch: 2^31 - 1, so that every zxid stays non-negative. */
    public static final long MAX_EPOCH = Integer.MAX_VALUE;
    /**
     * The largest counter a leader proposes in one epoch. ZooKeeper's {@code Leader.propose} forces a new
     * epoch when the counter reaches 0xffffffff ("zxid lower 32 bits have rolled over").
     */
    public static final long MAX_COUNTER = 0xFFFF_FFFEL;

    private Zxid() {
    }

    /**
     * The zxid of {@code counter} in {@code epoch}.
     *
     * @throws IllegalArgumentException when the epoch is outside 0..{@link #MAX_EPOCH} or the counter outside
     *                                  0..2^32-1: a caller must never let either wrap into another zxid
     */
    public static long make(final long epoch, final long counter) {
        if (epoch < 0 || epoch > MAX_EPOCH || counter < 0 || counter > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("no zxid for epoch " + epoch + " and counter " + counter
                + " (epoch 0.." + MAX_EPOCH + ", counter 0..2^32-1)");
        }
        return (epoch << 32) | counter;
    }

    /** True for an epoch a member may hold, accept or propose: 0..{@link #MAX_EPOCH}. */
    public static boolean isValidEpoch(final long epoch) {
        return epoch >= 0 && epoch <= MAX_EPOCH;
    }

    /**
     * True for a zxid read from a peer or from disk: -1 (none) or non-negative, which bounds its epoch to
     * {@link #MAX_EPOCH} and its counter to 2^32 - 1.
     */
    public static boolean isValid(final long zxid) {
        return zxid >= -1;
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
            throw new IllegalArgumentException(
                "zxid '" + text + "' is out of range (epoch 0..2^31-1, counter 0..2^32-1)");
        }
        return make(epoch, counter);
    }
}
