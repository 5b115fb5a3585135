package io.electionbench.core.sim.network;

import org.agrona.concurrent.ringbuffer.RingBuffer;

import io.electionbench.core.election.PersistentState;

/**
 * The servers a {@link SimNetwork} connects, by member index, as the network sees them: the
 * simulator's cluster implements it. Simulator thread only.
 */
public interface Endpoints {
    /** Virtual time now. */
    long nowNs();

    /** The inbound ring of server {@code i} while it is up; null while it is down. */
    RingBuffer inbound(int i);

    /** How often server {@code i} has started: a message scheduled for an earlier incarnation is dropped. */
    int incarnation(int i);

    /** Server {@code i}'s durable state, whose data a notification records when it is sent. */
    PersistentState storage(int i);

    /**
     * A LOOKING notification from {@code from} is about to reach {@code to}: its round and vote, and the
     * sender's own current epoch and last logged zxid when it sent it (for the completeness check).
     */
    void onLookingVote(int to, int from, long round, long leader, long zxid, long peerEpoch, long senderEpoch,
        long senderZxid);

    /** Something was put on server {@code i}'s ring: it runs a duty cycle now. */
    void onDelivered(int i);
}
