package io.electionbench.core;

/**
 * The total order of Fast Leader Election votes (ZooKeeper's {@code totalOrderPredicate}) and the
 * vote equality used to count them ({@code Vote.equals}). Pure functions over primitives so they can
 * be tested exhaustively and benchmarked.
 */
public final class VoteOrder {
    private VoteOrder() {
    }

    /**
     * True iff the new vote is strictly better than the current one: higher peer epoch, then higher
     * zxid, then higher sid. Signed comparison, as in ZooKeeper. The weight check of
     * {@link #isBetter(long, long, long, long, long, long, long)} is left to the caller.
     */
    public static boolean isGreater(
        final long newId, final long newZxid, final long newPeerEpoch,
        final long curId, final long curZxid, final long curPeerEpoch) {
        if (newPeerEpoch != curPeerEpoch) {
            return newPeerEpoch > curPeerEpoch;
        }
        if (newZxid != curZxid) {
            return newZxid > curZxid;
        }
        return newId > curId;
    }

    /**
     * ZooKeeper's {@code totalOrderPredicate}: a proposal of zero weight never wins (ZOOKEEPER-491),
     * so a zero-weight server votes but is never adopted as the proposal.
     *
     * @param newIdWeight the quorum weight of {@code newId}
     */
    public static boolean isBetter(
        final long newId, final long newZxid, final long newPeerEpoch,
        final long curId, final long curZxid, final long curPeerEpoch,
        final long newIdWeight) {
        return newIdWeight != 0 && isGreater(newId, newZxid, newPeerEpoch, curId, curZxid, curPeerEpoch);
    }

    /**
     * ZooKeeper's {@code Vote.equals}: when either vote is LOOKING all four fields must match; between
     * two FOLLOWING/LEADING votes the zxid and election epoch are ignored (ZOOKEEPER-1805/1732), and
     * when exactly one of the two has {@code version > 0} only the leader id is compared (mixed-version
     * rolling upgrade).
     */
    public static boolean votesEqual(
        final int stateA, final int versionA, final long idA, final long zxidA, final long electionEpochA,
        final long peerEpochA,
        final int stateB, final int versionB, final long idB, final long zxidB, final long electionEpochB,
        final long peerEpochB) {
        final int looking = ServerState.LOOKING.code();
        if (stateA == looking || stateB == looking) {
            return idA == idB && zxidA == zxidB && electionEpochA == electionEpochB && peerEpochA == peerEpochB;
        }
        if ((versionA > 0) ^ (versionB > 0)) {
            return idA == idB;
        }
        return idA == idB && peerEpochA == peerEpochB;
    }

    /**
     * The members whose recorded vote equals the given vote under {@link #votesEqual}: bit {@code i} of
     * the result is set when bit {@code i} of {@code presentMask} is and member {@code i}'s vote, read
     * from the per-member arrays (indexed by member index, so at most 64 members), equals it. Only
     * present members are read. The election counts a quorum with this ({@code VoteTable}).
     */
    public static long maskEqualTo(
        final long presentMask, final int[] states, final int[] versions, final long[] leaders, final long[] zxids,
        final long[] electionEpochs, final long[] peerEpochs,
        final int voteState, final int voteVersion, final long voteLeader, final long voteZxid,
        final long voteElectionEpoch, final long votePeerEpoch) {
        long mask = 0;
        long rest = presentMask;
        while (rest != 0) {
            final int i = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            if (votesEqual(
                states[i], versions[i], leaders[i], zxids[i], electionEpochs[i], peerEpochs[i],
                voteState, voteVersion, voteLeader, voteZxid, voteElectionEpoch, votePeerEpoch)) {
                mask |= 1L << i;
            }
        }
        return mask;
    }
}
