package io.electionbench.core.election;

/**
 * Outbound messages of one node. Implementations encode into per-peer buffers (the transport) or
 * schedule deliveries (the simulator). A send returns false under back-pressure or when the peer is
 * unreachable; the agent retries what matters on its next duty cycle. Every argument is a primitive
 * so sending allocates nothing.
 */
public interface PeerPublisher {
    /** A ZooKeeper election notification (election port). */
    boolean sendNotification(long toSid, int state, long leader, long zxid, long electionEpoch, long peerEpoch);

    /** A learner announces itself to the leader it decided for (quorum port; ZooKeeper's FOLLOWERINFO). */
    boolean sendLearnerInfo(long toSid, long acceptedEpoch, long lastZxid, boolean isObserver);

    /** The addressee is not leading: the learner's choice was wrong (a refused connection in ZooKeeper). */
    boolean sendLearnerReject(long toSid);

    /** Leader to learner heartbeat carrying the leader's last zxid. */
    boolean sendPing(long toSid, long zxid);

    /** Learner's answer to a ping. */
    boolean sendPingAck(long toSid, long zxid);
}
