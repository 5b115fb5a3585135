package io.electionbench.core.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/**
 * The commit rule against its definition, by brute force: the commit point is the largest z such
 * that some quorum S (any subset of the counted members the verifier accepts) has every member's
 * acknowledgement at least z, that is the largest min(acked over S) over all quorums S; none when no
 * subset is a quorum. Majority and hierarchical quorums with random groups and weights (zero weights
 * included), random counted members, acknowledgements from a small range so ties are common.
 */
class CommitRuleProperties {
    @Property(tries = 3000)
    void majorityCommitIsTheBestQuorumsLeastAcknowledgement(
        @ForAll @IntRange(min = 1, max = 9) final int size,
        @ForAll @Size(9) final List<@LongRange(min = -1, max = 6) Long> acks,
        @ForAll @IntRange(min = 0, max = 511) final int counted,
        @ForAll @IntRange(min = 0, max = 511) final int observers) {
        final long all = (1L << size) - 1;
        final long voters = (all & ~observers) == 0 ? all : all & ~observers;
        check(new MajorityQuorum(voters), acks, counted & all);
    }

    @Property(tries = 3000)
    void hierarchicalCommitIsTheBestQuorumsLeastAcknowledgement(
        @ForAll @Size(9) final List<@IntRange(min = 0, max = 2) Integer> groupOf,
        @ForAll @Size(9) final List<@LongRange(min = 0, max = 3) Long> weights,
        @ForAll @Size(9) final List<@LongRange(min = -1, max = 6) Long> acks,
        @ForAll @IntRange(min = 0, max = 511) final int counted) {
        final long[] groups = new long[3];
        for (int i = 0; i < 9; i++) {
            groups[groupOf.get(i)] |= 1L << i;
        }
        final long[] w = weights.stream().mapToLong(Long::longValue).toArray();
        check(new HierarchicalQuorum(nonEmpty(groups), w), acks, counted);
    }

    private static long[] nonEmpty(final long[] groups) {
        return java.util.Arrays.stream(groups).filter(g -> g != 0).toArray();
    }

    private static void check(final QuorumVerifier quorum, final List<Long> ackList, final long members) {
        final long[] acked = ackList.stream().mapToLong(Long::longValue).toArray();
        assertEquals(bruteForce(quorum, acked, members), CommitRule.committedZxid(acked, members, quorum),
            () -> "acks " + ackList + " members " + Long.toBinaryString(members) + " " + quorum.kind());
    }

    /** The largest least acknowledgement over every subset of {@code members} that is a quorum. */
    private static long bruteForce(final QuorumVerifier quorum, final long[] acked, final long members) {
        long best = CommitRule.NO_QUORUM;
        for (long subset = members; ; subset = (subset - 1) & members) {
            if (subset != 0 && quorum.containsQuorum(subset)) {
                long least = Long.MAX_VALUE;
                for (int i = 0; i < acked.length; i++) {
                    if ((subset & (1L << i)) != 0) {
                        least = Math.min(least, acked[i]);
                    }
                }
                best = Math.max(best, least);
            }
            if (subset == 0) {
                return best;
            }
        }
    }
}
