package io.electionbench.core.election;

import io.electionbench.core.ServerState;
import io.electionbench.core.VoteOrder;
import io.electionbench.core.Zxid;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.quorum.QuorumVerifier;
import io.electionbench.core.zab.Follower;

/**
 * One LOOKING period of ZooKeeper's Fast Leader Election ({@code FastLeaderElection.lookForLeader} and
 * its receiver, {@code Messenger.WorkerReceiver}): the vote this member sends, the tally of its round
 * ({@code recvset}), the votes of members outside the election ({@code outofelection}), the learners
 * that chose it early, and the resend and finalize timers. One preallocated object per agent, reset
 * each time the agent starts looking ({@link #reset}) and fed the notifications it receives while it
 * exists, as Aeron's {@code ConsensusModuleAgent} feeds its {@code Election}; {@link #doWork} runs the
 * timers, one method per {@link State}. The vote order, round handling, vote equality and the join
 * path through FOLLOWING/LEADING votes are ZooKeeper's; when to stop waiting is the
 * {@link ElectionPolicy}'s. A decision goes back to the agent ({@code MemberAgent.decide}), which
 * changes role. Agent thread only; nothing here allocates.
 */
final class FastLeaderElection {
    /** Where this member is in its LOOKING period. */
    enum State {
        /** Not looking: the member has a role, or has not started. */
        IDLE,
        /** Exchanging votes; the vote is resent to every voter when nothing arrived for the notification timeout. */
        COLLECTING,
        /** The vote has a quorum in its round (or a quorum of learners waits): the quiet period before deciding. */
        FINALIZING
    }

    private static final int LOOKING = ServerState.LOOKING.code();
    private static final int LEADING = ServerState.LEADING.code();

    private final MemberAgent agent;
    private final long mySid;
    private final int myIndex;
    private final long myBit;
    private final boolean isParticipant;
    private final Ensemble ensemble;
    private final QuorumVerifier quorum;
    private final ElectionPolicy policy;
    private final PeerPublisher publisher;
    private final PersistentState storage;
    private final VoteTable recvSet;
    private final VoteTable outOfElection;

    private State state = State.IDLE;
    private long logicalClock;
    private long candidate;
    private long candidateZxid;
    private long candidateEpoch;
    private long initialLeader;
    private long initialZxid;
    private long initialEpoch;
    private long lookingSinceNs;
    private long voteChangedNs;
    private long notTimeoutNs;
    private long resendDeadlineNs;
    private long finalizeDeadlineNs;
    /** Peers already answered with the current vote (fast policy's answer to a worse vote). */
    private long answeredMask;
    /** Voters whose election link refused the vote: it is sent again on a later duty cycle. */
    private long pendingVoteMask;
    /** Learners that announced themselves while this member votes for itself (keep-early-learners policy). */
    private long earlyLearnerMask;
    /** The vote this member decided for last: the one it answers LOOKING members with outside an election. */
    private long voteLeader;
    private long voteZxid;
    private long voteElectionEpoch;
    private long votePeerEpoch;
    private long electionRounds;
    private long notificationsSent;

    FastLeaderElection(final MemberAgent agent, final long mySid, final Ensemble ensemble,
        final ElectionPolicy policy, final PeerPublisher publisher, final PersistentState storage) {
        this.agent = agent;
        this.mySid = mySid;
        this.myIndex = ensemble.indexOf(mySid);
        this.myBit = 1L << myIndex;
        this.ensemble = ensemble;
        this.quorum = ensemble.quorum();
        this.isParticipant = quorum.isVoter(myIndex);
        this.policy = policy;
        this.publisher = publisher;
        this.storage = storage;
        this.recvSet = new VoteTable(ensemble.size());
        this.outOfElection = new VoteTable(ensemble.size());
        initialVote();
        voteLeader = initialLeader;
        voteZxid = initialZxid;
        votePeerEpoch = initialEpoch;
    }

    /**
     * ZooKeeper's {@code lookForLeader} start: the next round, this member's initial vote, told to every
     * voter. May decide at once (through the agent) when the tally already allows it.
     */
    void reset(final long nowNs) {
        state = State.COLLECTING;
        logicalClock++;
        electionRounds++;
        lookingSinceNs = nowNs;
        initialVote();
        recvSet.clear();
        outOfElection.clear();
        earlyLearnerMask = 0;
        adopt(initialLeader, initialZxid, initialEpoch);
        notTimeoutNs = policy.minNotificationIntervalNs();
        resendDeadlineNs = nowNs + notTimeoutNs;
        sendVoteToVoters();
        checkQuorum();
    }

    /** The member took a role: the period is over (its round, vote and counters stay readable). */
    void close() {
        state = State.IDLE;
    }

    /** The timers of the current state. */
    int doWork(final long nowNs) {
        switch (state) {
            case COLLECTING:
                return collecting(nowNs);
            case FINALIZING:
                return finalizing(nowNs);
            default:
                return 0;
        }
    }

    /**
     * Resends the vote when nothing arrived for the notification timeout, which doubles up to the
     * policy's maximum. Under the zookeeper policy only if a notification got through to some peer
     * ({@link PeerPublisher#haveDelivered}); otherwise it dials every voter instead, as
     * {@code lookForLeader} calls {@code manager.connectAll()}, and the kept notifications go out as
     * the links come up.
     */
    private int collecting(final long nowNs) {
        if (nowNs - resendDeadlineNs < 0) {
            return 0;
        }
        if (policy.isResendOnlyIfDelivered() && !publisher.haveDelivered()) {
            connectToVoters();
        } else {
            sendVoteToVoters();
        }
        notTimeoutNs = Math.min(notTimeoutNs * 2, policy.maxNotificationIntervalNs());
        resendDeadlineNs = nowNs + notTimeoutNs;
        return 1;
    }

    /**
     * The quiet period is over: decide if the quorum still stands. If it dissolved during the wait (a
     * voter left, or votes changed), keep collecting, and resend now if the wait outlasted the resend timer.
     */
    private int finalizing(final long nowNs) {
        if (nowNs - finalizeDeadlineNs < 0) {
            return 0;
        }
        state = State.COLLECTING;
        final long agree = recvSet.maskEqualTo(
            LOOKING, MemberAgent.NOTIFICATION_VERSION, candidate, candidateZxid, logicalClock, candidateEpoch);
        if (quorum.containsQuorum(agree)) {
            decide(candidate, candidateZxid, logicalClock, candidateEpoch, agree & recvSet.lookingMask(),
                "quorum and quiet");
            return 1;
        } else if (hasEarlyLearnerQuorum()) {
            decide(mySid, candidateZxid, logicalClock, candidateEpoch, 0, "a quorum already follows");
            return 1;
        }
        return collecting(nowNs);
    }

    /** Records the decided vote, then lets the agent take the role it decided for. */
    private void decide(final long leader, final long zxid, final long electionEpoch, final long peerEpoch,
        final long quorumMask, final String reason) {
        voteLeader = leader;
        voteZxid = zxid;
        voteElectionEpoch = electionEpoch;
        votePeerEpoch = peerEpoch;
        agent.decide(leader, zxid, electionEpoch, peerEpoch, quorumMask, reason);
    }

    /**
     * The member serves from now: the vote it answers LOOKING servers with carries the epoch now
     * established (ZooKeeper's {@code QuorumPeer.updateElectionVote}).
     */
    void serving(final long peerEpoch) {
        votePeerEpoch = peerEpoch;
    }

    /** The earliest time {@link #doWork} has timer work, while looking. */
    long deadlineNs() {
        return state == State.FINALIZING ? finalizeDeadlineNs : resendDeadlineNs;
    }

    // ------------------------------------------------------------------------------------------------
    // Receiving

    /**
     * An election notification, under the receiver rules of ZooKeeper's
     * {@code FastLeaderElection.Messenger.WorkerReceiver}: a non-voting sender gets the member's current
     * vote at once and is never counted, whatever state code it sent ({@code WorkerReceiver.run} answers
     * {@code !validVoter(sid)} before it reads the state, and drops a voter's unknown code; both
     * policies); while LOOKING, a sender in an older round also gets this round's vote; while not
     * LOOKING, a LOOKING sender gets the current vote and real state, which is how late starters find
     * the leader.
     */
    void onNotification(final long from, final int nState, final long nLeader, final long nZxid,
        final long nElectionEpoch, final long nPeerEpoch, final int nVersion) {
        final int fromIndex = ensemble.indexOf(from);
        if (fromIndex < 0 || fromIndex == myIndex) {
            agent.messageDropped();
            return;
        }
        agent.peerReachable(fromIndex);
        if (agent.isStorageFailed()) {
            // Out of elections: neither counted nor answered, so nobody counts this member in a quorum.
            return;
        }
        final ServerState role = agent.state();
        if (!quorum.isVoter(fromIndex)) {
            send(from, role.code(), voteLeader, voteZxid, logicalClock, votePeerEpoch);
            return;
        }
        if (!ServerState.isValidCode(nState)) {
            agent.messageDropped();
            return;
        }
        if (!Zxid.isValidEpoch(nPeerEpoch) || !Zxid.isValid(nZxid)) {
            // A voter's vote is counted and adopted: out of range it could order itself above every
            // real vote. (A non-voter's, answered above, may carry ZooKeeper's Long.MIN_VALUE "no vote".)
            agent.epochRefused();
            return;
        }
        if (role == ServerState.LOOKING) {
            if (nState == LOOKING && nElectionEpoch < logicalClock) {
                send(from, LOOKING, candidate, candidateZxid, logicalClock, candidateEpoch);
            }
            onVote(fromIndex, nState, nLeader, nZxid, nElectionEpoch, nPeerEpoch, nVersion);
        } else if (nState == LOOKING) {
            send(from, role.code(), voteLeader, voteZxid, voteElectionEpoch,
                votePeerEpoch);
            if (nLeader != mySid) {
                agent.refused(fromIndex, "a quorum looks for another leader");
            }
            if (from == voteLeader && isLeaderStillLooking(nLeader == from, nElectionEpoch)) {
                agent.lookAgain("the leader it chose still looks");
            }
        }
    }

    /**
     * Whether a learner that has heard nothing from the leader it chose should stop waiting, on a LOOKING
     * notification from that leader in the round decided or a later one: at once if the leader now
     * proposes someone else (a proposal only improves within a round, so it will not lead that round),
     * and when it still proposes itself, once that lasted longer than a deciding leader can take (a
     * leader deaf to its voters never decides; the learner would wait initLimit ticks for it). Fast policy
     * only ({@link ElectionPolicy#stillLookingLeaderNs}); looking again costs liveness, never safety.
     */
    private boolean isLeaderStillLooking(final boolean proposesItself, final long nElectionEpoch) {
        final long patienceNs = policy.stillLookingLeaderNs();
        if (patienceNs == Long.MAX_VALUE || nElectionEpoch < voteElectionEpoch
            || agent.learnerStep() != Follower.Step.AWAIT_LEADER_INFO) {
            return false;
        }
        return !proposesItself || agent.nowNs() - agent.stateSinceNs() >= patienceNs;
    }

    /** A voter's vote while LOOKING: a better one cancels a quiet period (ZooKeeper's rule: any other restarts it). */
    private void onVote(final int fromIndex, final int nState, final long nLeader, final long nZxid,
        final long nElectionEpoch, final long nPeerEpoch, final int nVersion) {
        final long nowNs = agent.nowNs();
        if (state == State.FINALIZING) {
            if (isBetterThanVote(nLeader, nZxid, nPeerEpoch)) {
                state = State.COLLECTING;
            } else if (policy.isZooKeeperFinalize()) {
                finalizeDeadlineNs = nowNs + policy.quietNs(0);
                return;
            }
        }
        resendDeadlineNs = nowNs + notTimeoutNs;
        final int leaderIndex = ensemble.indexOf(nLeader);
        if (leaderIndex < 0 || !quorum.isVoter(leaderIndex)) {
            agent.messageDropped();
            return;
        }
        if (nState == LOOKING) {
            onLookingVote(fromIndex, nLeader, nZxid, nElectionEpoch, nPeerEpoch, nVersion);
        } else if (nState != ServerState.OBSERVING.code()) {
            onFollowingVote(fromIndex, nState, nLeader, nZxid, nElectionEpoch, nPeerEpoch, nVersion);
        }
    }

    private void onLookingVote(final int fromIndex, final long nLeader, final long nZxid, final long nElectionEpoch,
        final long nPeerEpoch, final int nVersion) {
        if (initialZxid == -1 || nZxid == -1) {
            return;
        }
        if (nElectionEpoch > logicalClock) {
            logicalClock = nElectionEpoch;
            recvSet.clear();
            if (isBetter(nLeader, nZxid, nPeerEpoch, initialLeader, initialZxid, initialEpoch)) {
                adopt(nLeader, nZxid, nPeerEpoch);
            } else {
                adopt(initialLeader, initialZxid, initialEpoch);
            }
            sendVoteToVoters();
        } else if (nElectionEpoch < logicalClock) {
            return;
        } else if (isBetterThanVote(nLeader, nZxid, nPeerEpoch)) {
            adopt(nLeader, nZxid, nPeerEpoch);
            sendVoteToVoters();
        } else if (policy.isAnswerWorseVotes() && (answeredMask & (1L << fromIndex)) == 0
            && isBetter(candidate, candidateZxid, candidateEpoch, nLeader, nZxid, nPeerEpoch)) {
            // Once per peer per vote: a second worse vote from it usually crossed our answer.
            answeredMask |= 1L << fromIndex;
            sendVote(fromIndex);
        }
        recvSet.put(fromIndex, LOOKING, nVersion, nLeader, nZxid, nElectionEpoch, nPeerEpoch);
        checkQuorum();
    }

    /**
     * ZooKeeper's {@code receivedFollowingNotification}: (a) in our own round, decide for the leader when
     * a quorum in recvset agrees and the leader itself reports LEADING; (b) across rounds, the same test
     * over outofelection lets a restarted server join a running ensemble (ZOOKEEPER-1732). As there,
     * (a) stores the vote with version 0 (the five-argument {@code Vote} constructor), so against the
     * notification's own version {@code Vote.equals} compares the leader only: followers that still
     * report the election's peer epoch and a leader that reports its new one (ZOOKEEPER-1805,
     * {@code QuorumPeer.updateElectionVote}) agree. Both policies: it decides no later, and recovery
     * still needs a quorum.
     */
    private void onFollowingVote(final int fromIndex, final int nState, final long nLeader, final long nZxid,
        final long nElectionEpoch, final long nPeerEpoch, final int nVersion) {
        if (nElectionEpoch == logicalClock) {
            recvSet.put(fromIndex, nState, 0, nLeader, nZxid, nElectionEpoch, nPeerEpoch);
            final long agree = recvSet.maskEqualTo(nState, nVersion, nLeader, nZxid, nElectionEpoch, nPeerEpoch);
            if (quorum.containsQuorum(agree) && checkLeader(recvSet, nLeader, nElectionEpoch)) {
                decide(nLeader, nZxid, nElectionEpoch, nPeerEpoch, 0, "joined leader in own round");
                return;
            }
        }
        outOfElection.put(fromIndex, nState, nVersion, nLeader, nZxid, nElectionEpoch, nPeerEpoch);
        final long agree = outOfElection.maskEqualTo(nState, nVersion, nLeader, nZxid, nElectionEpoch, nPeerEpoch);
        if (quorum.containsQuorum(agree) && checkLeader(outOfElection, nLeader, nElectionEpoch)) {
            logicalClock = nElectionEpoch;
            decide(nLeader, nZxid, nElectionEpoch, nPeerEpoch, 0, "joined existing leader");
        }
    }

    /**
     * ZooKeeper's {@code checkLeader}: another leader must itself report LEADING; ourselves only from
     * our current round, never from stale FOLLOWING votes (ZOOKEEPER-1514).
     */
    private boolean checkLeader(final VoteTable votes, final long leader, final long electionEpoch) {
        if (leader != mySid) {
            final int index = ensemble.indexOf(leader);
            return index >= 0 && votes.has(index) && votes.state(index) == LEADING;
        }
        return logicalClock == electionEpoch;
    }

    /**
     * After any change to the vote, the tally or the early learners: has the vote a quorum in this
     * round, and may we stop waiting? Decides at once when the policy allows, else starts the quiet period.
     */
    void checkQuorum() {
        if (agent.isStorageFailed()) {
            return;
        }
        final long nowNs = agent.nowNs();
        final long agree = recvSet.maskEqualTo(
            LOOKING, MemberAgent.NOTIFICATION_VERSION, candidate, candidateZxid, logicalClock, candidateEpoch);
        if (!quorum.containsQuorum(agree)) {
            if (hasEarlyLearnerQuorum() && state != State.FINALIZING) {
                // The full quiet period, not the adaptive one: learners may have decided while only
                // partly connected (at startup), and a better vote still on its way must win.
                state = State.FINALIZING;
                finalizeDeadlineNs = nowNs + policy.quietNs(Long.MAX_VALUE);
            }
            return;
        }
        if (policy.isDecideWhenAllConnectedAgree()) {
            // Voters we have never reached (links still coming up at startup) must be heard before
            // "everyone agrees"; a voter whose link dropped (a killed leader) holds nobody up.
            final long needed = (agent.connectedMask() | ~agent.everConnectedMask() | myBit) & quorum.votersMask();
            if ((agree & needed) == needed) {
                decide(candidate, candidateZxid, logicalClock, candidateEpoch, agree & recvSet.lookingMask(),
                    "every connected voter agrees");
                return;
            }
        }
        if (state != State.FINALIZING) {
            state = State.FINALIZING;
            finalizeDeadlineNs = nowNs + policy.quietNs(nowNs - voteChangedNs);
        }
    }

    /**
     * Under a keep-early-learners policy, while we vote for ourselves: have learners that decided for us
     * and wait, with us, formed a quorum? Then after the usual quiet period (a better vote cancels it
     * and refuses them) we lead even without our own tally: waiting for the tally can deadlock, since a
     * higher round started by a refused voter moves us past the round they decided in, and FOLLOWING
     * votes from an older round never count for oneself (ZooKeeper's guard, ZOOKEEPER-1514).
     */
    private boolean hasEarlyLearnerQuorum() {
        return policy.isKeepEarlyLearners() && candidate == mySid && quorum.containsQuorum(earlyLearnerMask | myBit);
    }

    /** Makes {@code leader} this member's vote (ZooKeeper's {@code updateProposal}); the quiet period starts over. */
    private void adopt(final long leader, final long zxid, final long peerEpoch) {
        if (leader != mySid && earlyLearnerMask != 0) {
            rejectEarlyLearners();
        }
        candidate = leader;
        candidateZxid = zxid;
        candidateEpoch = peerEpoch;
        voteChangedNs = agent.nowNs();
        answeredMask = 0;
        state = State.COLLECTING;
        if (isParticipant) {
            recvSet.put(myIndex, LOOKING, MemberAgent.NOTIFICATION_VERSION, leader, zxid, logicalClock, peerEpoch);
        }
    }

    private boolean isBetterThanVote(final long leader, final long zxid, final long peerEpoch) {
        return isBetter(leader, zxid, peerEpoch, candidate, candidateZxid, candidateEpoch);
    }

    private boolean isBetter(final long newId, final long newZxid, final long newEpoch,
        final long curId, final long curZxid, final long curEpoch) {
        final int index = ensemble.indexOf(newId);
        final long weight = index < 0 ? 0 : quorum.weight(index);
        return VoteOrder.isBetter(newId, newZxid, newEpoch, curId, curZxid, curEpoch, weight);
    }

    /** A member out of elections after a storage failure votes as an observer does: for nobody. */
    private void initialVote() {
        if (isParticipant && !agent.isStorageFailed()) {
            initialLeader = mySid;
            initialZxid = storage.lastLoggedZxid();
            initialEpoch = storage.currentEpoch();
        } else {
            initialLeader = Long.MIN_VALUE;
            initialZxid = Long.MIN_VALUE;
            initialEpoch = Long.MIN_VALUE;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Sending

    /** Sends the vote to every voter but us (observers too send only to voters). */
    private void sendVoteToVoters() {
        long rest = quorum.votersMask() & ~myBit;
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            sendVote(index);
        }
    }

    /** Dials every voter but us that is not connected ({@link PeerPublisher#connect}). */
    private void connectToVoters() {
        long rest = quorum.votersMask() & ~myBit;
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            publisher.connect(ensemble.sid(index));
        }
    }

    /** Sends this round's vote to member {@code index}; a link that refuses it gets it again on a later duty cycle. */
    void sendVote(final int index) {
        if (agent.isStorageFailed()) {
            return;
        }
        if (send(ensemble.sid(index), LOOKING, candidate, candidateZxid, logicalClock, candidateEpoch)) {
            pendingVoteMask &= ~(1L << index);
        } else {
            pendingVoteMask |= 1L << index;
        }
    }

    /**
     * Sends the vote again to the voters whose links refused it, as it stands now, so a full link carries
     * only the newest vote. Once the member stopped looking there is nothing left to send.
     */
    int retryVotes() {
        if (pendingVoteMask == 0) {
            return 0;
        }
        if (state == State.IDLE) {
            pendingVoteMask = 0;
            return 0;
        }
        long rest = pendingVoteMask;
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            sendVote(index);
        }
        return 1;
    }

    boolean hasPendingVotes() {
        return pendingVoteMask != 0;
    }

    private boolean send(final long to, final int sendState, final long leader, final long zxid,
        final long electionEpoch, final long peerEpoch) {
        notificationsSent++;
        return publisher.sendNotification(to, sendState, leader, zxid, electionEpoch, peerEpoch);
    }

    // ------------------------------------------------------------------------------------------------
    // Learners that chose this member while it looks

    /**
     * A learner announced itself while we look: kept for when we lead, if the policy keeps early
     * learners and we vote for ourselves; the caller refuses it otherwise.
     *
     * @return true if kept
     */
    boolean keepEarlyLearner(final int index) {
        if (!policy.isKeepEarlyLearners() || candidate != mySid) {
            return false;
        }
        earlyLearnerMask |= 1L << index;
        checkQuorum();
        return true;
    }

    /** It refused us, or its quorum link dropped. */
    void forgetEarlyLearner(final int index) {
        earlyLearnerMask &= ~(1L << index);
    }

    /** The learners kept while looking, handed to the leadership that starts now. */
    long takeEarlyLearners() {
        final long mask = earlyLearnerMask;
        earlyLearnerMask = 0;
        return mask;
    }

    /** Learners that announced themselves while we were looking chose wrongly: we follow someone else. */
    void rejectEarlyLearners() {
        long rest = earlyLearnerMask;
        earlyLearnerMask = 0;
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            publisher.sendLearnerReject(ensemble.sid(index));
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Read by the agent's accessors

    State state() {
        return state;
    }

    long logicalClock() {
        return logicalClock;
    }

    long candidate() {
        return candidate;
    }

    long candidateZxid() {
        return candidateZxid;
    }

    long candidateEpoch() {
        return candidateEpoch;
    }

    long voteLeader() {
        return voteLeader;
    }

    long voteZxid() {
        return voteZxid;
    }

    long voteElectionEpoch() {
        return voteElectionEpoch;
    }

    long votePeerEpoch() {
        return votePeerEpoch;
    }

    long lookingSinceNs() {
        return lookingSinceNs;
    }

    long electionRounds() {
        return electionRounds;
    }

    long notificationsSent() {
        return notificationsSent;
    }
}
