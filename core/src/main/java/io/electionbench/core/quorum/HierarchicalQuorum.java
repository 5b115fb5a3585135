package io.electionbench.core.quorum;

/**
 * ZooKeeper's {@code QuorumHierarchical}: voters are arranged in groups, each with weights. A set is a
 * quorum when, in more than half of the groups of non-zero total weight, it holds more than half of
 * that group's weight (integer halves, exactly as ZooKeeper computes them).
 */
public final class HierarchicalQuorum implements QuorumVerifier {
    private final long[] groupMasks;
    private final long[] groupHalfWeights;
    private final long[] weights;
    private final long votersMask;
    private final int countedGroups;

    /**
     * @param groupMasks members of each group, as index masks; groups are disjoint
     * @param weights    weight per member index (members outside every group are ignored)
     */
    public HierarchicalQuorum(final long[] groupMasks, final long[] weights) {
        this.groupMasks = groupMasks.clone();
        this.weights = weights.clone();
        this.groupHalfWeights = new long[groupMasks.length];
        long voters = 0;
        int nonZero = groupMasks.length;
        for (int g = 0; g < groupMasks.length; g++) {
            if ((voters & groupMasks[g]) != 0) {
                throw new IllegalArgumentException("a server is in more than one group");
            }
            voters |= groupMasks[g];
            final long total = weightOf(groupMasks[g]);
            groupHalfWeights[g] = total / 2;
            if (total == 0) {
                nonZero--;
            }
        }
        if (voters == 0) {
            throw new IllegalArgumentException("a hierarchical quorum needs at least one server in a group");
        }
        this.votersMask = voters;
        this.countedGroups = nonZero;
    }

    @Override
    public long weight(final int memberIndex) {
        return isVoter(memberIndex) ? weights[memberIndex] : 0;
    }

    @Override
    public boolean isVoter(final int memberIndex) {
        return (votersMask & (1L << memberIndex)) != 0;
    }

    @Override
    public long votersMask() {
        return votersMask;
    }

    @Override
    public boolean containsQuorum(final long memberMask) {
        final long mask = memberMask & votersMask;
        if (mask == 0) {
            return false;
        }
        int majorityGroups = 0;
        for (int g = 0; g < groupMasks.length; g++) {
            final long inGroup = mask & groupMasks[g];
            if (inGroup != 0 && weightOf(inGroup) > groupHalfWeights[g]) {
                majorityGroups++;
            }
        }
        return majorityGroups > countedGroups / 2;
    }

    @Override
    public String kind() {
        return "hierarchical";
    }

    private long weightOf(final long mask) {
        long sum = 0;
        long rest = mask;
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            sum += weights[index];
            rest &= rest - 1;
        }
        return sum;
    }
}
