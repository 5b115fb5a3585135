package io.electionbench.transport.net;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.transport.wire.NotificationCodec;
import io.electionbench.transport.wire.QuorumMessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

/**
 * One direction-independent link to one peer on one port. The agent thread (single producer) puts
 * primitive records into {@link #outbound}, a one-to-one ring, and wakes the link with one coalesced
 * task; the event loop (single consumer) drains the ring, encodes wire frames into one pooled buffer
 * and flushes once per drain. Everything but the ring and the wake flag is owned by the event loop.
 *
 * <p>While the link is down, a drain keeps only the newest notification and the newest learner info
 * and sends them when the link comes up (ZooKeeper's capacity-1 send queue and its re-send of
 * {@code lastMessageSent}); pings and rejects for a down link are dropped.
 *
 * <p>Outbound record layouts (native order, never leave the process):
 * <pre>
 * OUT_NOTIFICATION   state:int pad:int leader:long zxid:long electionEpoch:long peerEpoch:long
 * OUT_LEARNER_INFO   acceptedEpoch:long lastZxid:long isObserver:int pad:int
 * OUT_LEARNER_REJECT pad:long
 * OUT_PING, OUT_PING_ACK zxid:long
 * </pre>
 */
final class PeerLink implements Runnable, MessageHandler {
    static final int OUT_NOTIFICATION = 1;
    static final int OUT_LEARNER_INFO = 2;
    static final int OUT_LEARNER_REJECT = 3;
    static final int OUT_PING = 4;
    static final int OUT_PING_ACK = 5;
    private static final int DRAIN_LIMIT = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);
    private static final AtomicIntegerFieldUpdater<PeerLink> WAKE =
        AtomicIntegerFieldUpdater.newUpdater(PeerLink.class, "wakePending");

    private final PeerTransport transport;
    private final PortKind kind;
    private final long peerSid;
    private final int peerIndex;
    private final boolean isDialer;
    private final RingBuffer outbound;
    private final EventLoop eventLoop;
    private final Runnable reconnectTask = this::onReconnectTimer;
    private volatile int wakePending;

    private Channel channel;
    private Channel dialing;
    private int backoffMs;
    private boolean isReconnectScheduled;
    private ByteBuf batch;
    private boolean hasLastNotification;
    private final long[] lastNotification = new long[4];
    private int lastNotificationState;
    private boolean hasLastLearnerInfo;
    private long lastAcceptedEpoch;
    private long lastLearnerZxid;
    private boolean isLastObserver;

    PeerLink(final PeerTransport transport, final PortKind kind, final long peerSid, final int peerIndex,
        final int ringBytes, final EventLoop eventLoop) {
        this.transport = transport;
        this.kind = kind;
        this.peerSid = peerSid;
        this.peerIndex = peerIndex;
        this.isDialer = transport.mySid() > peerSid;
        this.eventLoop = eventLoop;
        this.outbound = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(ringBytes + RingBufferDescriptor.TRAILER_LENGTH)));
        this.backoffMs = transport.config().reconnectMinMs();
    }

    // ------------------------------------------------------------------------------------------------
    // Agent thread: encode a record into the ring (release on commit), then wake the event loop once.

    boolean offerNotification(final int state, final long leader, final long zxid, final long electionEpoch, final long peerEpoch) {
        final int index = outbound.tryClaim(OUT_NOTIFICATION, 40);
        if (index <= 0) {
            return false;
        }
        final MutableDirectBuffer buffer = outbound.buffer();
        buffer.putInt(index, state);
        buffer.putInt(index + 4, 0);
        buffer.putLong(index + 8, leader);
        buffer.putLong(index + 16, zxid);
        buffer.putLong(index + 24, electionEpoch);
        buffer.putLong(index + 32, peerEpoch);
        outbound.commit(index);
        wake();
        return true;
    }

    boolean offerLearnerInfo(final long acceptedEpoch, final long lastZxid, final boolean isObserver) {
        final int index = outbound.tryClaim(OUT_LEARNER_INFO, 24);
        if (index <= 0) {
            return false;
        }
        final MutableDirectBuffer buffer = outbound.buffer();
        buffer.putLong(index, acceptedEpoch);
        buffer.putLong(index + 8, lastZxid);
        buffer.putInt(index + 16, isObserver ? 1 : 0);
        buffer.putInt(index + 20, 0);
        outbound.commit(index);
        wake();
        return true;
    }

    /** OUT_LEARNER_REJECT (zxid ignored), OUT_PING or OUT_PING_ACK. */
    boolean offerLong(final int type, final long value) {
        final int index = outbound.tryClaim(type, 8);
        if (index <= 0) {
            return false;
        }
        outbound.buffer().putLong(index, value);
        outbound.commit(index);
        wake();
        return true;
    }

    private void wake() {
        if (WAKE.compareAndSet(this, 0, 1)) {
            try {
                eventLoop.execute(this);
            } catch (final java.util.concurrent.RejectedExecutionException ignored) {
                // The transport is closing; the record is discarded with the ring.
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Event loop.

    /** The coalesced wake-up task: clear the flag first (volatile), then drain, so no record is missed. */
    @Override
    public void run() {
        WAKE.set(this, 0);
        drain();
    }

    private void drain() {
        final Channel ch = channel;
        if (ch != null) {
            batch = ch.alloc().directBuffer(256);
        }
        final int read = outbound.read(this, DRAIN_LIMIT);
        if (ch != null) {
            final ByteBuf out = batch;
            batch = null;
            transport.write(this, ch, out);
        }
        if (read == DRAIN_LIMIT) {
            eventLoop.execute(this);
        }
    }

    @Override
    public void onMessage(final int type, final MutableDirectBuffer buffer, final int index, final int length) {
        if (batch == null) {
            remember(type, buffer, index);
            return;
        }
        switch (type) {
            case OUT_NOTIFICATION:
                NotificationCodec.encodeFrame(batch, buffer.getInt(index), buffer.getLong(index + 8),
                    buffer.getLong(index + 16), buffer.getLong(index + 24), buffer.getLong(index + 32),
                    transport.configBytes(), 0, transport.configBytes().readableBytes());
                transport.counters().increment(TransportCounters.NOTIFICATIONS_SENT);
                break;
            case OUT_LEARNER_INFO:
                QuorumMessageCodec.encodeLearnerInfo(batch, buffer.getLong(index), buffer.getLong(index + 8),
                    buffer.getInt(index + 16) != 0);
                transport.counters().increment(TransportCounters.QUORUM_SENT);
                break;
            case OUT_LEARNER_REJECT:
                QuorumMessageCodec.encodeLearnerReject(batch);
                transport.counters().increment(TransportCounters.QUORUM_SENT);
                break;
            case OUT_PING:
            case OUT_PING_ACK:
                QuorumMessageCodec.encodePing(batch,
                    type == OUT_PING ? QuorumMessageCodec.PING : QuorumMessageCodec.PING_ACK, buffer.getLong(index));
                transport.counters().increment(TransportCounters.QUORUM_SENT);
                break;
            default:
                break;
        }
    }

    private void remember(final int type, final MutableDirectBuffer buffer, final int index) {
        if (type == OUT_NOTIFICATION) {
            hasLastNotification = true;
            lastNotificationState = buffer.getInt(index);
            for (int i = 0; i < 4; i++) {
                lastNotification[i] = buffer.getLong(index + 8 + 8 * i);
            }
        } else if (type == OUT_LEARNER_INFO) {
            hasLastLearnerInfo = true;
            lastAcceptedEpoch = buffer.getLong(index);
            lastLearnerZxid = buffer.getLong(index + 8);
            isLastObserver = buffer.getInt(index + 16) != 0;
        }
    }

    /** The handshake on {@code ch} completed: it becomes this link's channel, replacing any older one. */
    void attach(final Channel ch) {
        final Channel old = channel;
        channel = ch;
        if (dialing == ch) {
            dialing = null;
        }
        if (old != null && old != ch) {
            old.close();
        }
        backoffMs = transport.config().reconnectMinMs();
        transport.counters().increment(TransportCounters.LINKS_UP);
        LOG.debug("{}: {} link to {} up", transport.name(), kind, peerSid);
        replay(ch);
        if (kind == PortKind.ELECTION) {
            transport.offerToAgent(InboundMessages.PEER_CONNECTED, peerSid);
        }
        drain();
    }

    private void replay(final Channel ch) {
        if (!hasLastNotification && !hasLastLearnerInfo) {
            return;
        }
        final ByteBuf out = ch.alloc().directBuffer(256);
        if (hasLastNotification) {
            NotificationCodec.encodeFrame(out, lastNotificationState, lastNotification[0], lastNotification[1],
                lastNotification[2], lastNotification[3], transport.configBytes(), 0, transport.configBytes().readableBytes());
        }
        if (hasLastLearnerInfo) {
            QuorumMessageCodec.encodeLearnerInfo(out, lastAcceptedEpoch, lastLearnerZxid, isLastObserver);
        }
        hasLastNotification = false;
        hasLastLearnerInfo = false;
        transport.write(this, ch, out);
    }

    /** {@code ch} closed, whether it was this link's channel, a dial in progress, or neither. */
    void onClosed(final Channel ch) {
        if (ch == channel) {
            channel = null;
            transport.counters().increment(TransportCounters.LINKS_DOWN);
            LOG.debug("{}: {} link to {} down", transport.name(), kind, peerSid);
            if (kind == PortKind.ELECTION) {
                transport.offerToAgent(InboundMessages.PEER_DISCONNECTED, peerSid);
            }
        }
        if (ch == dialing) {
            dialing = null;
        }
        if (channel == null) {
            scheduleReconnect();
        }
    }

    /** A connection attempt failed before the channel became active. */
    void onConnectFailed(final Channel ch) {
        transport.counters().increment(TransportCounters.CONNECTS_FAILED);
        onClosed(ch);
    }

    /**
     * Dials if this side dials this port and nothing is up or in progress. On the election port the
     * smaller sid dials only to prompt the larger one (it sends its header and closes; the larger sid
     * dials back), as ZooKeeper's tie-break requires.
     */
    void dial() {
        if (transport.isClosed() || channel != null || dialing != null || (!isDialer && kind == PortKind.QUORUM)) {
            return;
        }
        dialing = transport.connect(this);
    }

    /** The smaller sid prompted us (election port): dial back now unless a link is up or being set up. */
    void onPrompted() {
        backoffMs = transport.config().reconnectMinMs();
        dial();
    }

    private void scheduleReconnect() {
        if (isReconnectScheduled || transport.isClosed() || (!isDialer && kind == PortKind.QUORUM)) {
            return;
        }
        isReconnectScheduled = true;
        final int delayMs = backoffMs / 2 + ThreadLocalRandom.current().nextInt(backoffMs / 2 + 1);
        backoffMs = Math.min(backoffMs * 2, transport.config().reconnectMaxMs());
        eventLoop.schedule(reconnectTask, Math.max(1, delayMs), TimeUnit.MILLISECONDS);
    }

    private void onReconnectTimer() {
        isReconnectScheduled = false;
        dial();
    }

    PortKind kind() {
        return kind;
    }

    long peerSid() {
        return peerSid;
    }

    int peerIndex() {
        return peerIndex;
    }

    /** True if this side keeps the connections it initiates (it has the larger sid). */
    boolean isDialer() {
        return isDialer;
    }

    boolean isUp() {
        return channel != null;
    }
}
