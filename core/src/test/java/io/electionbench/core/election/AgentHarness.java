package io.electionbench.core.election;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.electionbench.core.ServerState;
import io.electionbench.core.quorum.Ensemble;

/** One agent driven by hand: a fake clock, a recording publisher and settable persisted state. */
final class AgentHarness {
    static final int LOOKING = ServerState.LOOKING.code();
    static final int FOLLOWING = ServerState.FOLLOWING.code();
    static final int LEADING = ServerState.LEADING.code();

    /** Something the agent sent. */
    record Sent(String type, long to, int state, long leader, long zxid, long electionEpoch, long peerEpoch) {
    }

    final List<Sent> sent = new ArrayList<>();
    final List<String> transitions = new ArrayList<>();
    final Storage storage = new Storage();
    final ElectionAgent agent;
    long nowNs = TimeUnit.SECONDS.toNanos(1000);

    AgentHarness(final long sid, final Ensemble ensemble, final ElectionPolicy policy) {
        this(sid, ensemble, policy, 0, 0);
    }

    AgentHarness(final long sid, final Ensemble ensemble, final ElectionPolicy policy, final long lastZxid, final long epoch) {
        storage.zxid = lastZxid;
        storage.epoch = epoch;
        agent = new ElectionAgent(sid, ensemble, policy, NodeTiming.DEFAULT, storage, new Recorder(),
            new ElectionObserver() {
                @Override
                public void onStateChange(final long s, final ServerState from, final ServerState to, final long atNs, final String reason) {
                    transitions.add(to + ": " + reason);
                }
            },
            ElectionAgent.newInboundRing(4096), () -> nowNs);
    }

    AgentHarness start() {
        agent.doWork(nowNs);
        return this;
    }

    void advanceMs(final long ms) {
        nowNs += TimeUnit.MILLISECONDS.toNanos(ms);
        agent.doWork(nowNs);
    }

    /** Delivers a notification through the inbound ring and runs one duty cycle. */
    void notification(final long from, final int state, final long leader, final long zxid, final long round, final long peerEpoch) {
        InboundMessages.offerNotification(agent.inbound(), from, state, leader, zxid, round, peerEpoch, ElectionAgent.NOTIFICATION_VERSION);
        agent.doWork(nowNs);
    }

    void connected(final long sid) {
        InboundMessages.offerSidOnly(agent.inbound(), InboundMessages.PEER_CONNECTED, sid);
        agent.doWork(nowNs);
    }

    void disconnected(final long sid) {
        InboundMessages.offerSidOnly(agent.inbound(), InboundMessages.PEER_DISCONNECTED, sid);
        agent.doWork(nowNs);
    }

    void learnerInfo(final long from) {
        InboundMessages.offerLearnerInfo(agent.inbound(), from, 0, 0, false);
        agent.doWork(nowNs);
    }

    void ping(final long from) {
        InboundMessages.offerPing(agent.inbound(), InboundMessages.PING, from, 0);
        agent.doWork(nowNs);
    }

    void pingAck(final long from) {
        InboundMessages.offerPing(agent.inbound(), InboundMessages.PING_ACK, from, 0);
        agent.doWork(nowNs);
    }

    void reject(final long from) {
        InboundMessages.offerSidOnly(agent.inbound(), InboundMessages.LEARNER_REJECT, from);
        agent.doWork(nowNs);
    }

    List<Sent> take() {
        final List<Sent> out = new ArrayList<>(sent);
        sent.clear();
        return out;
    }

    List<Sent> take(final String type) {
        final List<Sent> out = new ArrayList<>();
        for (final Sent s : take()) {
            if (s.type().equals(type)) {
                out.add(s);
            }
        }
        return out;
    }

    static final class Storage implements PersistentState {
        long zxid;
        long epoch;

        @Override
        public long lastLoggedZxid() {
            return zxid;
        }

        @Override
        public long currentEpoch() {
            return epoch;
        }

        @Override
        public long acceptedEpoch() {
            return epoch;
        }
    }

    private final class Recorder implements PeerPublisher {
        @Override
        public boolean sendNotification(final long toSid, final int state, final long leader, final long zxid,
            final long electionEpoch, final long peerEpoch) {
            sent.add(new Sent("notification", toSid, state, leader, zxid, electionEpoch, peerEpoch));
            return true;
        }

        @Override
        public boolean sendLearnerInfo(final long toSid, final long acceptedEpoch, final long lastZxid, final boolean isObserver) {
            sent.add(new Sent("learnerInfo", toSid, 0, 0, lastZxid, 0, acceptedEpoch));
            return true;
        }

        @Override
        public boolean sendLearnerReject(final long toSid) {
            sent.add(new Sent("reject", toSid, 0, 0, 0, 0, 0));
            return true;
        }

        @Override
        public boolean sendPing(final long toSid, final long zxid) {
            sent.add(new Sent("ping", toSid, 0, 0, zxid, 0, 0));
            return true;
        }

        @Override
        public boolean sendPingAck(final long toSid, final long zxid) {
            sent.add(new Sent("pingAck", toSid, 0, 0, zxid, 0, 0));
            return true;
        }
    }
}
