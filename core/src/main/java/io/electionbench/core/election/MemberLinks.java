package io.electionbench.core.election;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.quorum.QuorumVerifier;
import io.electionbench.core.zab.Discovery;
import io.electionbench.core.zab.Follower;
import io.electionbench.core.zab.Leadership;

/**
 * A member's links and relationships: the transport's link events (a link up, an election or quorum
 * link down, a dial that failed) and the messages that start or end a leader-learner relationship
 * (FOLLOWERINFO, a refusal, pings), each routed to the phase of the member's current role. Which
 * peers are reachable for votes is the agent's ({@link MemberAgent#peerReachable}); roles change only
 * through the agent's state setter. Agent thread only. See docs/architecture.md.
 */
final class MemberLinks {
    private final MemberAgent agent;
    private final int myIndex;
    private final Ensemble ensemble;
    private final QuorumVerifier quorum;
    private final PeerPublisher publisher;
    private final FastLeaderElection election;
    private final Leadership leadership;
    private final Discovery discovery;
    private final Follower follower;

    MemberLinks(final MemberAgent agent, final Ensemble ensemble, final PeerPublisher publisher,
        final FastLeaderElection election, final Leadership leadership, final Discovery discovery,
        final Follower follower) {
        this.agent = agent;
        this.ensemble = ensemble;
        this.myIndex = ensemble.indexOf(agent.sid());
        this.quorum = ensemble.quorum();
        this.publisher = publisher;
        this.election = election;
        this.leadership = leadership;
        this.discovery = discovery;
        this.follower = follower;
    }

    /**
     * A learner announces itself (FOLLOWERINFO). A leader registers it, unless it only resumes a session
     * that is intact; a fast LOOKING node that votes for itself keeps it for when it leads; anyone else
     * refuses (ZooKeeper's would-be leader has no quorum listener yet).
     */
    void onLearnerInfo(final long from, final long acceptedEpoch, final int flags) {
        final int index = ensemble.indexOf(from);
        if (index < 0 || index == myIndex) {
            agent.messageDropped();
            return;
        }
        if (!Zxid.isValidEpoch(acceptedEpoch)) {
            agent.epochRefused();
            return;
        }
        final ServerState state = agent.state();
        if ((flags & InboundMessages.LEARNER_RESUME) != 0 && state == ServerState.LEADING
            && leadership.resumes(index, acceptedEpoch, discovery.newEpoch())) {
            return;
        }
        agent.peerReachable(index);
        leadership.learner(index).acceptedEpoch(acceptedEpoch);
        if (state == ServerState.LEADING) {
            leadership.register(index);
            discovery.learnerJoined(index);
        } else if (state != ServerState.LOOKING || !election.keepEarlyLearner(index)) {
            publisher.sendLearnerReject(from);
        }
    }

    /**
     * A refusal or a closed relationship (ZooKeeper closes the learner socket): from our leader
     * ({@link Follower#onRejected}), from a learner ({@link Leadership#onRejected}), or from one that
     * chose us while we look.
     */
    void onLearnerReject(final long from) {
        final int index = ensemble.indexOf(from);
        if (index < 0) {
            agent.messageDropped();
        } else if (isLearner() && from == follower.leaderSid()) {
            follower.onRejected();
        } else if (agent.state() == ServerState.LOOKING) {
            election.forgetEarlyLearner(index);
        } else if (agent.state() == ServerState.LEADING) {
            leadership.onRejected(index);
        }
    }

    /** A ping: from our leader it proves the link; from anyone else it is a leader looking for followers we refuse. */
    void onPing(final long from) {
        if (agent.state() != ServerState.LOOKING && from != agent.leader()) {
            publisher.sendLearnerReject(from);
        } else if (isLearner()) {
            follower.onPing(from);
        }
    }

    void onPingAck(final long from) {
        final int index = ensemble.indexOf(from);
        if (agent.state() == ServerState.LEADING && index >= 0) {
            leadership.onPingAck(index);
        }
    }

    /** The transport established a link to {@code sid}; a LOOKING node tells it its vote at once. */
    void onPeerConnected(final long sid) {
        final int index = ensemble.indexOf(sid);
        if (index < 0 || index == myIndex) {
            return;
        }
        agent.peerReachable(index);
        if (agent.state() == ServerState.LOOKING && quorum.isVoter(index)) {
            election.sendVote(index);
        } else if (isLearner() && sid == follower.leaderSid()) {
            follower.onLinkUp();
        }
    }

    /**
     * The election link to {@code sid} dropped: it is no longer reachable for votes, so a LOOKING node
     * stops waiting for it. Nothing else: roles ride on the quorum link ({@link #onQuorumDisconnected}).
     * Without a peer secret anyone can connect to the election port claiming a member's sid, replacing
     * that member's link, and hang up; a follower that took that for its leader's loss went LOOKING.
     */
    void onPeerDisconnected(final long sid) {
        final int index = ensemble.indexOf(sid);
        if (index < 0 || index == myIndex) {
            return;
        }
        agent.peerUnreachable(index);
        if (agent.state() == ServerState.LOOKING) {
            election.checkQuorum();
        } else if (isLearner() && sid == follower.leaderSid()) {
            follower.onLinkDown();
        }
    }

    /**
     * The quorum link to {@code sid} dropped (EOF or RST): the relationship on it is over, since
     * messages may have been lost with it. A learner whose leader it was starts looking at once, which
     * is how a killed leader is noticed without waiting for syncLimit (ZooKeeper's follower sees its
     * learner socket close); a leader forgets the learner, which announces itself afresh; a LOOKING
     * node forgets a learner that chose it early.
     */
    void onQuorumDisconnected(final long sid) {
        final int index = ensemble.indexOf(sid);
        if (index < 0 || index == myIndex) {
            return;
        }
        if (agent.state() == ServerState.LEADING) {
            leadership.onLinkDown(index);
        }
        election.forgetEarlyLearner(index);
        if (isLearner() && sid == follower.leaderSid()) {
            agent.lookAgain("connection to leader lost");
        }
    }

    /**
     * A connection attempt to {@code sid} that the agent asked for failed before it connected
     * ({@link PeerPublisher#connect}): if it is the leader this learner chose and has not heard from,
     * one failed try to reach it ({@link Follower#onUnreachable}). Anyone else's is of no interest:
     * the transport keeps redialling, and a LOOKING node waits for votes, not connections.
     */
    void onPeerUnreachable(final long sid) {
        if (isLearner() && sid == follower.leaderSid()) {
            follower.onUnreachable();
        }
    }

    private boolean isLearner() {
        final ServerState state = agent.state();
        return state == ServerState.FOLLOWING || state == ServerState.OBSERVING;
    }
}
