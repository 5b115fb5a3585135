package io.electionbench.core.election;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.log.CommittedWindow;
import io.electionbench.core.log.TxnLog;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.quorum.QuorumVerifier;
import io.electionbench.core.sync.SyncMode;
import io.electionbench.core.zab.Broadcast;
import io.electionbench.core.zab.Discovery;
import io.electionbench.core.zab.Follower;
import io.electionbench.core.zab.Leadership;
import io.electionbench.core.zab.LearnerProgress.Phase;
import io.electionbench.core.zab.Member;
import io.electionbench.core.zab.SyncStreamer;

/**
 * One ensemble member, as a single-threaded state machine driven by {@link #doWork(long)}: it drains
 * its inbound ring ({@link InboundAdapter}), runs the timers of its role and switches roles in one
 * place ({@link #state}), which runs the leave and enter actions, stamps the time and tells the
 * {@link ElectionObserver}. The protocol is in its phases, one preallocated object each: the election
 * while LOOKING ({@link FastLeaderElection}, ZooKeeper 3.9's Fast Leader Election), and ZAB after it,
 * {@link Leadership}, {@link Discovery}, {@link SyncStreamer} and {@link Broadcast} while LEADING,
 * {@link Follower} while FOLLOWING or OBSERVING; they reach the agent through {@link Member}.
 *
 * <p>Threading: everything here is owned by the agent thread. Other threads only write into
 * {@link #inbound()}, a many-to-one ring buffer, read in place. Time is passed in, never read, so the
 * simulator can drive it on virtual time. Nothing on the notification or the replication path
 * allocates. See docs/architecture.md and docs/recovery.md.
 */
public final class MemberAgent implements Agent {
    /** Notification version this node sends (ZooKeeper's {@code Notification.CURRENTVERSION}). */
    public static final int NOTIFICATION_VERSION = 2;
    /** Default inbound ring capacity (a power of two; the trailer is added); its largest message is an eighth of it. */
    public static final int DEFAULT_INBOUND_CAPACITY = 1 << 20;
    /** The largest write payload accepted (larger ones get {@link WriteListener#TOO_LARGE}). */
    public static final int MAX_WRITE_BYTES = Broadcast.MAX_WRITE_BYTES;
    /** Default size of the snapshot chunks a leader streams; see {@link #snapshotChunkBytes(int)}. */
    public static final int SNAPSHOT_CHUNK_BYTES = SyncStreamer.SNAPSHOT_CHUNK_BYTES;
    /** Proposals a leader keeps outstanding (not yet committed) before refusing writes with BUSY. */
    public static final int MAX_OUTSTANDING = Broadcast.MAX_OUTSTANDING;
    /** The most one leadership raises the epoch above the leader's own: {@link Discovery#MAX_EPOCH_JUMP}. */
    public static final long MAX_EPOCH_JUMP = Discovery.MAX_EPOCH_JUMP;

    private final long mySid;
    private final int myIndex;
    private final long myBit;
    private final boolean isParticipant;
    private final Ensemble ensemble;
    private final QuorumVerifier quorum;
    private final ElectionPolicy policy;
    private final PeerPublisher publisher;
    private final PersistentState storage;
    private final TxnLog log;
    private final ElectionObserver observer;
    private final NanoClock clock;
    private final RingBuffer inbound;
    private final InboundAdapter adapter;
    private final Phases member = new Phases();
    private final StorageProbe storageProbe;
    private final FastLeaderElection election;
    private final Leadership leadership;
    private final Discovery discovery;
    private final SyncStreamer streamer;
    private final Broadcast broadcast;
    private final Follower follower;
    private WriteListener writeListener = WriteListener.NONE;

    private ServerState state;
    private long nowNs;
    private long stateSinceNs;
    /** The vote this member decided for: the one it answers LOOKING members with outside an election. */
    private long voteLeader;
    private long voteZxid;
    private long voteElectionEpoch;
    private long votePeerEpoch;
    private long commitZxid;
    private long connectedMask;
    /** Peers this node has ever had a link to; one never reached counts as silent, not absent. */
    private long everConnectedMask;

    private long messagesDropped;
    /** Frames whose epoch or zxid is out of range ({@link Zxid#isValidEpoch}, {@link Zxid#isValid}): dropped. */
    private long epochsRefused;
    /** Non-null once the epoch space is exhausted: the node takes no further part (see {@link #halt}). */
    private String haltReason;
    private long decisions;
    private long lastElectionNs;
    /** The member's in-memory committed window, filled from the log at the first duty cycle. */
    private final CommittedWindow window = new CommittedWindow();

    /**
     * @param clock used only by {@link #doWork()} when run by an {@code AgentRunner}, and by a learner to
     *              time its sync; tests and the simulator call {@link #doWork(long)} with their own time
     */
    public MemberAgent(
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
        this.storage = storage;
        this.log = storage.log();
        this.publisher = publisher;
        this.observer = observer;
        this.clock = clock;
        this.inbound = inbound;
        this.adapter = new InboundAdapter(inbound, this);
        this.storageProbe = new StorageProbe(mySid, timing, storage, observer);
        this.election = new FastLeaderElection(this, mySid, ensemble, policy, publisher, storage);
        this.leadership = new Leadership(member, mySid, ensemble, policy, timing, publisher, storage);
        this.discovery = new Discovery(member, mySid, ensemble, policy, publisher, storage, leadership, member);
        this.streamer = new SyncStreamer(member, ensemble, policy, publisher, storage, window, leadership, discovery);
        this.broadcast = new Broadcast(member, mySid, ensemble, publisher, storage, window, leadership, discovery);
        this.follower = new Follower(member, mySid, isParticipant, timing, policy, publisher, storage, window, observer,
            clock);
        voteLeader = election.initialLeader();
        voteZxid = election.initialZxid();
        votePeerEpoch = election.initialEpoch();
    }

    /** Receives the outcome of every write offered to this agent. Set before the agent runs. */
    public MemberAgent writeListener(final WriteListener listener) {
        this.writeListener = listener;
        broadcast.writeListener(listener);
        return this;
    }

    /**
     * The size of the snapshot chunks this node streams; every receiver's inbound ring must take a
     * chunk plus 48 bytes of header in one message (an eighth of its capacity).
     */
    public MemberAgent snapshotChunkBytes(final int bytes) {
        streamer.snapshotChunkBytes(bytes);
        return this;
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
     * A starting member's committed window holds the newest txns of its log, as ZooKeeper's
     * {@code ZKDatabase.loadDataBase} replays the log after the snapshot into it. A log that cannot be
     * read leaves it empty: the leader then plans from the log alone, and the log's own failure surfaces
     * at its next use.
     */
    private void loadWindow() {
        try {
            window.load(log);
        } catch (final UncheckedIOException e) {
            window.clear();
        }
    }

    /** The member's in-memory committed window (docs/storage.md, "Sync planner"); agent thread only. */
    public CommittedWindow committedWindow() {
        return window;
    }

    /**
     * One duty cycle at time {@code nowNs}: start if not started, drain inbound messages, then run the
     * timers of the current role, its recovery streams and acknowledgements, and the votes to resend.
     *
     * @return the amount of work done, 0 when idle
     */
    public int doWork(final long nowNs) {
        this.nowNs = nowNs;
        if (haltReason != null) {
            return 0;
        }
        int work = 0;
        if (state == null) {
            loadWindow();
            state(ServerState.LOOKING, "started");
            work++;
        }
        work += adapter.poll();
        switch (state) {
            case LOOKING:
                work += storageProbe.isFailed() ? probeStorage() : election.doWork(nowNs);
                break;
            case FOLLOWING:
            case OBSERVING:
                work += follower.doWork(nowNs);
                break;
            case LEADING:
                work += leadership.doWork(nowNs);
                break;
            default:
                throw new IllegalStateException(state.name());
        }
        work += recoveryWork();
        return work + election.retryVotes();
    }

    /** Per duty cycle: a leader streams syncs and counts its own flushed log; a learner flushes, then acks once. */
    private int recoveryWork() {
        if (state == ServerState.LEADING) {
            final int work = streamer.doWork();
            return work + broadcast.flushOwnLog();
        }
        return isLearner() ? follower.acknowledge() : 0;
    }

    /**
     * The earliest time at which {@link #doWork(long)} has timer work to do, so a driver on virtual time
     * can skip straight to it. Messages arriving earlier need a duty cycle of their own.
     */
    public long nextDeadlineNs() {
        if (state == null || election.hasPendingVotes()
            || (state == ServerState.LEADING && leadership.hasLearnerIn(Phase.SYNCING))) {
            return nowNs;
        }
        switch (state) {
            case LOOKING:
                return storageProbe.isFailed() ? storageProbe.probeNs() : election.deadlineNs();
            case FOLLOWING:
            case OBSERVING:
                return follower.deadlineNs();
            case LEADING:
                return streamer.earliestDeferredSync(leadership.deadlineNs());
            default:
                throw new IllegalStateException(state.name());
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Handlers: route each message to the phase it belongs to, which checks the state and records facts.

    /** An election notification: {@link FastLeaderElection#onNotification}. */
    public void onNotification(final long from, final int nState, final long nLeader, final long nZxid,
        final long nElectionEpoch, final long nPeerEpoch, final int nVersion) {
        election.onNotification(from, nState, nLeader, nZxid, nElectionEpoch, nPeerEpoch, nVersion);
    }

    /**
     * A learner announces itself (FOLLOWERINFO). A leader registers it, unless it only resumes a session
     * that is intact; a fast LOOKING node that votes for itself keeps it for when it leads; anyone else
     * refuses (ZooKeeper's would-be leader has no quorum listener yet).
     */
    public void onLearnerInfo(final long from, final long acceptedEpoch, final int flags) {
        final int index = ensemble.indexOf(from);
        if (index < 0 || index == myIndex) {
            messagesDropped++;
            return;
        }
        if (!Zxid.isValidEpoch(acceptedEpoch)) {
            epochRefused();
            return;
        }
        if ((flags & InboundMessages.LEARNER_RESUME) != 0 && state == ServerState.LEADING
            && leadership.resumes(index, acceptedEpoch, discovery.newEpoch())) {
            return;
        }
        peerReachable(index);
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
    public void onLearnerReject(final long from) {
        final int index = ensemble.indexOf(from);
        if (index < 0) {
            messagesDropped++;
        } else if (isLearner() && from == follower.leaderSid()) {
            follower.onRejected();
        } else if (state == ServerState.LOOKING) {
            election.forgetEarlyLearner(index);
        } else if (state == ServerState.LEADING) {
            leadership.onRejected(index);
        }
    }

    /** A ping: from our leader it proves the link; from anyone else it is a leader looking for followers we refuse. */
    public void onPing(final long from) {
        if (state != ServerState.LOOKING && from != leaderSid()) {
            publisher.sendLearnerReject(from);
        } else if (isLearner()) {
            follower.onPing(from);
        }
    }

    public void onPingAck(final long from) {
        final int index = ensemble.indexOf(from);
        if (state == ServerState.LEADING && index >= 0) {
            leadership.onPingAck(index);
        }
    }

    /** The transport established a link to {@code sid}; a LOOKING node tells it its vote at once. */
    public void onPeerConnected(final long sid) {
        final int index = ensemble.indexOf(sid);
        if (index < 0 || index == myIndex) {
            return;
        }
        peerReachable(index);
        if (state == ServerState.LOOKING && quorum.isVoter(index)) {
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
    public void onPeerDisconnected(final long sid) {
        final int index = ensemble.indexOf(sid);
        if (index < 0 || index == myIndex) {
            return;
        }
        connectedMask &= ~(1L << index);
        if (state == ServerState.LOOKING) {
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
    public void onQuorumDisconnected(final long sid) {
        final int index = ensemble.indexOf(sid);
        if (index < 0 || index == myIndex) {
            return;
        }
        if (state == ServerState.LEADING) {
            leadership.onLinkDown(index);
        }
        election.forgetEarlyLearner(index);
        if (isLearner() && sid == follower.leaderSid()) {
            state(ServerState.LOOKING, "connection to leader lost");
        }
    }

    /**
     * A connection attempt to {@code sid} that the agent asked for failed before it connected
     * ({@link PeerPublisher#connect}): if it is the leader this learner chose and has not heard from,
     * one failed try to reach it ({@link Follower#onUnreachable}). Anyone else's is of no interest:
     * the transport keeps redialling, and a LOOKING node waits for votes, not connections.
     */
    public void onPeerUnreachable(final long sid) {
        if (isLearner() && sid == follower.leaderSid()) {
            follower.onUnreachable();
        }
    }

    /** ACKEPOCH: {@link Discovery#onAckEpoch}. */
    public void onAckEpoch(final long from, final long currentEpoch, final long lastZxid, final long snapshotZxid) {
        discovery.onAckEpoch(from, currentEpoch, lastZxid, snapshotZxid);
    }

    /** ACK of NEWLEADER or of proposals: {@link Broadcast#onAck}. */
    public void onAck(final long from, final long zxid) {
        broadcast.onAck(from, zxid);
    }

    /** A client write: the leader logs and proposes it ({@link Broadcast#onWrite}); anyone else says who leads. */
    public void onWrite(final long requestId, final DirectBuffer payload, final int offset, final int length) {
        if (state != ServerState.LEADING) {
            final long leader = isLearner() ? follower.leaderSid() : -1;
            writeListener.onWriteResult(requestId, WriteListener.NOT_LEADER, -1, leader);
        } else {
            broadcast.onWrite(requestId, payload, offset, length);
        }
    }

    /** LEADERINFO: {@link Follower#onLeaderInfo}. */
    public void onLeaderInfo(final long from, final long epoch) {
        follower.onLeaderInfo(from, epoch);
    }

    /** The start of a sync stream: {@link Follower#onSyncStart}. */
    public void onSyncStart(final long from, final int modeCode, final long zxid) {
        follower.onSyncStart(from, modeCode, zxid);
    }

    /** A chunk of a SNAP: {@link Follower#onSnapshotChunk}. */
    public void onSnapshotChunk(final long from, final long zxid, final long digest, final long total,
        final long position, final DirectBuffer bytes, final int offset, final int length) {
        follower.onSnapshotChunk(from, zxid, digest, total, position, bytes, offset, length);
    }

    /** A txn of the sync stream or a proposal: {@link Follower#onProposal}. */
    public void onProposal(final long from, final long zxid, final DirectBuffer payload, final int offset,
        final int length) {
        follower.onProposal(from, zxid, payload, offset, length);
    }

    /** A run of a sync stream's txns as log records: {@link Follower#onRecords}. */
    public void onRecords(final long from, final DirectBuffer records, final int offset, final int length,
        final int count) {
        follower.onRecords(from, records, offset, length, count);
    }

    /** NEWLEADER: {@link Follower#onNewLeader}. */
    public void onNewLeader(final long from, final long zxid) {
        follower.onNewLeader(from, zxid);
    }

    /** UPTODATE: {@link Follower#onUpToDate}. */
    public void onUpToDate(final long from, final long zxid) {
        follower.onUpToDate(from, zxid);
    }

    /** COMMIT: {@link Follower#onCommit}. */
    public void onCommit(final long from, final long zxid) {
        follower.onCommit(from, zxid);
    }

    // ------------------------------------------------------------------------------------------------
    // What the election reports back (FastLeaderElection, same package).

    /** A message of a kind this agent does not know, or from a peer it does not know: dropped and counted. */
    void messageDropped() {
        messagesDropped++;
    }

    /** A message carried an epoch or zxid outside the epoch space: it is dropped and counted. */
    void epochRefused() {
        epochsRefused++;
        messagesDropped++;
    }

    /** A message arrived from member {@code index} over its election link: it is reachable for votes. */
    void peerReachable(final int index) {
        connectedMask |= 1L << index;
        everConnectedMask |= 1L << index;
    }

    long everConnectedMask() {
        return everConnectedMask;
    }

    long nowNs() {
        return nowNs;
    }

    /** A voter will not follow this member now: {@link Leadership#refused}. */
    void refused(final int index, final String reason) {
        leadership.refused(index, reason);
    }

    /** The election decided: this member takes the role it decided for. */
    void decide(final long leader, final long zxid, final long electionEpoch, final long peerEpoch,
        final long quorumMask, final String reason) {
        voteLeader = leader;
        voteZxid = zxid;
        voteElectionEpoch = electionEpoch;
        votePeerEpoch = peerEpoch;
        decisions++;
        lastElectionNs = nowNs - election.lookingSinceNs();
        observer.onDecision(mySid, leader, zxid, electionEpoch, peerEpoch, quorumMask, nowNs);
        final ServerState next;
        if (leader == mySid) {
            next = ServerState.LEADING;
        } else {
            next = isParticipant ? ServerState.FOLLOWING : ServerState.OBSERVING;
        }
        state(next, reason);
    }

    // ------------------------------------------------------------------------------------------------
    // State changes: the only place state is assigned.

    private void state(final ServerState next, final String reason) {
        final ServerState previous = state;
        leave(previous);
        state = next;
        stateSinceNs = nowNs;
        observer.onStateChange(mySid, previous, next, nowNs, reason);
        switch (next) {
            case LOOKING:
                election.reset(nowNs);
                break;
            case FOLLOWING:
            case OBSERVING:
                election.rejectEarlyLearners();
                follower.enter(voteLeader);
                break;
            case LEADING:
                leadership.enter(election.takeEarlyLearners());
                broadcast.enter();
                discovery.enter();
                break;
            default:
                throw new IllegalStateException(next.name());
        }
        assertInvariants();
    }

    /** Exit actions: the connections a role held are closed, and the other side is told at once. */
    private void leave(final ServerState previous) {
        if (previous == ServerState.LOOKING) {
            election.close();
        } else if (previous == ServerState.LEADING) {
            broadcast.leave();
            discovery.leave();
            leadership.leave();
        } else if (previous == ServerState.FOLLOWING || previous == ServerState.OBSERVING) {
            follower.leave();
        }
    }

    /**
     * What holds whenever a state has been entered (and the nested changes its entry made, if any): one
     * role at a time (only a leader has learners, only a learner a recovery step, only a LOOKING member
     * a running election), learners are other members of the ensemble, voters or observers, and nothing
     * is known committed beyond the member's own log. Checked with {@code assert}; tests run with -ea.
     */
    private void assertInvariants() {
        final long learners = leadership.learnerMask();
        assert (learners & ~ensemble.allMask()) == 0 && (learners & myBit) == 0
            : "learners " + Long.toBinaryString(learners) + " are not other members of " + ensemble;
        assert state == ServerState.LEADING || learners == 0
            : state + " with learners " + Long.toBinaryString(learners);
        assert isLearner() == (follower.step() != Follower.Step.NONE) : state + " with learner step " + follower.step();
        assert (state == ServerState.LOOKING) == (election.state() != FastLeaderElection.State.IDLE)
            : state + " with election " + election.state();
        assert commitZxid <= storage.lastLoggedZxid()
            : "committed " + Zxid.toString(commitZxid) + " past the last logged "
                + Zxid.toString(storage.lastLoggedZxid());
    }

    private boolean isLearner() {
        return state == ServerState.FOLLOWING || state == ServerState.OBSERVING;
    }

    /** The leader of this member's role: itself, the one it follows, or -1 while LOOKING. */
    private long leaderSid() {
        return state == ServerState.LEADING ? mySid : isLearner() ? follower.leaderSid() : -1;
    }

    /**
     * A storage operation failed under a role. An I/O error (a full disk, a failed write or force) means this
     * member cannot keep what it would promise: {@link #storageFailed}. Anything else (a request its history
     * cannot satisfy, such as a TRUNC below its snapshot) only ends the role.
     */
    private void cannotUseStorage(final String reason, final RuntimeException e) {
        if (e instanceof UncheckedIOException) {
            storageFailed(reason, e);
        } else {
            state(ServerState.LOOKING, reason);
        }
    }

    /** An I/O error from the storage: the role ends, and the member stays out of elections ({@link StorageProbe}). */
    private void storageFailed(final String reason, final RuntimeException cause) {
        storageProbe.failed(reason, cause, nowNs);
        state(ServerState.LOOKING, reason);
    }

    /** Out of elections after a storage failure: probes the storage when due; once it takes a write, looks again. */
    private int probeStorage() {
        if (!storageProbe.isDue(nowNs)) {
            return 0;
        }
        if (storageProbe.probe(nowNs)) {
            state(ServerState.LOOKING, "storage accepts writes again");
        }
        return 1;
    }

    /**
     * The epoch space is exhausted: no epoch above what a quorum accepted fits in a zxid, and wrapping
     * would order new history before old. The node leaves its role, tells its observer once, and from
     * then on does no work; the node stops itself (docs/recovery.md, "Bounded epochs").
     */
    private void halt(final String reason) {
        state(ServerState.LOOKING, "epoch space exhausted");
        haltReason = reason;
        observer.onHalted(mySid, reason, nowNs);
    }

    // ------------------------------------------------------------------------------------------------
    // Read by the owning thread, the simulator and tests. Other threads use an ElectionObserver.

    public long sid() {
        return mySid;
    }

    public Ensemble ensemble() {
        return ensemble;
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

    /** A leader whose epoch a quorum established, or a learner that received UPTODATE. */
    public boolean isServing() {
        if (state == ServerState.LEADING) {
            return leadership.isEstablished();
        }
        return isLearner() && follower.step() == Follower.Step.SERVING;
    }

    /** This learner's own step through recovery; NONE unless FOLLOWING or OBSERVING. */
    public Follower.Step learnerStep() {
        return follower.step();
    }

    /** This leader's view of member {@code index} as its learner; NONE when it is not one, or we do not lead. */
    public Phase learnerPhase(final int index) {
        return leadership.isLearner(index) ? leadership.learner(index).phase() : Phase.NONE;
    }

    public long logicalClock() {
        return election.logicalClock();
    }

    /** The vote this member sends while LOOKING (ZooKeeper's proposedLeader). */
    public long proposedLeader() {
        return election.candidate();
    }

    public long proposedZxid() {
        return election.candidateZxid();
    }

    public long proposedEpoch() {
        return election.candidateEpoch();
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
        return election.initialZxid();
    }

    public long initialEpoch() {
        return election.initialEpoch();
    }

    public boolean isParticipant() {
        return isParticipant;
    }

    /** Learners connected to this leader (member index mask). */
    public long learnerMask() {
        return leadership.learnerMask();
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
        return election.notificationsSent();
    }

    public long notificationsReceived() {
        return election.notificationsReceived();
    }

    public long messagesDropped() {
        return messagesDropped;
    }

    /** Messages dropped (or relationships ended) because an epoch or zxid in them was out of range. */
    public long epochsRefused() {
        return epochsRefused;
    }

    /** Accepted epochs reported by learners that were not allowed to raise the epoch proposed. */
    public long epochsCapped() {
        return discovery.epochsCapped();
    }

    /** Tests only: the counter at which a leader starts a new epoch instead of proposing. */
    void maxCounterForTest(final long counter) {
        broadcast.maxCounter(counter);
    }

    /** Why this node halted (the epoch space is exhausted), or null while it takes part. */
    public String haltReason() {
        return haltReason;
    }

    /** How many times this node has started looking (ZooKeeper's lookForLeader calls). */
    public long electionRounds() {
        return election.electionRounds();
    }

    public long decisions() {
        return decisions;
    }

    /** Time from entering LOOKING to the last decision. */
    public long lastElectionNs() {
        return lastElectionNs;
    }

    /** The epoch this leader negotiated; -1 until a quorum reported, and when not leading. */
    public long newEpoch() {
        return discovery.newEpoch();
    }

    /** Committed up to this zxid, as far as this node knows (a leader decides it; a learner hears it). */
    public long commitZxid() {
        return commitZxid;
    }

    /** How this node was last synced by a leader (null if never). */
    public SyncMode lastSyncMode() {
        return follower.lastSyncMode();
    }

    /** A leader's sync streams so far: txns and payload plus snapshot bytes sent. */
    public long syncTxnsSent() {
        return streamer.syncTxnsSent();
    }

    public long syncBytesSent() {
        return streamer.syncBytesSent();
    }

    /** Learner syncs this node held back as leader because the learner had left its previous ones unfinished. */
    public long syncsDeferred() {
        return streamer.syncsDeferred();
    }

    /** Writes this node committed as leader. */
    public long writesCommitted() {
        return broadcast.writesCommitted();
    }

    /** True while this member is out of elections after a storage failure (until a probe write succeeds). */
    public boolean isStorageFailed() {
        return storageProbe.isFailed();
    }

    /** Storage failures so far: failed operations under a role and failed probes after them. */
    public long storageFailures() {
        return storageProbe.failures();
    }

    /**
     * True while recovery or replication is unfinished here: a leader not yet established, syncing a
     * learner, or with a proposal some learner has not acknowledged; a learner not yet serving.
     */
    public boolean isRecoveryBusy() {
        if (state == ServerState.LEADING) {
            return !leadership.isEstablished() || leadership.hasLearnerIn(Phase.SYNCING) || broadcast.hasOutstanding()
                || leadership.hasLearnerBehind(log.lastZxid());
        }
        return isLearner() && follower.step() != Follower.Step.SERVING;
    }

    /** The agent as its ZAB phases see it ({@link Member}), and what follows discovery ({@link Discovery.Next}). */
    private final class Phases implements Member, Discovery.Next {
        @Override
        public long nowNs() {
            return nowNs;
        }

        @Override
        public boolean isLeading() {
            return state == ServerState.LEADING;
        }

        @Override
        public boolean isLearner() {
            return MemberAgent.this.isLearner();
        }

        @Override
        public long connectedMask() {
            return connectedMask;
        }

        @Override
        public void lookAgain(final String reason) {
            state(ServerState.LOOKING, reason);
        }

        @Override
        public void serving(final long peerEpoch) {
            votePeerEpoch = peerEpoch;
            observer.onServing(mySid, nowNs);
        }

        @Override
        public void cannotUseStorage(final String reason, final RuntimeException cause) {
            MemberAgent.this.cannotUseStorage(reason, cause);
        }

        @Override
        public void storageFailed(final String reason, final RuntimeException cause) {
            MemberAgent.this.storageFailed(reason, cause);
        }

        @Override
        public void halt(final String reason) {
            MemberAgent.this.halt(reason);
        }

        @Override
        public void epochRefused() {
            MemberAgent.this.epochRefused();
        }

        @Override
        public void messageDropped() {
            messagesDropped++;
        }

        @Override
        public long commitZxid() {
            return commitZxid;
        }

        @Override
        public void commitZxid(final long zxid) {
            commitZxid = zxid;
        }

        @Override
        public void startSync(final int index) {
            streamer.startSync(index);
        }

        @Override
        public void checkEstablished() {
            broadcast.checkEstablished();
        }
    }
}
