package io.electionbench.transport.node;

import java.util.function.Consumer;

import io.electionbench.core.ServerState;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.election.ElectionObserver;
import io.electionbench.core.election.PersistentState;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sync.SyncMode;
import io.electionbench.core.zab.LearnerProgress;

/**
 * Publishes a member's state from the agent thread to other threads without locks: an immutable
 * {@link NodeStatus} in a volatile field, replaced only when something changed (a release store;
 * readers get a consistent snapshot with one acquire load), and a {@link NodeEvent} per state change,
 * per completed sync ({@code onSynced}) and per recovery phase change, handed to an event sink (the
 * admin endpoint, which moves it onto its event loop). These are rare, so allocating a snapshot and
 * an event for each is fine; the per-cycle check allocates nothing. Progress that moves with every
 * write (zxids, counters) is republished at most once per {@link #PROGRESS_INTERVAL_NS}, so a busy
 * leader allocates one snapshot per millisecond, not per cycle; the agent parks at most 1 ms, so an
 * idle member's status is at most about 2 ms behind.
 */
final class StatusPublisher implements ElectionObserver {
    /** Progress-only changes are republished at most this often. */
    static final long PROGRESS_INTERVAL_NS = 1_000_000;

    private final long sid;
    private final String policy;
    private final NodeStatus.Builder next = new NodeStatus.Builder();
    private final StorageAlarm storageAlarm;
    private final ElectionDurations electionDurations = new ElectionDurations();
    private MemberAgent agent;
    private volatile NodeStatus status;
    private volatile Consumer<NodeEvent> sink;
    private volatile Consumer<String> haltSink = reason -> { };

    private long lastPublishNs;

    private long syncsReceived;
    private long syncTxnsReceived;
    private long syncBytesReceived;
    private long lastSyncNs;

    StatusPublisher(final long sid, final String policy, final StorageAlarm storageAlarm) {
        this.sid = sid;
        this.policy = policy;
        this.storageAlarm = storageAlarm;
        this.status = NodeStatus.starting(sid, policy);
        next.sid = sid;
        next.policy = policy;
    }

    void agent(final MemberAgent agent) {
        this.agent = agent;
        next.members(agent.ensemble().size());
    }

    void sink(final Consumer<NodeEvent> sink) {
        this.sink = sink;
    }

    /** Told, on the agent thread, why the agent halted (see {@link ElectionObserver#onHalted}). */
    void haltSink(final Consumer<String> sink) {
        this.haltSink = sink;
    }

    NodeStatus status() {
        return status;
    }

    @Override
    public void onStateChange(final long mySid, final ServerState from, final ServerState to, final long nowNs, final String reason) {
        final long leader = to == ServerState.LOOKING ? -1 : agent.voteLeader();
        final long round = to == ServerState.LOOKING ? agent.logicalClock() + 1 : agent.voteElectionEpoch();
        emit(new NodeEvent(nowNs, sid, from == null ? "STARTING" : from.name(), to.name(), leader, round, reason));
    }

    /** Counts the election's duration (the agent stamps {@code lastElectionNs} before it tells us). */
    @Override
    public void onDecision(final long mySid, final long leader, final long zxid, final long electionEpoch,
        final long peerEpoch, final long quorumMask, final long nowNs) {
        electionDurations.record(agent.lastElectionNs());
    }

    @Override
    public void onHalted(final long mySid, final String reason, final long nowNs) {
        emit(new NodeEvent(nowNs, sid, agent.state().name(), "HALTED", -1, agent.logicalClock(), reason));
        haltSink.accept(reason);
    }

    @Override
    public void onServing(final long mySid, final long nowNs) {
        final String state = agent.state().name();
        emit(new NodeEvent(nowNs, sid, state, state, agent.leader(), agent.voteElectionEpoch(), "serving"));
    }

    @Override
    public void onSynced(final long mySid, final long leader, final long epoch, final SyncMode mode, final long lastZxid,
        final long digest, final long txns, final long bytes, final long startedNs, final long nowNs) {
        syncsReceived++;
        syncTxnsReceived += txns;
        syncBytesReceived += bytes;
        lastSyncNs = nowNs - startedNs;
        emit(NodeEvent.synced(nowNs, sid, leader, epoch, mode == null ? "null" : mode.name(), lastZxid, txns, bytes, nowNs - startedNs));
    }

    @Override
    public void onStorageFailure(final long mySid, final String reason, final RuntimeException cause,
        final long failures, final long retryNs, final long nowNs) {
        storageAlarm.onFailure(reason, cause, failures, retryNs, nowNs);
    }

    @Override
    public void onStorageRecovered(final long mySid, final long failures, final long failedSinceNs, final long nowNs) {
        storageAlarm.onRecovered(failures, failedSinceNs, nowNs);
    }

    StorageAlarm storageAlarm() {
        return storageAlarm;
    }

    /** Every decided election's duration, for {@code /metrics}. */
    ElectionDurations electionDurations() {
        return electionDurations;
    }

    private void emit(final NodeEvent event) {
        final Consumer<NodeEvent> target = sink;
        if (target != null) {
            target.accept(event);
        }
    }

    /**
     * Agent thread, after each duty cycle: replaces the snapshot at once if the role changed (state,
     * serving, leader, round, decisions, a recovery step or a learner's phase), and at most once per
     * {@link #PROGRESS_INTERVAL_NS} if only progress (zxids, epochs, sync and write counters) did.
     * Compares against the published snapshot, which only this thread replaces.
     */
    void publishIfChanged(final long nowNs) {
        final NodeStatus last = status;
        final ServerState state = agent.state();
        final String stateName = state == null ? "STARTING" : state.name();
        final boolean isLooking = state == ServerState.LOOKING;
        final long round = isLooking ? agent.logicalClock() : agent.voteElectionEpoch();
        final boolean isRoleChanged = !stateName.equals(last.state()) || agent.stateSinceNs() != last.sinceNs()
            || agent.isServing() != last.isServing() || agent.leader() != last.leader() || round != last.electionEpoch()
            || agent.decisions() != last.decisions() || !agent.learnerStep().name().equals(last.learnerStep())
            || isLearnerViewChanged(last);
        if (!isRoleChanged && (nowNs - lastPublishNs < PROGRESS_INTERVAL_NS || !isProgressChanged(last))) {
            return;
        }
        if (isRoleChanged) {
            emitPhaseChanges(last, nowNs);
        }
        lastPublishNs = nowNs;
        final PersistentState storage = agent.storage();
        final SyncMode mode = agent.lastSyncMode();
        final NodeStatus.Builder b = next;
        b.state = stateName;
        b.leader = agent.leader();
        b.epoch = isLooking ? storage.currentEpoch() : agent.votePeerEpoch();
        b.lastZxid = storage.lastLoggedZxid();
        b.commitZxid = agent.commitZxid();
        b.electionEpoch = round;
        b.isServing = agent.isServing();
        b.sinceNs = agent.stateSinceNs();
        b.decisions = agent.decisions();
        b.electionRounds = agent.electionRounds();
        b.lastElectionNs = agent.lastElectionNs();
        b.acceptedEpoch = storage.acceptedEpoch();
        b.currentEpoch = storage.currentEpoch();
        b.syncMode = mode == null ? null : mode.name();
        b.syncsReceived = syncsReceived;
        b.syncTxnsReceived = syncTxnsReceived;
        b.syncBytesReceived = syncBytesReceived;
        b.lastSyncNs = lastSyncNs;
        b.syncTxnsSent = agent.syncTxnsSent();
        b.syncBytesSent = agent.syncBytesSent();
        b.writesCommitted = agent.writesCommitted();
        b.learnerStep = agent.learnerStep().name();
        final Ensemble ensemble = agent.ensemble();
        int learners = 0;
        for (int i = 0; i < ensemble.size(); i++) {
            final LearnerProgress.Phase phase = agent.learnerPhase(i);
            if (phase != LearnerProgress.Phase.NONE) {
                b.learnerSids[learners] = ensemble.sid(i);
                b.learnerPhases[learners] = phase;
                learners++;
            }
        }
        b.learnerCount = learners;
        status = b.build();
    }

    /**
     * One phase event per recovery phase that differs from the published snapshot's: the member's own
     * learner step, and each learner of a leader whose phase changed (NONE for one it forgot). Phases are
     * seen as of the end of a duty cycle, as {@code /state} shows them: a phase entered and left within
     * one cycle is not reported.
     */
    private void emitPhaseChanges(final NodeStatus last, final long nowNs) {
        final String step = agent.learnerStep().name();
        if (!step.equals(last.learnerStep())) {
            emit(NodeEvent.phase(nowNs, sid, agent.leader(), NodeEvent.SELF, step));
        }
        final Ensemble ensemble = agent.ensemble();
        for (int i = 0; i < ensemble.size(); i++) {
            final LearnerProgress.Phase phase = agent.learnerPhase(i);
            final String before = last.learnerPhase(ensemble.sid(i));
            final boolean isNone = phase == LearnerProgress.Phase.NONE;
            if (isNone ? before != null : !phase.name().equals(before)) {
                emit(NodeEvent.phase(nowNs, sid, agent.leader(), ensemble.sid(i), phase.name()));
            }
        }
    }

    /** A leader's learners or their phases differ from the published ones. Allocates nothing. */
    private boolean isLearnerViewChanged(final NodeStatus last) {
        final Ensemble ensemble = agent.ensemble();
        int k = 0;
        for (int i = 0; i < ensemble.size(); i++) {
            final LearnerProgress.Phase phase = agent.learnerPhase(i);
            if (phase == LearnerProgress.Phase.NONE) {
                continue;
            }
            if (k >= last.learnerCount() || last.learnerSid(k) != ensemble.sid(i) || last.learnerPhaseAt(k) != phase) {
                return true;
            }
            k++;
        }
        return k != last.learnerCount();
    }

    private boolean isProgressChanged(final NodeStatus last) {
        final PersistentState storage = agent.storage();
        final SyncMode mode = agent.lastSyncMode();
        return storage.lastLoggedZxid() != last.zxid() || agent.commitZxid() != last.commitZxid()
            || storage.acceptedEpoch() != last.acceptedEpoch() || storage.currentEpoch() != last.currentEpoch()
            || syncsReceived != last.syncsReceived() || agent.syncTxnsSent() != last.syncTxnsSent()
            || agent.syncBytesSent() != last.syncBytesSent() || agent.writesCommitted() != last.writesCommitted()
            || (mode == null ? last.syncMode() != null : !mode.name().equals(last.syncMode()));
    }
}
