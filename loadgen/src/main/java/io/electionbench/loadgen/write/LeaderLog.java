package io.electionbench.loadgen.write;

import org.agrona.collections.Long2LongHashMap;

import io.electionbench.core.Zxid;

/**
 * A range of the serving leader's txn log as {@code GET /log} gives it: each entry's zxid and the
 * first 8 bytes of its payload (the writer's sequence), and the snapshot zxid below which entries are
 * no longer held one by one.
 *
 * @param entries zxid to first payload long ({@link #NO_FIRST_LONG} for a payload under 8 bytes)
 */
public record LeaderLog(long leaderSid, long snapshotZxid, long lastZxid, Long2LongHashMap entries) {
    public static final long NO_FIRST_LONG = -1;
    static final long ABSENT = Long.MIN_VALUE;

    /** An empty map for {@link #entries}. */
    public static Long2LongHashMap newEntries() {
        return new Long2LongHashMap(ABSENT);
    }

    /**
     * The safety check: every acknowledged write ({@code ackZxids[i]} answered COMMITTED for
     * {@code ackSeqs[i]}) must be in this log at its zxid with its sequence. Entries covered by a
     * snapshot are taken as held (the snapshot's digest is the node's own business).
     *
     * @return the first missing or different write, described, or null when every one is there
     */
    public String missing(final long[] ackZxids, final long[] ackSeqs) {
        return missing(ackZxids, ackSeqs, "leader " + leaderSid);
    }

    /** As {@link #missing(long[], long[])}, naming the log's holder as {@code holder} ("node 2"). */
    public String missing(final long[] ackZxids, final long[] ackSeqs, final String holder) {
        for (int i = 0; i < ackZxids.length; i++) {
            final long zxid = ackZxids[i];
            if (isHeld(zxid, ackSeqs[i])) {
                continue;
            }
            final long held = entries.get(zxid);
            if (held == ABSENT) {
                return "acknowledged write " + ackSeqs[i] + " at zxid " + Zxid.toString(zxid) + " is missing from "
                    + holder + "'s log (last zxid " + Zxid.toString(lastZxid) + ")";
            }
            return holder + " holds a different txn at acknowledged zxid " + Zxid.toString(zxid) + " (write "
                + (held == NO_FIRST_LONG ? "?" : Long.toString(held)) + ", acknowledged as write " + ackSeqs[i] + ")";
        }
        return null;
    }

    /** How many acknowledgements {@link #missing} would fault: absent from this log or holding another write. */
    public long countMissing(final long[] ackZxids, final long[] ackSeqs) {
        long n = 0;
        for (int i = 0; i < ackZxids.length; i++) {
            if (!isHeld(ackZxids[i], ackSeqs[i])) {
                n++;
            }
        }
        return n;
    }

    private boolean isHeld(final long zxid, final long seq) {
        return zxid <= snapshotZxid || entries.get(zxid) == seq;
    }
}
