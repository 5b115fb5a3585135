package io.electionbench.core.quorum;

/**
 * The commit point as a pure function over acknowledgements: the highest zxid that a quorum of the
 * counted members has acknowledged (every member of the quorum acknowledged it or a later one). Raft
 * calls it {@code MajorityConfig.CommittedIndex} (etcd raft's {@code quorum/majority.go}); here the
 * quorum is any {@link QuorumVerifier}, so hierarchical weights count as ZooKeeper counts them
 * ({@code QuorumHierarchical.containsQuorum}). No allocation; see docs/architecture.md, "The commit rule".
 */
public final class CommitRule {
    /** The members given do not form a quorum, so nothing is committed by them. */
    public static final long NO_QUORUM = Long.MIN_VALUE;

    private CommitRule() {
    }

    /**
     * The largest value {@code z} among {@code acked[i]}, {@code i} in {@code members}, such that the
     * members whose acknowledgement is at least {@code z} form a quorum; {@link #NO_QUORUM} if even
     * all of {@code members} do not. Members are taken in decreasing order of acknowledgement until
     * they form a quorum, so the answer is also the least acknowledgement within the smallest such
     * prefix, and monotone: raising any acknowledgement never lowers it.
     *
     * @param acked   acknowledged zxid per member index; only the entries of {@code members} are read
     * @param members the members that count (a bit per member index); non-voters never form a quorum
     */
    public static long committedZxid(final long[] acked, final long members, final QuorumVerifier quorum) {
        long remaining = members;
        long holders = 0;
        while (remaining != 0) {
            long highest = Long.MIN_VALUE;
            for (long rest = remaining; rest != 0; rest &= rest - 1) {
                highest = Math.max(highest, acked[Long.numberOfTrailingZeros(rest)]);
            }
            for (long rest = remaining; rest != 0; rest &= rest - 1) {
                final int i = Long.numberOfTrailingZeros(rest);
                if (acked[i] == highest) {
                    holders |= 1L << i;
                    remaining &= ~(1L << i);
                }
            }
            if (quorum.containsQuorum(holders)) {
                return highest;
            }
        }
        return NO_QUORUM;
    }
}
