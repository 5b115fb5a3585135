package io.electionbench.core.election;

import org.agrona.MutableDirectBuffer;

/**
 * The records that carry only a sid: LEARNER_REJECT (from the leader that refused us),
 * PEER_CONNECTED, PEER_DISCONNECTED and QUORUM_DISCONNECTED (about the peer whose link changed), and
 * PEER_UNREACHABLE (the peer a dial the agent asked for could not reach).
 *
 * <pre>
 *  0 sid  long
 *  8
 * </pre>
 */
final class SidFlyweight extends InboundFlyweight {
    static final int LENGTH = 8;

    static void encode(final MutableDirectBuffer buffer, final int index, final long sid) {
        buffer.putLong(index + FROM_OFFSET, sid);
    }
}
