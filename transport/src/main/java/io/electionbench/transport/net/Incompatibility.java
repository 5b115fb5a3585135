package io.electionbench.transport.net;

import java.util.Locale;

/**
 * Why a member cannot work with us at the quorum port although it elects with us: it is a real
 * ZooKeeper server, whose quorum protocol (jute {@code QuorumPacket}s, the learner dialing its
 * leader) is not electionbench's (docs/transport.md, "Running next to real ZooKeeper servers").
 */
public enum Incompatibility {
    /**
     * It dialed our quorum port with FOLLOWERINFO or OBSERVERINFO ({@code Learner.registerWithLeader}):
     * a ZooKeeper learner that elected us and cannot read our quorum protocol.
     */
    ZOOKEEPER_LEARNER("a ZooKeeper learner dialed our quorum port (jute FOLLOWERINFO/OBSERVERINFO): it cannot "
        + "follow an electionbench leader", "its connections are held unanswered until handshakeTimeoutMs, so it "
        + "retries once per deadline"),
    /**
     * Its quorum port took our connection and closed it without a byte in answer to our LEARNER_INFO,
     * which an electionbench member never does: a ZooKeeper leader reads our header as a jute
     * {@code QuorumPacket} and gives up ({@code LearnerHandler.run}).
     */
    ZOOKEEPER_LEADER("its quorum port closed our connection without a byte in answer to LEARNER_INFO, as a "
        + "ZooKeeper leader does: we cannot follow it", "our dials to it back off up to reconnectMaxMs");

    private final String metricName = name().toLowerCase(Locale.ROOT);
    private final String description;
    private final String consequence;

    Incompatibility(final String description, final String consequence) {
        this.description = description;
        this.consequence = consequence;
    }

    /** The {@code reason} in {@code GET /state}'s {@code incompatiblePeers}. */
    public String metricName() {
        return metricName;
    }

    /** What is incompatible, for the log line and {@code /state}. */
    public String description() {
        return description;
    }

    /** What the transport does about it, for the log line. */
    public String consequence() {
        return consequence;
    }
}
