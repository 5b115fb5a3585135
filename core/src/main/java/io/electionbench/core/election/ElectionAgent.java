package io.electionbench.core.election;

import java.nio.ByteBuffer;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import io.electionbench.core.ServerState;
import io.electionbench.core.VoteOrder;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.quorum.QuorumVerifier;

/**
 * One ensemble member's election and liveness, as a single-threaded state machine driven by
 * {@link #doWork(long)}. Compatible with ZooKeeper 3.9 Fast Leader Election (see
 * {@code shared/reference/zookeeper-election.md}): the vote order, round (logical clock) handling,
 * vote equality, reply rules and the join path through FOLLOWING/LEADING votes are ZooKeeper's; when
 * to stop waiting is the {@link ElectionPolicy}'s.
 *
 * <p>Threading: everything here is owned by the agent thread. Other threads only write into
 * {@link #inbound()}, a many-to-one ring buffer; the agent drains it at the start of each duty cycle
 * and reads every message in place. Time is passed in, never read, so the simulator can drive it on
 * virtual time. Nothing on the notification path allocates.
 *
 * <p>After a decision the agent keeps the ensemble live the way ZooKeeper does: a leader pings its
 * learners every tickTime/2 and steps down when the learners heard from within syncLimit ticks plus
 * itself no longer form a quorum (or no quorum connected within initLimit); a learner goes back to
 * LOOKING when its leader is silent for syncLimit ticks, unreachable for initLimit ticks, refuses it,
 * or its connection drops. Epoch negotiation and sync slot in between the decision and serving.
 */
public final class ElectionAgent implements Agent, MessageHandler {
    /** Notification version this node sends (ZooKeeper's {@code Notification.CURRENTVERSION}). */
    public static final int NOTIFICATION_VERSION = 2;
    /** Default inbound ring capacity (a power of two; the trailer is added). */
    public static final int DEFAULT_INBOUND_CAPACITY = 64 * 1024;

    private static final int LOOKING = ServerState.LOOKING.code();
    private static final int LEADING = ServerState.LEADING.code();
    private static final int MESSAGE_LIMIT = 256;

    private final long mySid;
    private final int myIndex;
    private final long myBit;
    private final boolean isParticipant;
    private final Ensemble ensemble;
    private final QuorumVerifier quorum;
    private final ElectionPolicy policy;
    private final NodeTiming timing;
    private final PeerPublisher publisher;
    private final PersistentState storage;
    private final ElectionObserver observer;
    private final RingBuffer inbound;
    private final NanoClock clock;
    private final VoteTable recvSet;
    private final VoteTable outOfElection;
    private final long[] learnerLastHeardNs;

    private ServerState state;
    private long nowNs;
    private long stateSinceNs;
    private boolean isServing;

    private long logicalClock;
    private long proposedLeader;
    private long proposedZxid;
    private long proposedEpoch;
    private long initialLeader;
    private long initialZxid;
    private long initialEpoch;
    private long lookingSinceNs;
    private long proposalChangedNs;
    private long notTimeoutNs;
    private long pollDeadlineNs;
    private boolean isFinalizing;
    private long finalizeDeadlineNs;

    private long voteLeader;
    private long voteZxid;
    private long voteElectionEpoch;
    private long votePeerEpoch;

    private long connectedMask;
    /** Peers already answered with the current proposal (fast policy's answer to a worse vote). */
    private long answeredMask;
    /** Peers this node has ever had a link to; one never reached counts as silent, not absent. */
    private long everConnectedMask;
    private long pendingBroadcastMask;

    private long leaderSid = -1;
    private boolean isLeaderContacted;
    private long leaderDeadlineNs;
    private long nextLearnerInfoNs;
    private long learnerRetryNs;
    private int leaderRefusals;

    private long learnerMask;
    private long earlyLearnerMask;
    private long refusedMask;
    private long establishDeadlineNs;
    private long nextPingNs;
    private long nextTickNs;

    private long notificationsSent;
    private long notificationsReceived;
    private long messagesDropped;
    private long electionRounds;
    private long decisions;
    private long lastElectionNs;

    /**
     * @param clock used only by {@link #doWork()} when run by an {@code AgentRunner}; tests and the
     *              simulator call {@link #doWork(long)} with their own time
     */
    public ElectionAgent(
        final long mySid, final Ensemble ensemble, final ElectionPolicy policy, final NodeTiming timing,
        final PersistentState storage, final PeerPublisher publisher, final ElectionObserver observer,
        final RingBuffer inbound, final NanoClock clock) {
        this.myIndex = ensemble.indexOf(mySid);
        if (myIndex < 0) {
            throw new IllegalArgumentException("server " + mySid + " is not a member of " + ensemble);
        }
        this.mySid = mySid;
        this.myBit = 1L << myIndex;
        this.ensemble = ensemble;
        this.quorum = ensemble.quorum();
        this.isParticipant = quorum.isVoter(myIndex);
        this.policy = policy;
        this.timing = timing;
        this.storage = storage;
        this.publisher = publisher;
        this.observer = observer;
        this.inbound = inbound;
        this.clock = clock;
        this.recvSet = new VoteTable(ensemble.size());
        this.outOfElection = new VoteTable(ensemble.size());
        this.learnerLastHeardNs = new long[ensemble.size()];
        initialVote();
        voteLeader = initialLeader;
        voteZxid = initialZxid;
        votePeerEpoch = initialEpoch;
    }

    /** A many-to-one ring buffer sized for an agent's inbound messages. */
    public static RingBuffer newInboundRing(final int capacity) {
        return new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    @Override
    public String roleName() {
        return "election-" + mySid;
    }

    @Override
    public int doWork() {
        return doWork(clock.nanoTime());
    }

    /**
     * One duty cycle at time {@code nowNs}: start if not started, drain inbound messages, then run the
     * timers of the current state.
     *
     * @return the amount of work done, 0 when idle
     */
    public int doWork(final long nowNs) {
        this.nowNs = nowNs;
        int work = 0;
        if (state == null) {
            state(ServerState.LOOKING, "started");
            work++;
        }
        work += inbound.read(this, MESSAGE_LIMIT);
        switch (state) {
            case LOOKING:
                work += lookingWork();
                break;
            case FOLLOWING:
            case OBSERVING:
                work += learnerWork();
                break;
            case LEADING:
                work += leaderWork();
                break;
            default:
                throw new IllegalStateException(state.name());
        }
        return work + retryBroadcasts();
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length) {
        final long from = buffer.getLong(index + InboundMessages.FROM_OFFSET);
        switch (msgTypeId) {
            case InboundMessages.NOTIFICATION:
                onNotification(from,
                    buffer.getInt(index + InboundMessages.N_STATE_OFFSET),
                    buffer.getLong(index + InboundMessages.N_LEADER_OFFSET),
                    buffer.getLong(index + InboundMessages.N_ZXID_OFFSET),
                    buffer.getLong(index + InboundMessages.N_ELECTION_EPOCH_OFFSET),
                    buffer.getLong(index + InboundMessages.N_PEER_EPOCH_OFFSET),
                    buffer.getInt(index + InboundMessages.N_VERSION_OFFSET));
                break;
            case InboundMessages.LEARNER_INFO:
                onLearnerInfo(from, buffer.getInt(index + InboundMessages.LI_OBSERVER_OFFSET) != 0);
                break;
            case InboundMessages.LEARNER_REJECT:
                onLearnerReject(from);
                break;
            case InboundMessages.PING:
                onPing(from);
                break;
            case InboundMessages.PING_ACK:
                onPingAck(from);
                break;
            case InboundMessages.PEER_CONNECTED:
                onPeerConnected(from);
                break;
            case InboundMessages.PEER_DISCONNECTED:
                onPeerDisconnected(from);
                break;
            default:
                messagesDropped++;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Handlers: check the state, record facts; decisions follow from them or from doWork's timers.

    /**
     * An election notification from {@code from}. Applies ZooKeeper's receiver rules (§1.2): a
     * non-voting sender gets our current vote at once and is never counted; while LOOKING, a sender
     * in an older round also gets our proposal; while not LOOKING, a LOOKING sender gets our current
     * vote and real state, which is how late starters find the leader.
     */
    public void onNotification(final long from, final int nState, final long nLeader, final long nZxid,
        final long nElectionEpoch, final long nPeerEpoch, final int nVersion) {
        notificationsReceived++;
        final int fromIndex = ensemble.indexOf(from);
        if (fromIndex < 0 || fromIndex == myIndex || !ServerState.isValidCode(nState)) {
            messagesDropped++;
            return;
        }
        connectedMask |= 1L << fromIndex;
        everConnectedMask |= 1L << fromIndex;
        if (!quorum.isVoter(fromIndex)) {
            send(from, state.code(), voteLeader, voteZxid, logicalClock, votePeerEpoch);
            return;
        }
        if (state == ServerState.LOOKING) {
            if (nState == LOOKING && nElectionEpoch < logicalClock) {
                send(from, LOOKING, proposedLeader, proposedZxid, logicalClock, proposedEpoch);
            }
            lookingOnNotification(fromIndex, nState, nLeader, nZxid, nElectionEpoch, nPeerEpoch, nVersion);
        } else if (nState == LOOKING) {
            send(from, state.code(), voteLeader, voteZxid, voteElectionEpoch, votePeerEpoch);
            if (nLeader != mySid) {
                refused(fromIndex, "a quorum looks for another leader");
            }
        }
    }

    /**
     * A learner announces itself. A leader registers it; a fast LOOKING node that proposes itself keeps
     * it for when it leads; anyone else refuses (ZooKeeper's would-be leader has no quorum listener yet).
     */
    public void onLearnerInfo(final long from, final boolean isObserver) {
        final int index = ensemble.indexOf(from);
        if (index < 0 || index == myIndex) {
            messagesDropped++;
            return;
        }
        connectedMask |= 1L << index;
        everConnectedMask |= 1L << index;
        if (state == ServerState.LEADING) {
            learnerMask |= 1L << index;
            refusedMask &= ~(1L << index);
            learnerLastHeardNs[index] = nowNs;
            publisher.sendPing(from, storage.lastLoggedZxid());
            checkEstablished();
        } else if (state == ServerState.LOOKING && policy.isKeepEarlyLearners() && proposedLeader == mySid) {
            earlyLearnerMask |= 1L << index;
            checkLookingQuorum();
        } else {
            publisher.sendLearnerReject(from);
        }
    }

    /**
     * A refusal or a closed relationship (ZooKeeper closes the learner socket). From our leader it means
     * the node we chose is not leading, or has stopped leading: we look again. From a learner it means
     * it has left us; a leader that is still gathering learners under an early-step-down policy gives
     * up as soon as the voters that have not refused can no longer form a quorum.
     */
    public void onLearnerReject(final long from) {
        final int index = ensemble.indexOf(from);
        if (index < 0) {
            messagesDropped++;
        } else if (isLearner() && from == leaderSid) {
            if (isLeaderContacted) {
                state(ServerState.LOOKING, "leader closed the connection");
            } else if (++leaderRefusals >= policy.learnerRefusals()) {
                state(ServerState.LOOKING, "chosen leader is not leading");
            }
        } else if (state == ServerState.LOOKING) {
            earlyLearnerMask &= ~(1L << index);
        } else if (state == ServerState.LEADING) {
            learnerMask &= ~(1L << index);
            refused(index, "a quorum follows another leader");
        }
    }

    /**
     * A not-yet-established leader under an early-step-down policy learns that a voter will not follow
     * it now (it refused, or it is LOOKING for someone else, as after a premature decision that counted
     * a vote since withdrawn, ZOOKEEPER-3109). Once the connected voters that have not refused cannot
     * form a quorum, waiting initLimit ticks for learners is pointless: look again at once.
     */
    private void refused(final int index, final String reason) {
        if (state != ServerState.LEADING || isServing || !policy.isEarlyStepDown()) {
            return;
        }
        refusedMask |= 1L << index;
        if (!quorum.containsQuorum((connectedMask | myBit | learnerMask) & quorum.votersMask() & ~refusedMask)) {
            state(ServerState.LOOKING, reason);
        }
    }

    /** A ping: from our leader it proves the link; from anyone else it is a leader looking for followers we refuse. */
    public void onPing(final long from) {
        if (state != ServerState.LOOKING && from != leaderSid) {
            publisher.sendLearnerReject(from);
            return;
        }
        if (isLearner() && from == leaderSid) {
            if (!isLeaderContacted) {
                isLeaderContacted = true;
                serving();
            }
            leaderDeadlineNs = nowNs + timing.syncLimitNs();
            publisher.sendPingAck(from, storage.lastLoggedZxid());
        }
    }

    public void onPingAck(final long from) {
        final int index = ensemble.indexOf(from);
        if (state == ServerState.LEADING && index >= 0 && (learnerMask & (1L << index)) != 0) {
            learnerLastHeardNs[index] = nowNs;
        }
    }

    /** The transport established a link to {@code sid}; a LOOKING node tells it its vote at once. */
    public void onPeerConnected(final long sid) {
        final int index = ensemble.indexOf(sid);
        if (index < 0 || index == myIndex) {
            return;
        }
        connectedMask |= 1L << index;
        everConnectedMask |= 1L << index;
        if (state == ServerState.LOOKING && quorum.isVoter(index)) {
            sendProposal(index);
        } else if (isLearner() && sid == leaderSid) {
            // A new connection to our leader is a new session: announce again, and the leader either
            // takes us back or, if it stopped leading while we could not hear it, refuses at once.
            publisher.sendLearnerInfo(leaderSid, storage.acceptedEpoch(), storage.lastLoggedZxid(), !isParticipant);
        }
    }

    /** The link to {@code sid} dropped (EOF or RST): a learner whose leader it was starts looking at once. */
    public void onPeerDisconnected(final long sid) {
        final int index = ensemble.indexOf(sid);
        if (index < 0 || index == myIndex) {
            return;
        }
        final long bit = 1L << index;
        connectedMask &= ~bit;
        learnerMask &= ~bit;
        earlyLearnerMask &= ~bit;
        if (isLearner() && sid == leaderSid) {
            state(ServerState.LOOKING, "connection to leader lost");
        } else if (state == ServerState.LOOKING) {
            checkLookingQuorum();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // LOOKING

    private void lookingOnNotification(final int fromIndex, final int nState, final long nLeader, final long nZxid,
        final long nElectionEpoch, final long nPeerEpoch, final int nVersion) {
        if (isFinalizing) {
            if (isBetterThanProposal(nLeader, nZxid, nPeerEpoch)) {
                isFinalizing = false;
            } else if (policy.isZooKeeperFinalize()) {
                finalizeDeadlineNs = nowNs + policy.quietNs(0);
                return;
            }
        }
        pollDeadlineNs = nowNs + notTimeoutNs;
        final int leaderIndex = ensemble.indexOf(nLeader);
        if (leaderIndex < 0 || !quorum.isVoter(leaderIndex)) {
            messagesDropped++;
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
                propose(nLeader, nZxid, nPeerEpoch);
            } else {
                propose(initialLeader, initialZxid, initialEpoch);
            }
            broadcast();
        } else if (nElectionEpoch < logicalClock) {
            return;
        } else if (isBetterThanProposal(nLeader, nZxid, nPeerEpoch)) {
            propose(nLeader, nZxid, nPeerEpoch);
            broadcast();
        } else if (policy.isAnswerWorseVotes() && (answeredMask & (1L << fromIndex)) == 0
            && isBetter(proposedLeader, proposedZxid, proposedEpoch, nLeader, nZxid, nPeerEpoch)) {
            // Once per peer per proposal: a second worse vote from it usually crossed our answer.
            answeredMask |= 1L << fromIndex;
            sendProposal(fromIndex);
        }
        recvSet.put(fromIndex, LOOKING, nVersion, nLeader, nZxid, nElectionEpoch, nPeerEpoch);
        checkLookingQuorum();
    }

    /**
     * ZooKeeper's {@code receivedFollowingNotification}: (a) in our own round, decide for the leader when
     * a quorum in recvset agrees and the leader itself reports LEADING; (b) across rounds, the same test
     * over outofelection lets a restarted server join a running ensemble (ZOOKEEPER-1732).
     */
    private void onFollowingVote(final int fromIndex, final int nState, final long nLeader, final long nZxid,
        final long nElectionEpoch, final long nPeerEpoch, final int nVersion) {
        if (nElectionEpoch == logicalClock) {
            recvSet.put(fromIndex, nState, nVersion, nLeader, nZxid, nElectionEpoch, nPeerEpoch);
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

    /** After any change to our proposal or tally: has our proposal a quorum in our round, and may we stop waiting? */
    private void checkLookingQuorum() {
        final long agree = recvSet.maskEqualTo(
            LOOKING, NOTIFICATION_VERSION, proposedLeader, proposedZxid, logicalClock, proposedEpoch);
        if (!quorum.containsQuorum(agree)) {
            if (hasEarlyLearnerQuorum() && !isFinalizing) {
                // The full quiet period, not the adaptive one: learners may have decided while only
                // partly connected (at startup), and a better vote still on its way must win.
                isFinalizing = true;
                finalizeDeadlineNs = nowNs + policy.quietNs(Long.MAX_VALUE);
            }
            return;
        }
        if (policy.isDecideWhenAllConnectedAgree()) {
            // Voters we have never reached (links still coming up at startup) must be heard before
            // "everyone agrees"; a voter whose link dropped (a killed leader) holds nobody up.
            final long needed = (connectedMask | ~everConnectedMask | myBit) & quorum.votersMask();
            if ((agree & needed) == needed) {
                decide(proposedLeader, proposedZxid, logicalClock, proposedEpoch, agree & recvSet.lookingMask(), "every connected voter agrees");
                return;
            }
        }
        if (!isFinalizing) {
            isFinalizing = true;
            finalizeDeadlineNs = nowNs + policy.quietNs(nowNs - proposalChangedNs);
        }
    }

    private int lookingWork() {
        if (isFinalizing) {
            if (nowNs - finalizeDeadlineNs < 0) {
                return 0;
            }
            isFinalizing = false;
            final long agree = recvSet.maskEqualTo(
                LOOKING, NOTIFICATION_VERSION, proposedLeader, proposedZxid, logicalClock, proposedEpoch);
            if (quorum.containsQuorum(agree)) {
                decide(proposedLeader, proposedZxid, logicalClock, proposedEpoch, agree & recvSet.lookingMask(), "quorum and quiet");
                return 1;
            } else if (hasEarlyLearnerQuorum()) {
                decide(mySid, proposedZxid, logicalClock, proposedEpoch, 0, "a quorum already follows");
                return 1;
            }
            // The quorum dissolved during the wait (a voter left, or votes changed): keep looking, and
            // resend now if the wait outlasted the resend timer.
        }
        if (nowNs - pollDeadlineNs >= 0) {
            broadcast();
            notTimeoutNs = Math.min(notTimeoutNs * 2, policy.maxNotificationIntervalNs());
            pollDeadlineNs = nowNs + notTimeoutNs;
            return 1;
        }
        return 0;
    }

    /**
     * Under a keep-early-learners policy, while we propose ourselves: have learners that decided for us
     * and wait, with us, formed a quorum? Then after the usual quiet period (a better vote cancels it
     * and refuses them) we lead even without our own tally: waiting for the tally can deadlock, since a
     * higher round started by a refused voter moves us past the round they decided in, and FOLLOWING
     * votes from an older round never count for oneself (ZooKeeper's guard, ZOOKEEPER-1514).
     */
    private boolean hasEarlyLearnerQuorum() {
        return policy.isKeepEarlyLearners() && proposedLeader == mySid && quorum.containsQuorum(earlyLearnerMask | myBit);
    }

    private void decide(final long leader, final long zxid, final long electionEpoch, final long peerEpoch,
        final long quorumMask, final String reason) {
        voteLeader = leader;
        voteZxid = zxid;
        voteElectionEpoch = electionEpoch;
        votePeerEpoch = peerEpoch;
        decisions++;
        lastElectionNs = nowNs - lookingSinceNs;
        observer.onDecision(mySid, leader, zxid, electionEpoch, peerEpoch, quorumMask, nowNs);
        final ServerState next;
        if (leader == mySid) {
            next = ServerState.LEADING;
        } else {
            next = isParticipant ? ServerState.FOLLOWING : ServerState.OBSERVING;
        }
        state(next, reason);
    }

    private void propose(final long leader, final long zxid, final long peerEpoch) {
        if (leader != mySid && earlyLearnerMask != 0) {
            rejectEarlyLearners();
        }
        proposedLeader = leader;
        proposedZxid = zxid;
        proposedEpoch = peerEpoch;
        proposalChangedNs = nowNs;
        answeredMask = 0;
        isFinalizing = false;
        if (isParticipant) {
            recvSet.put(myIndex, LOOKING, NOTIFICATION_VERSION, leader, zxid, logicalClock, peerEpoch);
        }
    }

    private boolean isBetterThanProposal(final long leader, final long zxid, final long peerEpoch) {
        return isBetter(leader, zxid, peerEpoch, proposedLeader, proposedZxid, proposedEpoch);
    }

    private boolean isBetter(final long newId, final long newZxid, final long newEpoch,
        final long curId, final long curZxid, final long curEpoch) {
        final int index = ensemble.indexOf(newId);
        final long weight = index < 0 ? 0 : quorum.weight(index);
        return VoteOrder.isBetter(newId, newZxid, newEpoch, curId, curZxid, curEpoch, weight);
    }

    /** Sends our proposal to every voter but us (observers too send only to voters). */
    private void broadcast() {
        long rest = quorum.votersMask() & ~myBit;
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            sendProposal(index);
        }
    }

    private void sendProposal(final int index) {
        if (send(ensemble.sid(index), LOOKING, proposedLeader, proposedZxid, logicalClock, proposedEpoch)) {
            pendingBroadcastMask &= ~(1L << index);
        } else {
            pendingBroadcastMask |= 1L << index;
        }
    }

    private int retryBroadcasts() {
        if (pendingBroadcastMask == 0) {
            return 0;
        }
        if (state != ServerState.LOOKING) {
            pendingBroadcastMask = 0;
            return 0;
        }
        long rest = pendingBroadcastMask;
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            sendProposal(index);
        }
        return 1;
    }

    private boolean send(final long to, final int sendState, final long leader, final long zxid,
        final long electionEpoch, final long peerEpoch) {
        notificationsSent++;
        return publisher.sendNotification(to, sendState, leader, zxid, electionEpoch, peerEpoch);
    }

    // ------------------------------------------------------------------------------------------------
    // FOLLOWING / OBSERVING

    private boolean isLearner() {
        return state == ServerState.FOLLOWING || state == ServerState.OBSERVING;
    }

    private int learnerWork() {
        if (nowNs - leaderDeadlineNs >= 0) {
            state(ServerState.LOOKING, isLeaderContacted ? "leader silent for syncLimit" : "leader unreachable within initLimit");
            return 1;
        }
        if (!isLeaderContacted && nowNs - nextLearnerInfoNs >= 0) {
            publisher.sendLearnerInfo(leaderSid, storage.acceptedEpoch(), storage.lastLoggedZxid(), !isParticipant);
            learnerRetryNs = Math.min(learnerRetryNs * 2, timing.tickNs() / 2);
            nextLearnerInfoNs = nowNs + learnerRetryNs;
            return 1;
        }
        return 0;
    }

    // ------------------------------------------------------------------------------------------------
    // LEADING

    private int leaderWork() {
        int work = 0;
        if (nowNs - nextPingNs >= 0) {
            pingLearners();
            if (!isServing && policy.isEarlyStepDown()) {
                probeVoters();
            }
            nextPingNs = nowNs + timing.tickNs() / 2;
            work++;
        }
        if (!isServing) {
            if (nowNs - establishDeadlineNs >= 0) {
                state(ServerState.LOOKING, "no quorum of learners within initLimit");
                return work + 1;
            }
        } else if (nowNs - nextTickNs >= 0) {
            nextTickNs = nowNs + timing.tickNs();
            work++;
            if (!quorum.containsQuorum(syncedMask())) {
                state(ServerState.LOOKING, "not sufficient followers synced");
            }
        }
        return work;
    }

    /** Ourselves plus the learners heard from within syncLimit ticks; drops the others. */
    private long syncedMask() {
        long rest = learnerMask;
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            if (nowNs - learnerLastHeardNs[index] > timing.syncLimitNs()) {
                learnerMask &= ~(1L << index);
            }
        }
        return learnerMask | myBit;
    }

    private void pingLearners() {
        final long zxid = storage.lastLoggedZxid();
        long rest = learnerMask;
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            publisher.sendPing(ensemble.sid(index), zxid);
        }
    }

    private void checkEstablished() {
        if (!isServing && quorum.containsQuorum(learnerMask | myBit)) {
            nextTickNs = nowNs + timing.tickNs();
            serving();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // State changes: the only place state is assigned.

    private void state(final ServerState next, final String reason) {
        final ServerState previous = state;
        leave(previous);
        state = next;
        stateSinceNs = nowNs;
        isServing = false;
        observer.onStateChange(mySid, previous, next, nowNs, reason);
        switch (next) {
            case LOOKING:
                enterLooking();
                break;
            case FOLLOWING:
            case OBSERVING:
                enterLearner();
                break;
            case LEADING:
                enterLeading();
                break;
            default:
                throw new IllegalStateException(next.name());
        }
    }

    /** Exit actions: the connections a role held are closed, and the other side is told at once. */
    private void leave(final ServerState previous) {
        if (previous == ServerState.LEADING) {
            long rest = learnerMask;
            learnerMask = 0;
            while (rest != 0) {
                final int index = Long.numberOfTrailingZeros(rest);
                rest &= rest - 1;
                publisher.sendLearnerReject(ensemble.sid(index));
            }
        } else if ((previous == ServerState.FOLLOWING || previous == ServerState.OBSERVING) && leaderSid >= 0) {
            publisher.sendLearnerReject(leaderSid);
        }
    }

    private void serving() {
        isServing = true;
        observer.onServing(mySid, nowNs);
    }

    /** ZooKeeper's {@code lookForLeader} start: next round, our initial vote, tell every voter. */
    private void enterLooking() {
        logicalClock++;
        electionRounds++;
        lookingSinceNs = nowNs;
        initialVote();
        recvSet.clear();
        outOfElection.clear();
        learnerMask = 0;
        earlyLearnerMask = 0;
        leaderSid = -1;
        propose(initialLeader, initialZxid, initialEpoch);
        notTimeoutNs = policy.minNotificationIntervalNs();
        pollDeadlineNs = nowNs + notTimeoutNs;
        broadcast();
        checkLookingQuorum();
    }

    private void initialVote() {
        if (isParticipant) {
            initialLeader = mySid;
            initialZxid = storage.lastLoggedZxid();
            initialEpoch = storage.currentEpoch();
        } else {
            initialLeader = Long.MIN_VALUE;
            initialZxid = Long.MIN_VALUE;
            initialEpoch = Long.MIN_VALUE;
        }
    }

    private void enterLearner() {
        rejectEarlyLearners();
        leaderSid = voteLeader;
        isLeaderContacted = false;
        leaderRefusals = 0;
        leaderDeadlineNs = nowNs + timing.initLimitNs();
        learnerRetryNs = policy.learnerRetryNs();
        nextLearnerInfoNs = nowNs + learnerRetryNs;
        publisher.sendLearnerInfo(leaderSid, storage.acceptedEpoch(), storage.lastLoggedZxid(), !isParticipant);
    }

    /** Learners that announced themselves while we were LOOKING chose wrongly if we end up following. */
    private void rejectEarlyLearners() {
        long rest = earlyLearnerMask;
        earlyLearnerMask = 0;
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            publisher.sendLearnerReject(ensemble.sid(index));
        }
    }

    private void enterLeading() {
        leaderSid = mySid;
        learnerMask = earlyLearnerMask;
        earlyLearnerMask = 0;
        long rest = learnerMask;
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            learnerLastHeardNs[index] = nowNs;
        }
        refusedMask = 0;
        establishDeadlineNs = nowNs + timing.initLimitNs();
        pingLearners();
        if (policy.isEarlyStepDown()) {
            probeVoters();
        }
        nextPingNs = nowNs + timing.tickNs() / 2;
        checkEstablished();
    }

    /**
     * Pings connected voters that have not announced themselves, so those following elsewhere refuse
     * now; repeated every ping round until established, since a voter still LOOKING cannot refuse yet.
     */
    private void probeVoters() {
        final long zxid = storage.lastLoggedZxid();
        long rest = connectedMask & quorum.votersMask() & ~learnerMask & ~myBit;
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            publisher.sendPing(ensemble.sid(index), zxid);
        }
    }

    /**
     * The earliest time at which {@link #doWork(long)} has timer work to do, so a driver on virtual time
     * can skip straight to it. Messages arriving earlier need a duty cycle of their own.
     */
    public long nextDeadlineNs() {
        if (state == null || pendingBroadcastMask != 0) {
            return nowNs;
        }
        switch (state) {
            case LOOKING:
                return isFinalizing ? finalizeDeadlineNs : pollDeadlineNs;
            case FOLLOWING:
            case OBSERVING:
                return isLeaderContacted ? leaderDeadlineNs : earliest(leaderDeadlineNs, nextLearnerInfoNs);
            case LEADING:
                return earliest(nextPingNs, isServing ? nextTickNs : establishDeadlineNs);
            default:
                throw new IllegalStateException(state.name());
        }
    }

    private static long earliest(final long a, final long b) {
        return a - b <= 0 ? a : b;
    }

    // ------------------------------------------------------------------------------------------------
    // Read by the owning thread, the simulator and tests. Other threads use an ElectionObserver.

    public long sid() {
        return mySid;
    }

    public RingBuffer inbound() {
        return inbound;
    }

    public ServerState state() {
        return state;
    }

    public long stateSinceNs() {
        return stateSinceNs;
    }

    /** The leader this node follows or is; -1 while LOOKING. */
    public long leader() {
        return state == null || state == ServerState.LOOKING ? -1 : voteLeader;
    }

    public boolean isServing() {
        return isServing;
    }

    public long logicalClock() {
        return logicalClock;
    }

    public long proposedLeader() {
        return proposedLeader;
    }

    public long proposedZxid() {
        return proposedZxid;
    }

    public long proposedEpoch() {
        return proposedEpoch;
    }

    public long voteLeader() {
        return voteLeader;
    }

    public long voteZxid() {
        return voteZxid;
    }

    public long voteElectionEpoch() {
        return voteElectionEpoch;
    }

    public long votePeerEpoch() {
        return votePeerEpoch;
    }

    /** This round's initial vote: (sid, last zxid, current epoch) at the moment LOOKING began. */
    public long initialZxid() {
        return initialZxid;
    }

    public long initialEpoch() {
        return initialEpoch;
    }

    public boolean isParticipant() {
        return isParticipant;
    }

    /** Learners connected to this leader (member index mask). */
    public long learnerMask() {
        return learnerMask;
    }

    public long connectedMask() {
        return connectedMask;
    }

    public ElectionPolicy policy() {
        return policy;
    }

    public PersistentState storage() {
        return storage;
    }

    public long notificationsSent() {
        return notificationsSent;
    }

    public long notificationsReceived() {
        return notificationsReceived;
    }

    public long messagesDropped() {
        return messagesDropped;
    }

    /** How many times this node has started looking (ZooKeeper's lookForLeader calls). */
    public long electionRounds() {
        return electionRounds;
    }

    public long decisions() {
        return decisions;
    }

    /** Time from entering LOOKING to the last decision. */
    public long lastElectionNs() {
        return lastElectionNs;
    }
}
