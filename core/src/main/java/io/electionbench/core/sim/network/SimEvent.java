package io.electionbench.core.sim.network;

import java.util.function.Function;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.election.InboundMessages;

/**
 * One delivery the network has scheduled: a header (when, between which servers, to which
 * incarnation, which link holds it on its way) and, per kind, a final subclass with exactly the fields
 * its message has on the wire, which it puts on the receiver's inbound ring in
 * {@link InboundMessages}' format. Events are pooled per kind ({@link Pool}, {@link EventPools}) and
 * reused, so a run allocates only while its busiest instant grows the pools. Simulator thread only.
 */
abstract sealed class SimEvent {
    /** How an event travels (docs/architecture.md, "The simulator's link model"). */
    enum Path {
        /** An election notification: latency, loss, duplication and reordering as the model says. */
        ELECTION,
        /** A quorum message: on the pair's one connection, in order, never lost or duplicated while it is up. */
        QUORUM,
        /** A connection established, reset or dialled again: in order with the quorum messages. */
        CONNECTION
    }

    final Pool<?> pool;
    final Path path;
    long timeNs;
    /** Scheduling order, which breaks ties in time ({@link EventQueue}). */
    long sequence;
    int from;
    int to;
    /** The receiver's incarnation when the event was scheduled: a later one never sees it. */
    int toIncarnation;
    /** The link whose count this event occupies while on its way ({@link SimLinks}). */
    byte link;
    SimEvent next;

    private SimEvent(final Pool<?> pool) {
        this.pool = pool;
        this.path = pool.path;
    }

    /** Puts this message on {@code ring} as the transport's adapter would, from {@code fromSid}. */
    abstract void offerTo(RingBuffer ring, long fromSid);

    /** The kind a message fault names it by; null for a connection event, which is never faulted. */
    abstract MessageKind kind();

    /** Copies the message's own fields from {@code other}, an event of the same class. */
    abstract void copyBody(SimEvent other);

    /** The same message again, due at the same instant, from this event's pool (a duplicating fault). */
    final SimEvent copy() {
        final SimEvent c = pool.acquire();
        c.timeNs = timeNs;
        c.from = from;
        c.to = to;
        c.toIncarnation = toIncarnation;
        c.link = SimLinks.NOT_COUNTED;
        c.copyBody(this);
        return c;
    }

    /** Back to its pool; the event must not be used afterwards. */
    final void release() {
        pool.release(this);
    }

    /** A free list of one kind of event; the factory makes one more when the list is empty. */
    static final class Pool<E extends SimEvent> {
        final Path path;
        private final Function<Pool<E>, E> factory;
        private SimEvent free;
        private int made;

        Pool(final Path path, final Function<Pool<E>, E> factory) {
            this.path = path;
            this.factory = factory;
        }

        @SuppressWarnings("unchecked")
        E acquire() {
            final SimEvent e = free;
            if (e == null) {
                made++;
                return factory.apply(this);
            }
            free = e.next;
            e.next = null;
            return (E)e;
        }

        private void release(final SimEvent e) {
            e.next = free;
            free = e;
        }

        /** Events this pool has made, in its free list or in use. */
        int made() {
            return made;
        }
    }

    /** An election notification, with its sender's own data when it sent it (the checker's, on no wire). */
    static final class Notification extends SimEvent {
        int state;
        long leader;
        long zxid;
        long electionEpoch;
        long peerEpoch;
        /** The sender's current epoch and last logged zxid at the send ({@code LeaderCompleteness}). */
        long senderEpoch;
        long senderZxid;

        Notification(final Pool<Notification> pool) {
            super(pool);
        }

        /** The same notification again, as a duplicating network delivers it. */
        void copyFrom(final Notification n) {
            state = n.state;
            leader = n.leader;
            zxid = n.zxid;
            electionEpoch = n.electionEpoch;
            peerEpoch = n.peerEpoch;
            senderEpoch = n.senderEpoch;
            senderZxid = n.senderZxid;
        }

        @Override
        MessageKind kind() {
            return MessageKind.NOTIFICATION;
        }

        @Override
        void copyBody(final SimEvent other) {
            copyFrom((Notification)other);
        }

        @Override
        void offerTo(final RingBuffer ring, final long fromSid) {
            InboundMessages.offerNotification(ring, fromSid, state, leader, zxid, electionEpoch, peerEpoch,
                MemberAgent.NOTIFICATION_VERSION);
        }
    }

    /** FOLLOWERINFO or OBSERVERINFO: a learner announces itself. */
    static final class LearnerInfo extends SimEvent {
        long acceptedEpoch;
        long lastZxid;
        int flags;

        LearnerInfo(final Pool<LearnerInfo> pool) {
            super(pool);
        }

        @Override
        MessageKind kind() {
            return MessageKind.LEARNER_INFO;
        }

        @Override
        void copyBody(final SimEvent other) {
            final LearnerInfo o = (LearnerInfo)other;
            acceptedEpoch = o.acceptedEpoch;
            lastZxid = o.lastZxid;
            flags = o.flags;
        }

        @Override
        void offerTo(final RingBuffer ring, final long fromSid) {
            InboundMessages.offerLearnerInfo(ring, fromSid, acceptedEpoch, lastZxid, flags);
        }
    }

    /** A leader's refusal of a learner; it carries nothing but its sender. */
    static final class LearnerReject extends SimEvent {
        LearnerReject(final Pool<LearnerReject> pool) {
            super(pool);
        }

        @Override
        MessageKind kind() {
            return MessageKind.LEARNER_REJECT;
        }

        @Override
        void copyBody(final SimEvent other) {
        }

        @Override
        void offerTo(final RingBuffer ring, final long fromSid) {
            InboundMessages.offerSidOnly(ring, InboundMessages.LEARNER_REJECT, fromSid);
        }
    }

    /** A quorum message with one zxid or epoch: PING, PING_ACK, LEADERINFO, NEWLEADER, ACK, COMMIT, UPTODATE. */
    static final class ZxidMessage extends SimEvent {
        /** Its {@link InboundMessages} type. */
        int type;
        long zxid;

        ZxidMessage(final Pool<ZxidMessage> pool) {
            super(pool);
        }

        private static MessageKind zxidKind(final int type) {
            switch (type) {
                case InboundMessages.PING:
                    return MessageKind.PING;
                case InboundMessages.PING_ACK:
                    return MessageKind.PING_ACK;
                case InboundMessages.LEADER_INFO:
                    return MessageKind.LEADER_INFO;
                case InboundMessages.NEW_LEADER:
                    return MessageKind.NEW_LEADER;
                case InboundMessages.ACK:
                    return MessageKind.ACK;
                case InboundMessages.COMMIT:
                    return MessageKind.COMMIT;
                case InboundMessages.UP_TO_DATE:
                    return MessageKind.UP_TO_DATE;
                default:
                    throw new IllegalStateException("message type " + type + " carries no single zxid");
            }
        }

        @Override
        MessageKind kind() {
            return zxidKind(type);
        }

        @Override
        void copyBody(final SimEvent other) {
            final ZxidMessage o = (ZxidMessage)other;
            type = o.type;
            zxid = o.zxid;
        }

        @Override
        void offerTo(final RingBuffer ring, final long fromSid) {
            InboundMessages.offerZxid(ring, type, fromSid, zxid);
        }
    }

    /** ACKEPOCH: a learner's answer to LEADERINFO. */
    static final class AckEpoch extends SimEvent {
        long currentEpoch;
        long lastZxid;
        long snapshotZxid;

        AckEpoch(final Pool<AckEpoch> pool) {
            super(pool);
        }

        @Override
        MessageKind kind() {
            return MessageKind.ACK_EPOCH;
        }

        @Override
        void copyBody(final SimEvent other) {
            final AckEpoch o = (AckEpoch)other;
            currentEpoch = o.currentEpoch;
            lastZxid = o.lastZxid;
            snapshotZxid = o.snapshotZxid;
        }

        @Override
        void offerTo(final RingBuffer ring, final long fromSid) {
            InboundMessages.offerAckEpoch(ring, fromSid, currentEpoch, lastZxid, snapshotZxid);
        }
    }

    /** The start of a sync stream: its mode and the zxid it starts from or truncates to. */
    static final class SyncStart extends SimEvent {
        int mode;
        long zxid;

        SyncStart(final Pool<SyncStart> pool) {
            super(pool);
        }

        @Override
        MessageKind kind() {
            return MessageKind.SYNC_START;
        }

        @Override
        void copyBody(final SimEvent other) {
            final SyncStart o = (SyncStart)other;
            mode = o.mode;
            zxid = o.zxid;
        }

        @Override
        void offerTo(final RingBuffer ring, final long fromSid) {
            InboundMessages.offerSyncStart(ring, fromSid, mode, zxid);
        }
    }

    /** A txn, of a sync stream or a broadcast; its payload is copied at the send. */
    static final class Proposal extends SimEvent {
        long zxid;
        final ExpandableArrayBuffer payload = new ExpandableArrayBuffer(32);
        int length;

        Proposal(final Pool<Proposal> pool) {
            super(pool);
        }

        void payload(final DirectBuffer buffer, final int offset, final int length) {
            payload.putBytes(0, buffer, offset, length);
            this.length = length;
        }

        @Override
        MessageKind kind() {
            return MessageKind.PROPOSAL;
        }

        @Override
        void copyBody(final SimEvent other) {
            final Proposal o = (Proposal)other;
            zxid = o.zxid;
            payload(o.payload, 0, o.length);
        }

        @Override
        void offerTo(final RingBuffer ring, final long fromSid) {
            InboundMessages.offerProposal(ring, fromSid, zxid, payload, 0, length);
        }
    }

    /** A chunk of a snapshot of a sync stream; its bytes are copied at the send. */
    static final class SnapshotChunk extends SimEvent {
        long zxid;
        long digest;
        long totalLength;
        long position;
        final ExpandableArrayBuffer bytes = new ExpandableArrayBuffer(32);
        int length;

        SnapshotChunk(final Pool<SnapshotChunk> pool) {
            super(pool);
        }

        void bytes(final DirectBuffer buffer, final int offset, final int length) {
            bytes.putBytes(0, buffer, offset, length);
            this.length = length;
        }

        @Override
        MessageKind kind() {
            return MessageKind.SNAPSHOT_CHUNK;
        }

        @Override
        void copyBody(final SimEvent other) {
            final SnapshotChunk o = (SnapshotChunk)other;
            zxid = o.zxid;
            digest = o.digest;
            totalLength = o.totalLength;
            position = o.position;
            bytes(o.bytes, 0, o.length);
        }

        @Override
        void offerTo(final RingBuffer ring, final long fromSid) {
            InboundMessages.offerSnapshotChunk(ring, fromSid, zxid, digest, totalLength, position, bytes, 0, length);
        }
    }

    /** A pair's connections changed, as the transport reports it to the receiver. */
    static final class Connection extends SimEvent {
        enum Change {
            /** Both connections are established: PEER_CONNECTED. */
            UP,
            /**
             * Both connections dropped (a crash or a reset cut), reported as the transport reports them:
             * the election one, then the quorum one.
             */
            DOWN,
            /** The sender reset the quorum connection: QUORUM_DISCONNECTED, then both ends dial again. */
            QUORUM_RESET,
            /** The quorum connection is back after a reset; the transport tells the agent nothing. */
            QUORUM_REDIAL,
            /**
             * The receiver's own dial to the sender failed (PEER_UNREACHABLE): a local event, which a cut
             * between the two does not stop.
             */
            UNREACHABLE
        }

        Change change;

        Connection(final Pool<Connection> pool) {
            super(pool);
        }

        /** A drop that a cut cannot carry: the receiver must see it again when the cut heals. */
        boolean isDrop() {
            return change == Change.DOWN || change == Change.QUORUM_RESET;
        }

        @Override
        MessageKind kind() {
            return null;
        }

        @Override
        void copyBody(final SimEvent other) {
            change = ((Connection)other).change;
        }

        @Override
        void offerTo(final RingBuffer ring, final long fromSid) {
            switch (change) {
                case UP:
                    InboundMessages.offerSidOnly(ring, InboundMessages.PEER_CONNECTED, fromSid);
                    break;
                case DOWN:
                    InboundMessages.offerSidOnly(ring, InboundMessages.PEER_DISCONNECTED, fromSid);
                    InboundMessages.offerSidOnly(ring, InboundMessages.QUORUM_DISCONNECTED, fromSid);
                    break;
                case QUORUM_RESET:
                    InboundMessages.offerSidOnly(ring, InboundMessages.QUORUM_DISCONNECTED, fromSid);
                    break;
                case UNREACHABLE:
                    InboundMessages.offerSidOnly(ring, InboundMessages.PEER_UNREACHABLE, fromSid);
                    break;
                default:
                    break;
            }
        }
    }
}
