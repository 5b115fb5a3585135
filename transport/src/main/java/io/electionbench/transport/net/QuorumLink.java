package io.electionbench.transport.net;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.transport.wire.FrameCodec;
import io.electionbench.transport.wire.QuorumMessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCounted;

/**
 * The link to one peer on the quorum port (ZooKeeper's learner connection). It carries whole wire
 * frames: the agent encodes each message straight into a pooled direct {@link ByteBuf} (a payload is
 * copied once, from the agent's buffer into it; a broadcast proposal's frame is shared, one retained
 * duplicate per learner) or, for a snapshot chunk or a record batch sent from a log file, a
 * {@link FileFrameRegion} (encoded header plus a file region), and queues it in {@link #frames}; the
 * drain writes them in order and flushes once. So every quorum message to a peer, small or bulk,
 * keeps the order it was sent in. Queued and pending bytes count a region's file bytes too.
 *
 * <p>The agent reads the live channel (volatile) to refuse recovery sends on a down link and to pace
 * bulk streams by Netty's writability. While the link is down the drain keeps only the newest
 * LEARNER_INFO (sent when the link comes up) and drops the rest. When an established link drops, the
 * agent gets a QUORUM_DISCONNECTED for that peer (ZooKeeper's closed learner connection): the stream
 * may have lost messages, so the relationship must start afresh rather than continue with a gap. Only
 * the larger sid dials. docs/transport.md, "Quorum port".
 */
final class QuorumLink extends PeerLink {
    /** Frames the agent may queue before the event loop has taken them. */
    static final int FRAME_QUEUE_CAPACITY = 1 << 15;
    /** A link with more than this pending (queued here plus Netty's outbound buffer) is hopelessly backed up. */
    static final long MAX_PENDING_BYTES = 64L << 20;
    /** Bulk streams wait ({@link #isWritable()}) while more than this is queued here and not yet handed to Netty. */
    static final long QUEUED_HIGH_WATER_BYTES = 4L << 20;
    private static final long RESET_RETRY_US = 50;
    private static final int FRAME_TYPE_OFFSET = FrameCodec.LENGTH_FIELD + QuorumMessageCodec.TYPE_OFFSET;
    private static final Logger LOG = LoggerFactory.getLogger(QuorumLink.class);
    private static final AtomicLongFieldUpdater<QuorumLink> QUEUED =
        AtomicLongFieldUpdater.newUpdater(QuorumLink.class, "queuedBytes");

    /** Encoded frames ({@link ByteBuf}) and file chunks ({@link FileFrameRegion}), agent to event loop. */
    private final OneToOneConcurrentArrayQueue<ReferenceCounted> frames =
        new OneToOneConcurrentArrayQueue<>(FRAME_QUEUE_CAPACITY);
    private final Runnable resetTask = this::offerReset;
    private final Runnable unreachableResetTask =
        () -> resetConnection("the agent could not send to it (link down or backed up)");
    private volatile long queuedBytes;
    private ByteBuf lastLearnerInfo;
    /** The peer has sent a byte on the attached connection (or answered its authentication). */
    private boolean hasPeerSpoken;
    /** A LEARNER_INFO was written on the attached connection. */
    private boolean hasSentLearnerInfo;
    /** We are closing the attached connection ourselves ({@link #resetConnection}). */
    private boolean isResetByUs;
    /** The connection {@link #onUp} last saw, for {@link #onDown}'s report (event loop). */
    private Channel lastChannel;

    QuorumLink(final PeerTransport transport, final long peerSid, final int peerIndex, final EventLoop eventLoop) {
        super(transport, peerSid, peerIndex, eventLoop);
    }

    @Override
    PortKind kind() {
        return PortKind.QUORUM;
    }

    @Override
    PeerFrameHandler newFrameHandler() {
        return new QuorumFrameHandler(transport, this);
    }

    @Override
    String frameHandlerName() {
        return QuorumFrameHandler.NAME;
    }

    /**
     * Without authentication the receiver of our header says nothing, so a dialer's completed handshake
     * proves nothing: the link must hear from the peer ({@link #onPeerBytes}) before its backoff starts
     * over. Otherwise a port that takes our connection and hangs up at once (a ZooKeeper leader's) was
     * dialed again every few milliseconds.
     */
    @Override
    boolean isProvenByHandshake() {
        return !isDialer() || transport.isAuthEnabled();
    }

    /**
     * The frame handler read bytes from the peer on the attached connection (event loop): the peer speaks
     * our protocol, so the backoff starts over and the member is no longer counted incompatible.
     */
    void onPeerBytes() {
        if (!hasPeerSpoken) {
            hasPeerSpoken = true;
            resetBackoff();
            transport.peerCompatible(peerIndex());
        }
    }

    /** Only the larger sid dials the quorum port; the smaller one waits to be dialed. */
    @Override
    boolean dials() {
        return isDialer();
    }

    /** It dials only from the larger sid, and then stands for the peer in a dial's report. */
    @Override
    boolean reportsDialFailure() {
        return true;
    }

    // ------------------------------------------------------------------------------------------------
    // Agent thread: queue a frame (released to the event loop by the queue's offer), then wake it once.

    /** A bulk stream may send more (Netty's writability, and little queued ahead of it). */
    boolean isWritable() {
        final Channel ch = liveChannel();
        return ch != null && ch.isWritable() && queuedBytes < QUEUED_HIGH_WATER_BYTES;
    }

    /** False if {@code bytes} more would take the pending bytes past {@link #MAX_PENDING_BYTES}. */
    boolean hasRoomFor(final long bytes) {
        long pending = queuedBytes + bytes;
        final Channel ch = liveChannel();
        if (ch != null) {
            final ChannelOutboundBuffer buffer = ch.unsafe().outboundBuffer();
            if (buffer != null) {
                pending += buffer.totalPendingWriteBytes();
            }
        }
        return pending <= MAX_PENDING_BYTES;
    }

    /** Queues one encoded frame (ownership passes); false, and released, if the queue is full. */
    boolean offerFrame(final ByteBuf frame) {
        return offer(frame, frame.readableBytes());
    }

    /**
     * Queues one frame whose trailing bytes are sent from a file (a snapshot chunk, a record batch)
     * (ownership passes); false, and released, if the queue is full.
     */
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

    /**
     * Asks the event loop to reset this link because a send on it failed
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

    /** The bytes a queued message adds to the link: a frame's, or a file chunk's header and file bytes. */
    private static long bytesOf(final ReferenceCounted message) {
        return message instanceof ByteBuf ? ((ByteBuf)message).readableBytes()
            : ((FileFrameRegion)message).frameBytes();
    }

    // ------------------------------------------------------------------------------------------------
    // Event loop

    @Override
    void drain() {
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
                write(ch, message);
                hasWritten = true;
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

    /**
     * Writes one quorum message, unflushed; takes ownership. A file chunk goes as its header, then its
     * file region, back to back (a {@link FaultHandler} keeps the two together).
     */
    private void write(final Channel ch, final ReferenceCounted message) {
        transport.counters().increment(TransportCounters.QUORUM_SENT);
        if (message instanceof ByteBuf && isLearnerInfo((ByteBuf)message)) {
            hasSentLearnerInfo = true;
        }
        if (message instanceof FileFrameRegion) {
            final FileFrameRegion region = (FileFrameRegion)message;
            ch.write(region.takeHeader(), ch.voidPromise());
        }
        ch.write(message, ch.voidPromise());
    }

    /** Sends the LEARNER_INFO kept while the link was down, then what the agent queued since. */
    @Override
    void onUp(final Channel ch) {
        hasPeerSpoken = transport.isAuthEnabled();
        hasSentLearnerInfo = false;
        isResetByUs = false;
        lastChannel = ch;
        if (lastLearnerInfo != null) {
            final ByteBuf frame = lastLearnerInfo;
            lastLearnerInfo = null;
            write(ch, frame);
            ch.flush();
        }
        drain();
    }

    @Override
    void onDown() {
        if (isDialer() && !hasPeerSpoken && hasSentLearnerInfo && !isResetByUs) {
            transport.peerIncompatible(peerIndex(), Incompatibility.ZOOKEEPER_LEADER, lastChannel);
        }
        lastChannel = null;
        offerReset();
        // Release what is still queued now (file frames hold their file open), not at the next send,
        // which may never come.
        drain();
    }

    /**
     * Closes the live connection, if any, saying why; {@link #onClosed} then drops what is still
     * queued and reconnects as after any drop.
     */
    void resetConnection(final String why) {
        final Channel ch = channel;
        if (ch != null) {
            isResetByUs = true;
            LOG.info("{}: resetting the {} link to {}: {}", transport.name(), kind(), peerSid(), why);
            transport.counters().increment(TransportCounters.QUORUM_RESETS);
            ch.close();
        }
    }

    /**
     * Tells the agent that the connection to the peer dropped (QUORUM_DISCONNECTED), which ends the
     * relationship on it. Like every quorum message it is never dropped: a full ring is retried shortly.
     */
    private void offerReset() {
        if (transport.isClosed()) {
            return;
        }
        if (InboundMessages.offerSidOnly(transport.ring(), InboundMessages.QUORUM_DISCONNECTED, peerSid())) {
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
        ReferenceCounted message;
        while ((message = frames.poll()) != null) {
            QUEUED.getAndAdd(this, -bytesOf(message));
            message.release();
        }
        if (lastLearnerInfo != null) {
            lastLearnerInfo.release();
            lastLearnerInfo = null;
        }
    }

    /** A member found to be a ZooKeeper leader is redialled on the backoff only (docs/transport.md). */
    @Override
    boolean isDialHeldBack() {
        return transport.incompatibility(peerSid()) != null;
    }
}
