package io.electionbench.transport.net;

/** The two listeners of a member. */
public enum PortKind {
    /** ZooKeeper-compatible election port (usually 3888). */
    ELECTION,
    /** electionbench's quorum port (usually 2888): learner info, reject, ping. */
    QUORUM
}
