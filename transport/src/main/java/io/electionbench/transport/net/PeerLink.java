package io.electionbench.transport.net;

import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.transport.wire.FrameCodec;
import io.electionbench.transport.wire.NotificationCodec;
import io.electionbench.transport.wire.QuorumMessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCounted;

/**
 * One direction-independent link to one peer on one port. The agent thread (single producer) hands
 * messages over and wakes the link with one coalesced task; the event loop (single consumer) writes
 * them and flushes once per drain. Everything but the hand-off structures, the wake flag and the
 * published channel is owned by the event loop.
 *
 * <p><b>Election links</b> carry primitive records in {@link #outbound}, a one-to-one ring; the drain
 * encodes them into one pooled buffer. While the link is down, or its channel is not writable (a
 * peer that does not read: its outbound buffer passed the election water marks), a drain keeps only
 * the newest notification and sends it when the link comes up or the channel becomes writable again
 * (ZooKeeper's capacity-1 send queue and its re-send of {@code lastMessageSent}): an election peer
 * only ever needs our latest vote, so what one connection can hold back is bounded by the high water
 * mark plus one drain's batch (at most the outbound ring's worth of records). Record layout (native
 * order, never leaves the process):
 * <pre>
 * OUT_NOTIFICATION   state:int pad:int leader:long zxid:long electionEpoch:long peerEpoch:long
 * </pre>
 *
 * <p><b>Quorum links</b> carry whole wire frames: the agent encodes each message straight into a
 * pooled direct {@link ByteBuf} (a payload is copied once, from the agent's buffer into it; a
 * broadcast proposal's frame is shared, one retained duplicate per learner) or, for a snapshot chunk
 * or a sync stream's record batch sent from a log file, a {@link FileFrameRegion} (encoded header plus
 * a file region), and
 * queues it in {@link #frames}; the drain writes them in order and flushes once. So every quorum
 * message to a peer, small or bulk, keeps the order it was sent in. Queued and pending bytes count a
 * region's file bytes too. The agent reads
 * {@link #liveChannel} (volatile) to refuse new-protocol sends on a down link and to pace bulk
 * streams by Netty's writability. While the link is down the drain keeps only the newest
 * LEARNER_INFO (sent when the link comes up) and drops the rest. When an established quorum link
 * drops, the agent gets a QUORUM_DISCONNECTED for that peer (ZooKeeper's closed learner connection):
 * the stream may have lost messages, so the relationship must start afresh rather than continue with
 * a gap. An election link's drop is only a PEER_DISCONNECTED, which ends no relationship: anyone may
 * open one claiming a member's sid when no peer secret is set.
 */
final class PeerLink implements Runnable, MessageHandler {
    static final int OUT_NOTIFICATION = 1;
    /** Frames the agent may queue on a quorum link before the event loop has taken them. */
    static final int FRAME_QUEUE_CAPACITY = 1 << 15;
    /** A quorum link with more than this pending (queued here plus Netty's outbound buffer) is hopelessly backed up. */
    static final long MAX_PENDING_BYTES = 64L << 20;
    /** Bulk streams wait ({@link #isWritable()}) while more than this is queued here and not yet handed to Netty. */
    static final long QUEUED_HIGH_WATER_BYTES = 4L << 20;
    private static final long RESET_RETRY_US = 50;
    private static final int DRAIN_LIMIT = 1024;
    private static final int FRAME_TYPE_OFFSET = FrameCodec.LENGTH_FIELD + QuorumMessageCodec.TYPE_OFFSET;
    private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);
    private static final AtomicIntegerFieldUpdater<PeerLink> WAKE =
        AtomicIntegerFieldUpdater.newUpdater(PeerLink.class, "wakePending");
    private static final AtomicLongFieldUpdater<PeerLink> QUEUED =
        AtomicLongFieldUpdater.newUpdater(PeerLink.class, "queuedBytes");

    private final PeerTransport transport;
    private final PortKind kind;
    private final long peerSid;
    private final int peerIndex;
    private final boolean isDialer;
    /** Election links only. */
    private final RingBuffer outbound;
    /** Quorum links only: encoded frames ({@link ByteBuf}) and file chunks ({@link FileFrameRegion}), agent to event loop. */
    private final OneToOneConcurrentArrayQueue<ReferenceCounted> frames;
    private final EventLoop eventLoop;
    private final Runnable reconnectTask = this::onReconnectTimer;
    private final Runnable resetTask = this::offerReset;
    private final Runnable unreachableResetTask = () -> resetConnection("the agent could not send to it (link down or backed up)");
    private volatile int wakePending;
    private volatile long queuedBytes;
    /** The attached channel as the agent (quorum links) and tests see it; written by the event loop. */
    private volatile Channel liveChannel;

    private Channel channel;
    private Channel dialing;
    private int backoffMs;
    private boolean isReconnectScheduled;
    /** The last attempt failed to connect at all (nothing listening), rather than after connecting. */
    private boolean isPeerUnreachable;
    private ByteBuf batch;
    private boolean hasLastNotification;
    private final long[] lastNotification = new long[4];
    private int lastNotificationState;
    private ByteBuf lastLearnerInfo;
    private int delayedWrites;
    private long lastDelayedDueNs;

    PeerLink(final PeerTransport transport, final PortKind kind, final long peerSid, final int peerIndex,
        final int ringBytes, final EventLoop eventLoop) {
        this.transport = transport;
        this.kind = kind;
        this.peerSid = peerSid;
        this.peerIndex = peerIndex;
        this.isDialer = transport.mySid() > peerSid;
        this.eventLoop = eventLoop;
        if (kind == PortKind.ELECTION) {
            this.outbound = new OneToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect(ringBytes + RingBufferDescriptor.TRAILER_LENGTH)));
            this.frames = null;
        } else {
            this.outbound = null;
            this.frames = new OneToOneConcurrentArrayQueue<>(FRAME_QUEUE_CAPACITY);
        }
        this.backoffMs = transport.config().reconnectMinMs();
    }

    // ------------------------------------------------------------------------------------------------
    // Agent thread: hand a message over (release on commit/offer), then wake the event loop once.

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

    /** Quorum links: true while a connection is attached (a volatile read). */
    boolean isConnected() {
        return liveChannel != null;
    }

    /** Quorum links: a bulk stream may send more (Netty's writability, and little queued ahead of it). */
    boolean isWritable() {
        final Channel ch = liveChannel;
        return ch != null && ch.isWritable() && queuedBytes < QUEUED_HIGH_WATER_BYTES;
    }

    /** Quorum links: false if {@code bytes} more would take the pending bytes past {@link #MAX_PENDING_BYTES}. */
    boolean hasRoomFor(final long bytes) {
        long pending = queuedBytes + bytes;
        final Channel ch = liveChannel;
        if (ch != null) {
            final ChannelOutboundBuffer buffer = ch.unsafe().outboundBuffer();
            if (buffer != null) {
                pending += buffer.totalPendingWriteBytes();
            }
        }
        return pending <= MAX_PENDING_BYTES;
    }

    /** Quorum links: queues one encoded frame (ownership passes); false, and released, if the queue is full. */
    boolean offerFrame(final ByteBuf frame) {
        return offer(frame, frame.readableBytes());
    }

    /** Quorum links: queues one frame whose trailing bytes are sent from a file (a snapshot chunk, a record batch) (ownership passes); false, and released, if the queue is full. */
    boolean offerRegion(final FileFrameRegion region) {
        return offer(region, region.frameBytes());
    }

    private boolean offer(final ReferenceCounted message, final long bytes) {
        QUEUED.getAndAdd(this, bytes);
        if (transport.isClosed() || !frames.offer(message)) {
            QUEUED.getAndAdd(this, -bytes);
            message.release();
            return false;
        }
        wake();
        return true;
    }

    /** The bytes a queued message adds to the link: a frame's, or a file chunk's header and file bytes. */
    private static long bytesOf(final ReferenceCounted message) {
        return message instanceof ByteBuf ? ((ByteBuf)message).readableBytes() : ((FileFrameRegion)message).frameBytes();
    }

    private void wake() {
        if (WAKE.compareAndSet(this, 0, 1)) {
            try {
                eventLoop.execute(this);
            } catch (final RejectedExecutionException ignored) {
                // The transport is closing; what is queued is released by releaseAll().
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Event loop.

    /** The coalesced wake-up task: clear the flag first (volatile), then drain, so nothing is missed. */
    @Override
    public void run() {
        WAKE.set(this, 0);
        drain();
    }

    private void drain() {
        if (kind == PortKind.QUORUM) {
            drainFrames();
            return;
        }
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
            transport.write(this, ch, out);
        }
        if (read == DRAIN_LIMIT) {
            eventLoop.execute(this);
        }
    }

    private void drainFrames() {
        final Channel ch = channel;
        boolean hasWritten = false;
        int count = 0;
        ReferenceCounted message;
        while (count < DRAIN_LIMIT && (message = frames.poll()) != null) {
            count++;
            QUEUED.getAndAdd(this, -bytesOf(message));
            if (ch == null) {
                keepIfLearnerInfo(message);
            } else {
                hasWritten |= writeFrame(ch, message);
            }
        }
        if (hasWritten) {
            ch.flush();
        }
        if (count == DRAIN_LIMIT) {
            eventLoop.execute(this);
        }
    }

    /** While down, only the newest LEARNER_INFO is kept (the learner's announcement); the rest is dropped. */
    private void keepIfLearnerInfo(final ReferenceCounted message) {
        if (message instanceof ByteBuf && isLearnerInfo((ByteBuf)message)) {
            if (lastLearnerInfo != null) {
                lastLearnerInfo.release();
            }
            lastLearnerInfo = (ByteBuf)message;
        } else {
            message.release();
        }
    }

    private static boolean isLearnerInfo(final ByteBuf frame) {
        return frame.getUnsignedShort(frame.readerIndex() + FRAME_TYPE_OFFSET) == QuorumMessageCodec.LEARNER_INFO;
    }

    /** Writes one quorum message, applying faults; true if it was written unflushed. Takes ownership. */
    private boolean writeFrame(final Channel ch, final ReferenceCounted message) {
        if (transport.faults().isIsolated(peerIndex)) {
            transport.counters().increment(TransportCounters.FAULT_DROPPED);
            transport.faults().quorumFrameDropped(peerIndex);
            message.release();
            return false;
        }
        final int delayMs = transport.faults().delayMs(peerIndex);
        if (delayMs > 0 || delayedWrites > 0) {
            writeDelayed(ch, message, delayMs);
            return false;
        }
        transport.counters().increment(TransportCounters.QUORUM_SENT);
        write(ch, message);
        return true;
    }

    /** A frame as it is; a file chunk as its header, then its file region, back to back. */
    private static void write(final Channel ch, final ReferenceCounted message) {
        if (message instanceof FileFrameRegion) {
            final FileFrameRegion region = (FileFrameRegion)message;
            ch.write(region.takeHeader(), ch.voidPromise());
        }
        ch.write(message, ch.voidPromise());
    }

    /**
     * Slow-link fault: writes {@code frame} after {@code delayMs}, and never before a frame delayed
     * earlier (equal deadlines run in submission order), so the stream keeps its order while the delay
     * changes or heals. Allocates; faults only.
     */
    private void writeDelayed(final Channel ch, final ReferenceCounted frame, final int delayMs) {
        final long nowNs = System.nanoTime();
        final long dueNs = Math.max(nowNs + TimeUnit.MILLISECONDS.toNanos(delayMs), lastDelayedDueNs);
        lastDelayedDueNs = dueNs;
        delayedWrites++;
        try {
            eventLoop.schedule(() -> {
                delayedWrites--;
                transport.counters().increment(TransportCounters.QUORUM_SENT);
                write(ch, frame);
                ch.flush();
            }, dueNs - nowNs, TimeUnit.NANOSECONDS).addListener(f -> {
                if (f.isCancelled()) {
                    frame.release();
                }
            });
        } catch (final RejectedExecutionException ex) {
            frame.release();
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

    /** The handshake on {@code ch} completed: it becomes this link's channel, replacing any older one. */
    void attach(final Channel ch) {
        final Channel old = channel;
        channel = ch;
        liveChannel = ch;
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
        if (lastLearnerInfo != null) {
            final ByteBuf frame = lastLearnerInfo;
            lastLearnerInfo = null;
            if (writeFrame(ch, frame)) {
                ch.flush();
            }
        }
        if (!hasLastNotification) {
            return;
        }
        final ByteBuf out = ch.alloc().directBuffer(256);
        encodeLastNotification(out);
        transport.write(this, ch, out);
    }

    /** Encodes the notification kept while the link was down or not writable, and forgets it. */
    private void encodeLastNotification(final ByteBuf out) {
        NotificationCodec.encodeFrame(out, lastNotificationState, lastNotification[0], lastNotification[1],
            lastNotification[2], lastNotification[3], transport.configBytes(), 0, transport.configBytes().readableBytes());
        hasLastNotification = false;
        transport.counters().increment(TransportCounters.NOTIFICATIONS_SENT);
    }

    /**
     * The channel's outbound buffer fell below its low water mark (event loop). An election link sends
     * the notification it kept meanwhile, and whatever the agent queued since; a quorum link has
     * nothing to do here (the agent polls {@link #isWritable()} to pace its streams).
     */
    void onWritable(final Channel ch) {
        if (kind == PortKind.ELECTION && ch == channel && ch.isWritable()) {
            drain();
        }
    }

    /** Election links: bytes waiting in Netty's outbound buffer of the attached connection (any thread; racy). */
    long pendingOutboundBytes() {
        final Channel ch = liveChannel;
        final ChannelOutboundBuffer buffer = ch == null ? null : ch.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    /**
     * Closes the live connection, if any (event loop), saying why; {@link #onClosed} then drops what is
     * still queued and reconnects as after any drop.
     */
    void resetConnection(final String why) {
        final Channel ch = channel;
        if (ch != null) {
            LOG.info("{}: resetting the {} link to {}: {}", transport.name(), kind, peerSid, why);
            transport.counters().increment(TransportCounters.QUORUM_RESETS);
            ch.close();
        }
    }

    /**
     * Agent thread: asks the event loop to reset this quorum link because a send on it failed
     * ({@link io.electionbench.core.election.PeerPublisher#resetQuorumLink}). The task is preallocated;
     * frames the agent queues after this call are dropped with the connection (the event loop runs its
     * tasks in order) unless a new connection is up by then.
     */
    void requestReset() {
        try {
            eventLoop.execute(unreachableResetTask);
        } catch (final RejectedExecutionException closing) {
            // The transport is closing: every connection goes with it.
        }
    }

    /** {@code ch} closed, whether it was this link's channel, a dial in progress, or neither. */
    void onClosed(final Channel ch) {
        if (ch == channel) {
            channel = null;
            liveChannel = null;
            transport.counters().increment(TransportCounters.LINKS_DOWN);
            LOG.debug("{}: {} link to {} down", transport.name(), kind, peerSid);
            if (kind == PortKind.ELECTION) {
                transport.offerToAgent(InboundMessages.PEER_DISCONNECTED, peerSid);
            } else {
                offerReset();
                // Release what is still queued now (file frames hold their file open), not at
                // the next send, which may never come.
                drainFrames();
            }
        }
        if (ch == dialing) {
            dialing = null;
        }
        if (channel == null) {
            scheduleReconnect();
        }
    }

    /**
     * Tells the agent that the quorum connection to the peer dropped (QUORUM_DISCONNECTED), which ends
     * the relationship on it. Like every quorum message it is never dropped: a full ring is retried shortly.
     */
    private void offerReset() {
        if (transport.isClosed()) {
            return;
        }
        if (InboundMessages.offerSidOnly(transport.ring(), InboundMessages.QUORUM_DISCONNECTED, peerSid)) {
            transport.wakeAgent();
            return;
        }
        transport.counters().increment(TransportCounters.INBOUND_PAUSED);
        transport.wakeAgent();
        try {
            eventLoop.schedule(resetTask, RESET_RETRY_US, TimeUnit.MICROSECONDS);
        } catch (final RejectedExecutionException ignored) {
            // Closing.
        }
    }

    /** Releases every queued frame; after the event loop has stopped. */
    void releaseAll() {
        if (frames != null) {
            ReferenceCounted message;
            while ((message = frames.poll()) != null) {
                QUEUED.getAndAdd(this, -bytesOf(message));
                message.release();
            }
        }
        if (lastLearnerInfo != null) {
            lastLearnerInfo.release();
            lastLearnerInfo = null;
        }
    }

    /** A connection attempt failed before the channel became active. */
    void onConnectFailed(final Channel ch) {
        transport.counters().increment(TransportCounters.CONNECTS_FAILED);
        isPeerUnreachable = true;
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

    /**
     * The smaller sid prompted us (election port): dial back now, unless a link is up or being set up.
     * If our last attempt found nothing listening, the prompt shows the peer is back (a restart): the
     * backoff starts over and we dial at once, as ZooKeeper does, rather than wait up to
     * reconnectMaxMs. If it failed after connecting (a refused handshake, a wrong secret), a scheduled
     * reconnect and its backoff stand: such a peer prompts at its own rate, and redialing at each
     * prompt made 95 attempts, and as many WARN lines, in 10 s. A completed handshake resets the
     * backoff ({@link #attach}).
     */
    void onPrompted() {
        if (isReconnectScheduled && !isPeerUnreachable) {
            return;
        }
        if (isPeerUnreachable) {
            backoffMs = transport.config().reconnectMinMs();
        }
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

    /** A dial connected: whatever happens to it next, the peer was reachable. */
    void onConnected() {
        isPeerUnreachable = false;
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

    /** For tests: the next reconnect delay's upper bound (event loop state; read racily). */
    int backoffMs() {
        return backoffMs;
    }
}
