package io.electionbench.core.zab;

/**
 * What the ZAB phases of one member ask of the agent that runs them: its clock and role, what it
 * knows to be committed, and the changes only the agent may carry out, since it owns the one state
 * setter (looking again, serving, halting, giving up on its storage). The agent implements this
 * privately, so the phases share its state through these calls and never through its fields. Agent
 * thread only.
 */
public interface Member {
    /** The time of the duty cycle being run. */
    long nowNs();

    boolean isLeading();

    /** FOLLOWING or OBSERVING. */
    boolean isLearner();

    /** The members whose election link is up (member index mask): reachable for votes and pings. */
    long connectedMask();

    /** Ends the role: the member goes back to LOOKING, saying why (a constant string). */
    void lookAgain(String reason);

    /**
     * The member serves from now (ZooKeeper's {@code updateElectionVote}: the vote it answers LOOKING
     * servers with carries {@code peerEpoch}, the epoch now established); the observer is told.
     */
    void serving(long peerEpoch);

    /**
     * A storage operation failed under the role: an I/O error takes the member out of elections until
     * its storage takes a write again; anything else only ends the role.
     */
    void cannotUseStorage(String reason, RuntimeException cause);

    /** The storage failed with an I/O error: the role ends and the member stays out of elections. */
    void storageFailed(String reason, RuntimeException cause);

    /** The epoch space is exhausted: the member takes no further part. */
    void halt(String reason);

    /** A message carried an epoch or zxid outside the epoch space: dropped and counted. */
    void epochRefused();

    /** A message that does not fit the member's state, or from a member it does not know: dropped and counted. */
    void messageDropped();

    /** Committed up to this zxid, as far as this member knows (a leader decides it; a learner hears it). */
    long commitZxid();

    void commitZxid(long zxid);
}
