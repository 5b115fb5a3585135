package io.electionbench.transport.net;

import java.nio.ByteBuffer;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.transport.wire.NotificationCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

/**
 * The link to one peer on the election port (ZooKeeper's {@code QuorumCnxManager} connection). The
 * agent writes each notification as a primitive record into {@link #outbound}, a one-to-one ring; the
 * drain encodes every waiting record into one pooled buffer and flushes once. Record layout (native
 * order, never leaves the process):
 * <pre>
 * OUT_NOTIFICATION   state:int pad:int leader:long zxid:long electionEpoch:long peerEpoch:long
 * </pre>
 *
 * <p>While the link is down, or its channel is not writable (a peer that does not read: its outbound
 * buffer passed the election water marks), a drain keeps only the newest notification and sends it
 * when the link comes up or the channel becomes writable again (ZooKeeper's capacity-1 send queue and
 * its re-send of {@code lastMessageSent}): an election peer only ever needs our latest vote, so what
 * one connection can hold back is bounded by the high water mark plus one drain's batch.
 *
 * <p>The link's coming and going is a PEER_CONNECTED and a PEER_DISCONNECTED to the agent, which end
 * no relationship: anyone may open an election connection claiming a member's sid when no peer
 * secret is set. docs/transport.md, "Election port".
 */
final class ElectionLink extends PeerLink implements MessageHandler {
    static final int OUT_NOTIFICATION = 1;
    private static final int RECORD_BYTES = 40;

    private final RingBuffer outbound;
    private ByteBuf batch;
    private boolean hasLastNotification;
    private final long[] lastNotification = new long[4];
    private int lastNotificationState;
    /** The agent has sent this peer a notification (agent thread only): ZooKeeper's {@code queueSendMap} key. */
    private boolean isNotified;

    ElectionLink(final PeerTransport transport, final long peerSid, final int peerIndex, final int ringBytes,
        final EventLoop eventLoop) {
        super(transport, peerSid, peerIndex, eventLoop);
        this.outbound = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(ringBytes + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    @Override
    PortKind kind() {
        return PortKind.ELECTION;
    }

    @Override
    PeerFrameHandler newFrameHandler() {
        return new ElectionFrameHandler(transport, this);
    }

    @Override
    String frameHandlerName() {
        return ElectionFrameHandler.NAME;
    }

    /** Both sides dial: the larger sid to connect, the smaller one to prompt it (ZooKeeper's tie-break). */
    @Override
    boolean dials() {
        return true;
    }

    /** The smaller sid prompts exactly while it has no election link to us. */
    @Override
    boolean isPromptProofOfLoss() {
        return true;
    }

    /** The election link stands for the peer in a dial's report from the smaller sid, which only prompts. */
    @Override
    boolean reportsDialFailure() {
        return !isDialer();
    }

    // ------------------------------------------------------------------------------------------------
    // Agent thread: one record into the ring (released by commit), then wake the event loop once.

    /** False when the ring is full. */
    boolean offerNotification(final int state, final long leader, final long zxid, final long electionEpoch,
        final long peerEpoch) {
        isNotified = true;
        final int index = outbound.tryClaim(OUT_NOTIFICATION, RECORD_BYTES);
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

    /**
     * Agent thread: this peer was sent notifications and holds none back, its connection up and the
     * ring drained into it (ZooKeeper's empty send queue: the SendWorker took the message, even if the
     * socket write then waits); a peer without a connection keeps the newest one, so it has not.
     */
    boolean isDelivered() {
        return isNotified && isConnected() && outbound.size() == 0;
    }

    // ------------------------------------------------------------------------------------------------
    // Event loop

    @Override
    void drain() {
        final Channel ch = channel;
        if (ch != null && ch.isWritable()) {
            batch = ch.alloc().directBuffer(256);
            if (hasLastNotification) {
                // Kept while the channel was not writable; older than anything still in the ring.
                encodeLastNotification(batch);
            }
        }
        int read = outbound.read(this, DRAIN_LIMIT);
        if (read < DRAIN_LIMIT) {
            // A read stops at the ring's end; when the records wrap, the rest is at the start, and no
            // other wake-up may come for it (the agent's next notification to this peer could be a
            // resend tens of ms away).
            read += outbound.read(this, DRAIN_LIMIT - read);
        }
        if (batch != null) {
            final ByteBuf out = batch;
            batch = null;
            write(ch, out);
        }
        if (read == DRAIN_LIMIT) {
            eventLoop.execute(this);
        }
    }

    @Override
    public void onMessage(final int type, final MutableDirectBuffer buffer, final int index, final int length) {
        if (type != OUT_NOTIFICATION) {
            return;
        }
        if (batch == null) {
            if (hasLastNotification) {
                transport.counters().increment(TransportCounters.NOTIFICATIONS_SUPERSEDED);
            }
            hasLastNotification = true;
            lastNotificationState = buffer.getInt(index);
            for (int i = 0; i < 4; i++) {
                lastNotification[i] = buffer.getLong(index + 8 + 8 * i);
            }
            return;
        }
        NotificationCodec.encodeFrame(batch, buffer.getInt(index), buffer.getLong(index + 8),
            buffer.getLong(index + 16), buffer.getLong(index + 24), buffer.getLong(index + 32),
            transport.configBytes(), 0, transport.configBytes().readableBytes());
        transport.counters().increment(TransportCounters.NOTIFICATIONS_SENT);
    }

    /** Sends the kept notification, tells the agent (a LOOKING node sends its vote at once), drains. */
    @Override
    void onUp(final Channel ch) {
        if (hasLastNotification) {
            final ByteBuf out = ch.alloc().directBuffer(256);
            encodeLastNotification(out);
            write(ch, out);
        }
        transport.offerToAgent(InboundMessages.PEER_CONNECTED, peerSid());
        drain();
    }

    @Override
    void onDown() {
        transport.offerToAgent(InboundMessages.PEER_DISCONNECTED, peerSid());
    }

    /**
     * The channel's outbound buffer fell below its low water mark: send the notification kept
     * meanwhile, and whatever the agent queued since.
     */
    void onWritable(final Channel ch) {
        if (ch == channel && ch.isWritable()) {
            drain();
        }
    }

    /** Writes and flushes one encoded batch; takes ownership of {@code out}. */
    private static void write(final Channel ch, final ByteBuf out) {
        if (!out.isReadable()) {
            out.release();
            return;
        }
        ch.writeAndFlush(out, ch.voidPromise());
    }

    /** Encodes the notification kept while the link was down or not writable, and forgets it. */
    private void encodeLastNotification(final ByteBuf out) {
        final ByteBuf config = transport.configBytes();
        NotificationCodec.encodeFrame(out, lastNotificationState, lastNotification[0], lastNotification[1],
            lastNotification[2], lastNotification[3], config, 0, config.readableBytes());
        hasLastNotification = false;
        transport.counters().increment(TransportCounters.NOTIFICATIONS_SENT);
    }
}
