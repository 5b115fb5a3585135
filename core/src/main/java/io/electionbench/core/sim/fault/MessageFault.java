package io.electionbench.core.sim.fault;

import io.electionbench.core.sim.network.MessageAction;
import io.electionbench.core.sim.network.MessageKind;

/**
 * A scenario's message fault: {@code action} for the next {@code count} messages of {@code kind} from
 * {@code fromSid} to {@code toSid}, where a sid of {@link #EVERY} stands for every other member and the
 * count applies to each link on its own ({@code delay 2->* ackepoch 50ms} delays the next ACKEPOCH 2
 * sends to each peer). What the network does with it: {@code SimNetwork#faultMessages}.
 */
public record MessageFault(MessageAction action, long fromSid, long toSid, MessageKind kind, long count,
    long delayNs) {
    /** Stands for every member but the other end of the link. */
    public static final long EVERY = 0;

    public MessageFault {
        if (count <= 0) {
            throw new IllegalArgumentException("a message fault's count must be positive, got " + count);
        }
        if ((action == MessageAction.DELAY) != (delayNs > 0)) {
            throw new IllegalArgumentException("a delay, and only a delay, has a positive duration");
        }
        if (fromSid < 0 || toSid < 0 || fromSid == toSid && fromSid != EVERY) {
            throw new IllegalArgumentException("a message fault names two different servers (or *)");
        }
    }
}
