package io.electionbench.core.quorum;

/**
 * Decides whether a set of ensemble members forms a quorum. Members are addressed by their index in
 * the {@link Ensemble} (0..63) and a set of them is a bit mask, so checks allocate nothing.
 * Non-voters (observers) never count, whatever the mask holds.
 */
public interface QuorumVerifier {
    /** The quorum weight of a member: 1 for majority quorums, {@code weight.N} for hierarchical ones. */
    long weight(int memberIndex);

    /** True if the member votes (a participant in the config). */
    boolean isVoter(int memberIndex);

    /** The mask of all voting members. */
    long votersMask();

    /** True if the voters in {@code memberMask} form a quorum. */
    boolean containsQuorum(long memberMask);

    /** A short name for reports: {@code majority} or {@code hierarchical}. */
    String kind();
}
