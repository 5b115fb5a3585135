package io.electionbench.core.election;

import io.electionbench.core.VoteOrder;

/**
 * One vote per ensemble member, as ZooKeeper's {@code recvset} and {@code outofelection} maps, in
 * parallel primitive arrays indexed by member index. Presence is a bit mask, so clearing is O(1) and
 * counting the members whose vote equals a given one yields the mask a quorum verifier checks.
 */
final class VoteTable {
    private final long[] leader;
    private final long[] zxid;
    private final long[] electionEpoch;
    private final long[] peerEpoch;
    private final int[] state;
    private final int[] version;
    private long presentMask;

    VoteTable(final int members) {
        leader = new long[members];
        zxid = new long[members];
        electionEpoch = new long[members];
        peerEpoch = new long[members];
        state = new int[members];
        version = new int[members];
    }

    void clear() {
        presentMask = 0;
    }

    void put(final int index, final int voteState, final int voteVersion, final long voteLeader, final long voteZxid,
        final long voteElectionEpoch, final long votePeerEpoch) {
        leader[index] = voteLeader;
        zxid[index] = voteZxid;
        electionEpoch[index] = voteElectionEpoch;
        peerEpoch[index] = votePeerEpoch;
        state[index] = voteState;
        version[index] = voteVersion;
        presentMask |= 1L << index;
    }

    boolean has(final int index) {
        return (presentMask & (1L << index)) != 0;
    }

    int state(final int index) {
        return state[index];
    }

    long presentMask() {
        return presentMask;
    }

    /** Members whose recorded vote was cast while they were LOOKING. */
    long lookingMask() {
        long mask = 0;
        long rest = presentMask;
        while (rest != 0) {
            final int i = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            if (state[i] == 0) {
                mask |= 1L << i;
            }
        }
        return mask;
    }

    /** Members whose recorded vote equals the given vote under ZooKeeper's {@code Vote.equals}. */
    long maskEqualTo(final int voteState, final int voteVersion, final long voteLeader, final long voteZxid,
        final long voteElectionEpoch, final long votePeerEpoch) {
        return VoteOrder.maskEqualTo(presentMask, state, version, leader, zxid, electionEpoch, peerEpoch,
            voteState, voteVersion, voteLeader, voteZxid, voteElectionEpoch, votePeerEpoch);
    }
}
