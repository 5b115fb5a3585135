package io.electionbench.core.quorum;

/** ZooKeeper's {@code QuorumMaj}: more than half of the voters, every voter weighing 1. */
public final class MajorityQuorum implements QuorumVerifier {
    private final long votersMask;
    private final int half;

    public MajorityQuorum(final long votersMask) {
        if (votersMask == 0) {
            throw new IllegalArgumentException("a majority quorum needs at least one voter");
        }
        this.votersMask = votersMask;
        this.half = Long.bitCount(votersMask) / 2;
    }

    @Override
    public long weight(final int memberIndex) {
        return 1;
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
        return Long.bitCount(memberMask & votersMask) > half;
    }

    @Override
    public String kind() {
        return "majority";
    }
}
