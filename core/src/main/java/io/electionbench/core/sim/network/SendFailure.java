package io.electionbench.core.sim.network;

import java.util.Locale;

/**
 * The sends a simulated link refused, by message kind, and the times a quorum link answered not
 * writable: each is one of the agent's failure paths, so a sweep can say how often each ran
 * (docs/architecture.md, "The simulator's link model"). A quorum message that needs an open
 * connection is refused on a link its sender has seen drop; any message is refused on a link that is
 * full, as the transport refuses one past its pending-bytes cap.
 */
public enum SendFailure {
    /** A full election link: the agent resends its newest vote on a later duty cycle. */
    NOTIFICATION,
    /** A learner's announcement: it is resent until the leader answers. */
    LEARNER_INFO,
    /** A refusal or goodbye: the other side finds out by its own timers. */
    LEARNER_REJECT,
    /** A leader's ping: the learner's silence ends the relationship after syncLimit. */
    PING,
    /** A learner's answer to a ping: likewise. */
    PING_ACK,
    /** LEADERINFO: the leader drops the learner. */
    LEADER_INFO,
    /** ACKEPOCH: the learner cannot reach the leader and looks again. */
    ACK_EPOCH,
    /** The start of a sync: the leader drops the learner. */
    SYNC_START,
    /** A snapshot chunk of a sync: the leader drops the learner. */
    SNAPSHOT_CHUNK,
    /** A txn of a sync stream: the leader drops the learner. */
    SYNC_TXN,
    /** A broadcast proposal: the leader drops each learner it could not be sent to. */
    PROPOSAL,
    /** NEWLEADER at the end of a sync: the leader drops the learner. */
    NEW_LEADER,
    /** A learner's ACK of NEWLEADER or of proposals: it cannot reach the leader and looks again. */
    ACK,
    /** COMMIT: the leader drops the learner. */
    COMMIT,
    /** UPTODATE: the leader drops the learner. */
    UP_TO_DATE,
    /** Not a refusal: a quorum link answered not writable, so a sync stream paused. */
    NOT_WRITABLE;

    /** The lower-case name with dashes, for a summary line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
