package io.electionbench.transport.node;

import java.util.function.Consumer;

import io.electionbench.core.ServerState;
import io.electionbench.core.election.ElectionAgent;
import io.electionbench.core.election.ElectionObserver;

/**
 * Publishes a member's state from the agent thread to other threads without locks: an immutable
 * {@link NodeStatus} in a volatile field, replaced only when something changed (a release store;
 * readers get a consistent snapshot with one acquire load), and a {@link NodeEvent} per state change
 * handed to an event sink (the admin endpoint, which moves it onto its event loop). State changes are
 * rare, so allocating a snapshot and an event for each is fine; the per-cycle check allocates nothing.
 */
final class StatusPublisher implements ElectionObserver {
    private final long sid;
    private final String policy;
    private ElectionAgent agent;
    private volatile NodeStatus status;
    private volatile Consumer<NodeEvent> sink;

    private ServerState lastState;
    private long lastSinceNs;
    private boolean wasServing;
    private long lastLeader;
    private long lastElectionEpoch;
    private long lastZxid;
    private long lastDecisions;

    StatusPublisher(final long sid, final String policy) {
        this.sid = sid;
        this.policy = policy;
        this.status = NodeStatus.starting(sid, policy);
    }

    void agent(final ElectionAgent agent) {
        this.agent = agent;
    }

    void sink(final Consumer<NodeEvent> sink) {
        this.sink = sink;
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

    @Override
    public void onServing(final long mySid, final long nowNs) {
        final String state = agent.state().name();
        emit(new NodeEvent(nowNs, sid, state, state, agent.leader(), agent.voteElectionEpoch(), "serving"));
    }

    private void emit(final NodeEvent event) {
        final Consumer<NodeEvent> target = sink;
        if (target != null) {
            target.accept(event);
        }
    }

    /** Agent thread, after each duty cycle: replaces the snapshot if anything it shows changed. */
    void publishIfChanged() {
        final ServerState state = agent.state();
        final long sinceNs = agent.stateSinceNs();
        final boolean isServing = agent.isServing();
        final long leader = agent.leader();
        final boolean isLooking = state == ServerState.LOOKING;
        final long round = isLooking ? agent.logicalClock() : agent.voteElectionEpoch();
        final long zxid = agent.storage().lastLoggedZxid();
        final long decisions = agent.decisions();
        if (state == lastState && sinceNs == lastSinceNs && isServing == wasServing && leader == lastLeader
            && round == lastElectionEpoch && zxid == lastZxid && decisions == lastDecisions) {
            return;
        }
        lastState = state;
        lastSinceNs = sinceNs;
        wasServing = isServing;
        lastLeader = leader;
        lastElectionEpoch = round;
        lastZxid = zxid;
        lastDecisions = decisions;
        final long epoch = isLooking ? agent.storage().currentEpoch() : agent.votePeerEpoch();
        status = new NodeStatus(sid, state == null ? "STARTING" : state.name(), leader, epoch, zxid, round, isServing,
            sinceNs, policy, decisions, agent.electionRounds(), agent.lastElectionNs());
    }
}
