package io.electionbench.core.election;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.electionbench.core.ServerState;
import io.electionbench.core.quorum.Ensemble;

/**
 * One agent driven by hand: a fake clock, a recording publisher and settable persisted state. The
 * publisher keeps the {@link PeerPublisher} contract on demand: {@link #refuse} makes a link refuse
 * sends, {@link #notWritable} makes it report not writable.
 */
final class AgentHarness {
    static final int LOOKING = ServerState.LOOKING.code();
    static final int FOLLOWING = ServerState.FOLLOWING.code();
    static final int LEADING = ServerState.LEADING.code();

    /** Something the agent sent. */
    record Sent(String type, long to, int state, long leader, long zxid, long electionEpoch, long peerEpoch) {
    }

    final List<Sent> sent = new ArrayList<>();
    final List<String> transitions = new ArrayList<>();
    final List<String> halts = new ArrayList<>();
    /** Write outcomes: requestId, status, zxid, leader. */
    final List<long[]> writeResults = new ArrayList<>();
    /** Storage failures reported: failures in a row, retry delay (ns), time (ns); a recovery: -1, 0, time. */
    final List<long[]> storageEvents = new ArrayList<>();
    final Storage storage = new Storage();
    final MemberAgent agent;
    long nowNs = TimeUnit.SECONDS.toNanos(1000);

    AgentHarness(final long sid, final Ensemble ensemble, final ElectionPolicy policy) {
        this(sid, ensemble, policy, 0, 0);
    }

    AgentHarness(final long sid, final Ensemble ensemble, final ElectionPolicy policy, final long lastZxid,
        final long epoch) {
        storage.zxid = lastZxid;
        storage.epoch = epoch;
        agent = new MemberAgent(sid, ensemble, policy, NodeTiming.DEFAULT, storage, new Recorder(),
            new ElectionObserver() {
                @Override
                public void onStateChange(final long s, final ServerState from, final ServerState to,
                    final long atNs, final String reason) {
                    transitions.add(to + ": " + reason);
                }

                @Override
                public void onHalted(final long s, final String reason, final long atNs) {
                    halts.add(reason);
                }

                @Override
                public void onStorageFailure(final long s, final String reason, final RuntimeException cause,
                    final long failures, final long retryNs, final long atNs) {
                    storageEvents.add(new long[] {failures, retryNs, atNs});
                }

                @Override
                public void onStorageRecovered(final long s, final long failures, final long sinceNs, final long atNs) {
                    storageEvents.add(new long[] {-1, 0, atNs});
                }
            },
            MemberAgent.newInboundRing(64 * 1024), () -> nowNs);
        agent.writeListener(
            (requestId, status, zxid, leader) -> writeResults.add(new long[] {requestId, status, zxid, leader}));
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
    void notification(final long from, final int state, final long leader, final long zxid, final long round,
        final long peerEpoch) {
        InboundMessages.offerNotification(agent.inbound(), from, state, leader, zxid, round, peerEpoch,
            MemberAgent.NOTIFICATION_VERSION);
        agent.doWork(nowNs);
    }

    void connected(final long sid) {
        InboundMessages.offerSidOnly(agent.inbound(), InboundMessages.PEER_CONNECTED, sid);
        agent.doWork(nowNs);
    }

    /** The election link to {@code sid} dropped. */
    void disconnected(final long sid) {
        InboundMessages.offerSidOnly(agent.inbound(), InboundMessages.PEER_DISCONNECTED, sid);
        agent.doWork(nowNs);
    }

    /** The quorum link to {@code sid} dropped. */
    void quorumDisconnected(final long sid) {
        InboundMessages.offerSidOnly(agent.inbound(), InboundMessages.QUORUM_DISCONNECTED, sid);
        agent.doWork(nowNs);
    }

    /** Both links to {@code sid} dropped in one go, as when it is killed (and as the simulator reports a crash). */
    void linkDown(final long sid) {
        InboundMessages.offerSidOnly(agent.inbound(), InboundMessages.PEER_DISCONNECTED, sid);
        InboundMessages.offerSidOnly(agent.inbound(), InboundMessages.QUORUM_DISCONNECTED, sid);
        agent.doWork(nowNs);
    }

    /** A dial to {@code sid} the agent asked for failed before it connected. */
    void unreachable(final long sid) {
        InboundMessages.offerSidOnly(agent.inbound(), InboundMessages.PEER_UNREACHABLE, sid);
        agent.doWork(nowNs);
    }

    void learnerInfo(final long from) {
        learnerInfo(from, 0);
    }

    void learnerInfo(final long from, final long acceptedEpoch) {
        InboundMessages.offerLearnerInfo(agent.inbound(), from, acceptedEpoch, 0, 0);
        agent.doWork(nowNs);
    }

    void ping(final long from) {
        InboundMessages.offerZxid(agent.inbound(), InboundMessages.PING, from, 0);
        agent.doWork(nowNs);
    }

    void pingAck(final long from) {
        InboundMessages.offerZxid(agent.inbound(), InboundMessages.PING_ACK, from, 0);
        agent.doWork(nowNs);
    }

    void reject(final long from) {
        InboundMessages.offerSidOnly(agent.inbound(), InboundMessages.LEARNER_REJECT, from);
        agent.doWork(nowNs);
    }

    void ackEpoch(final long from, final long currentEpoch, final long lastZxid) {
        ackEpoch(from, currentEpoch, lastZxid, -1);
    }

    void ackEpoch(final long from, final long currentEpoch, final long lastZxid, final long snapshotZxid) {
        InboundMessages.offerAckEpoch(agent.inbound(), from, currentEpoch, lastZxid, snapshotZxid);
        agent.doWork(nowNs);
    }

    /** Any quorum-port message that carries one zxid: LEADER_INFO, NEW_LEADER, ACK, COMMIT, UP_TO_DATE. */
    void zxidMessage(final int type, final long from, final long zxid) {
        InboundMessages.offerZxid(agent.inbound(), type, from, zxid);
        agent.doWork(nowNs);
    }

    void syncStart(final long from, final io.electionbench.core.sync.SyncMode mode, final long zxid) {
        InboundMessages.offerSyncStart(agent.inbound(), from, mode.code(), zxid);
        agent.doWork(nowNs);
    }

    void proposal(final long from, final long zxid) {
        final org.agrona.concurrent.UnsafeBuffer payload = new org.agrona.concurrent.UnsafeBuffer(new byte[8]);
        payload.putLong(0, zxid);
        InboundMessages.offerProposal(agent.inbound(), from, zxid, payload, 0, 8);
        agent.doWork(nowNs);
    }

    void write(final long requestId) {
        final org.agrona.concurrent.UnsafeBuffer payload = new org.agrona.concurrent.UnsafeBuffer(new byte[8]);
        payload.putLong(0, requestId);
        InboundMessages.offerWrite(agent.inbound(), requestId, payload, 0, 8);
        agent.doWork(nowNs);
    }

    /** A learner that acknowledges the leader's epoch (current epoch 0, empty log) and then NEWLEADER. */
    void recover(final long learner) {
        ackEpoch(learner, 0, 0);
        zxidMessage(InboundMessages.ACK, learner, io.electionbench.core.Zxid.make(agent.newEpoch(), 0));
    }

    /** A learner's side of recovery with leader {@code leader}: epoch, an empty DIFF, NEWLEADER, UPTODATE. */
    void followThrough(final long leader, final long epoch) {
        zxidMessage(InboundMessages.LEADER_INFO, leader, epoch);
        syncStart(leader, io.electionbench.core.sync.SyncMode.DIFF, storage.lastLoggedZxid());
        zxidMessage(InboundMessages.NEW_LEADER, leader, io.electionbench.core.Zxid.make(epoch, 0));
        zxidMessage(InboundMessages.UP_TO_DATE, leader, 0);
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

    /**
     * Settable epochs and a last zxid that stands in for a history until the log holds one. The agent sees
     * {@link #log} through {@link #disk}, which can be made full.
     */
    static final class Storage implements PersistentState {
        final io.electionbench.core.log.MemoryTxnLog log = new io.electionbench.core.log.MemoryTxnLog();
        final FullDiskLog disk = new FullDiskLog(log);
        long zxid;
        long epoch;
        long accepted = -1;
        /** While set, the epoch setters throw as a failing disk makes {@code NodeStorage}'s do. */
        boolean isEpochWriteFailing;

        @Override
        public io.electionbench.core.log.TxnLog log() {
            return disk;
        }

        @Override
        public long lastLoggedZxid() {
            return log.lastZxid() >= 0 ? log.lastZxid() : zxid;
        }

        @Override
        public long currentEpoch() {
            return epoch;
        }

        @Override
        public long acceptedEpoch() {
            return accepted < 0 ? epoch : accepted;
        }

        @Override
        public void acceptedEpoch(final long e) {
            failEpochWrite("acceptedEpoch", e);
            accepted = e;
        }

        @Override
        public void currentEpoch(final long e) {
            failEpochWrite("currentEpoch", e);
            epoch = e;
        }

        private void failEpochWrite(final String name, final long e) {
            if (isEpochWriteFailing) {
                throw new java.io.UncheckedIOException("cannot persist " + name + "=" + e + " to /data/version-2/"
                    + name, new java.io.IOException("Input/output error"));
            }
        }
    }

    /**
     * Makes the links to {@code sid} refuse sends of {@code types} (the names {@link Sent#type} uses), or
     * of every type when none are given, as a link that is down or backed up does: the send returns false
     * and is listed in {@link #refused} instead of {@link #sent}.
     */
    void refuse(final long sid, final String... types) {
        refusing.put(sid, types.length == 0 ? Set.of(ANY) : Set.of(types));
    }

    /** The links to {@code sid} take every send again, and are writable. */
    void accept(final long sid) {
        refusing.remove(sid);
        unwritable.remove(sid);
    }

    /** The quorum link to {@code sid} reports not writable, as one above its high water mark does. */
    void notWritable(final long sid) {
        unwritable.add(sid);
    }

    private boolean record(final Sent s) {
        final Set<String> types = refusing.get(s.to());
        if (types != null && (types.contains(ANY) || types.contains(s.type()))) {
            refused.add(s);
            return false;
        }
        sent.add(s);
        return true;
    }

    private static final String ANY = "*";
    private final Map<Long, Set<String>> refusing = new HashMap<>();
    private final Set<Long> unwritable = new HashSet<>();
    /** Sends a link refused ({@link #refuse}). */
    final List<Sent> refused = new ArrayList<>();

    /** What the publisher answers to {@link PeerPublisher#haveDelivered}. */
    boolean isDelivered = true;

    private final class Recorder implements PeerPublisher {
        @Override
        public boolean haveDelivered() {
            return isDelivered;
        }

        @Override
        public boolean isWritable(final long toSid) {
            return !unwritable.contains(toSid);
        }

        /** Recorded as a "connect" (a dial; its failure is for the test to report, {@link #unreachable}). */
        @Override
        public void connect(final long toSid) {
            sent.add(new Sent("connect", toSid, 0, 0, 0, 0, 0));
        }

        /** Recorded as a "reset" (it cannot be refused: the connection is closed whatever it holds). */
        @Override
        public void resetQuorumLink(final long toSid) {
            sent.add(new Sent("reset", toSid, 0, 0, 0, 0, 0));
        }

        @Override
        public boolean sendNotification(final long toSid, final int state, final long leader, final long zxid,
            final long electionEpoch, final long peerEpoch) {
            return record(new Sent("notification", toSid, state, leader, zxid, electionEpoch, peerEpoch));
        }

        @Override
        public boolean sendLearnerInfo(final long toSid, final long acceptedEpoch, final long lastZxid,
            final int flags) {
            return record(new Sent("learnerInfo", toSid, 0, 0, lastZxid, 0, acceptedEpoch));
        }

        @Override
        public boolean sendLearnerReject(final long toSid) {
            return record(new Sent("reject", toSid, 0, 0, 0, 0, 0));
        }

        @Override
        public boolean sendPing(final long toSid, final long zxid) {
            return record(new Sent("ping", toSid, 0, 0, zxid, 0, 0));
        }

        @Override
        public boolean sendPingAck(final long toSid, final long zxid) {
            return record(new Sent("pingAck", toSid, 0, 0, zxid, 0, 0));
        }

        @Override
        public boolean sendLeaderInfo(final long toSid, final long newEpoch) {
            return record(new Sent("leaderInfo", toSid, 0, 0, 0, 0, newEpoch));
        }

        @Override
        public boolean sendAckEpoch(final long toSid, final long currentEpoch, final long lastZxid,
            final long snapshotZxid) {
            // leader field: the snapshot zxid
            return record(new Sent("ackEpoch", toSid, 0, snapshotZxid, lastZxid, 0, currentEpoch));
        }

        @Override
        public boolean sendSyncStart(final long toSid, final int mode, final long zxid) {
            return record(new Sent("syncStart", toSid, mode, 0, zxid, 0, 0));
        }

        @Override
        public boolean sendSnapshotChunk(final long toSid, final long zxid, final long digest, final long totalLength,
            final long position, final org.agrona.DirectBuffer buffer, final int offset, final int length) {
            return record(new Sent("snapshotChunk", toSid, length, 0, zxid, position, totalLength));
        }

        @Override
        public boolean sendProposal(final long toSid, final long zxid, final org.agrona.DirectBuffer payload,
            final int offset, final int length) {
            return record(new Sent("proposal", toSid, length, 0, zxid, 0, 0));
        }

        @Override
        public boolean sendNewLeader(final long toSid, final long zxid) {
            return record(new Sent("newLeader", toSid, 0, 0, zxid, 0, 0));
        }

        @Override
        public boolean sendAck(final long toSid, final long zxid) {
            return record(new Sent("ack", toSid, 0, 0, zxid, 0, 0));
        }

        @Override
        public boolean sendCommit(final long toSid, final long zxid) {
            return record(new Sent("commit", toSid, 0, 0, zxid, 0, 0));
        }

        @Override
        public boolean sendUpToDate(final long toSid, final long zxid) {
            return record(new Sent("upToDate", toSid, 0, 0, zxid, 0, 0));
        }
    }
}
