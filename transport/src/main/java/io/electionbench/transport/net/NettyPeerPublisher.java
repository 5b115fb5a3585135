package io.electionbench.transport.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.core.election.PeerPublisher;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.transport.wire.FrameCodec;
import io.electionbench.transport.wire.QuorumMessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The agent's {@link PeerPublisher} over a {@link PeerTransport}. Agent thread only; never blocks,
 * never locks.
 *
 * <p>A notification is a primitive record in the election link's ring (false when the ring is full).
 * Every quorum message is encoded at once into a pooled direct buffer of exactly its frame's size (a
 * payload is copied once, from the caller's buffer into it) and queued on the quorum link, so all
 * quorum messages to a peer keep their order; nothing else is allocated. A quorum send returns false
 * when the link is down (the recovery messages: LEADER_INFO onwards; LEARNER_INFO is kept and sent
 * when the link comes up, pings and rejects are dropped with the link, as before) or when it is
 * hopelessly backed up: more than {@link QuorumLink#MAX_PENDING_BYTES} pending, or its queue full.
 * {@link #isWritable} is Netty's channel writability (water marks in {@link PeerTransport}) and false
 * without a link, so a paced bulk stream never comes near that cap.
 *
 * <p>Three messages avoid the copy. A broadcast proposal ({@link #broadcastProposal}) is encoded once
 * and each learner's link gets a retained duplicate of that one frame (Netty recycles the duplicate
 * objects, so steady state still allocates nothing). A snapshot chunk the log keeps in a file
 * ({@link #sendSnapshotChunk(long, long, long, long, long, Path, long, DirectBuffer, int, int)}) is
 * queued as its encoded header and a {@link FileFrameRegion} over the file (sendfile on the
 * event loop; the chunk's bytes never enter the JVM). The file is opened once per snapshot and held
 * by reference count ({@link SharedFile}) until the last queued chunk is written or dropped.
 * A sync stream's RECORDS batch ({@link #sendRecords}) is queued the same way over the log segment
 * that holds the records, the few most recently used segments held open likewise. With TLS a file
 * region cannot pass the {@code SslHandler}, so chunks are copied from the log's buffer and record
 * batches read from the segment into the frame.
 */
final class NettyPeerPublisher implements PeerPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(NettyPeerPublisher.class);
    private static final int SNAPSHOT_CHUNK_HEADER_BYTES = QuorumMessageCodec.frameLength(QuorumMessageCodec.SC_BYTES_OFFSET, 0);
    private static final int RECORDS_HEADER_BYTES = QuorumMessageCodec.frameLength(QuorumMessageCodec.RB_RECORDS_OFFSET, 0);
    /** Segments held open at once: a few learners syncing from different parts of the log. */
    static final int HELD_SEGMENTS = 4;

    private final Ensemble ensemble;
    private final ElectionLink[] electionLinks;
    private final QuorumLink[] quorumLinks;
    private final TransportCounters counters;
    private final ByteBufAllocator alloc;
    /** False with TLS: a FileRegion cannot go through an SslHandler. */
    private final boolean isFileRegionAllowed;
    /** The snapshot file held open for chunks (agent thread; released by {@link #close()}). */
    private SharedFile snapshot;
    /** Log segments held open for record batches, most recently used first (agent thread; released by {@link #close()}). */
    private final SharedFile[] segments = new SharedFile[HELD_SEGMENTS];
    /** The snapshot that could not be opened, so it is not retried (and logged) for every chunk. */
    private long snapshotZxid;
    private Path failedFile;
    private long failedZxid;
    private volatile boolean isClosed;

    NettyPeerPublisher(final Ensemble ensemble, final ElectionLink[] electionLinks, final QuorumLink[] quorumLinks,
        final TransportCounters counters, final ByteBufAllocator alloc, final boolean isFileRegionAllowed) {
        this.ensemble = ensemble;
        this.electionLinks = electionLinks;
        this.quorumLinks = quorumLinks;
        this.counters = counters;
        this.alloc = alloc;
        this.isFileRegionAllowed = isFileRegionAllowed;
    }

    @Override
    public boolean sendNotification(final long toSid, final int state, final long leader, final long zxid,
        final long electionEpoch, final long peerEpoch) {
        final ElectionLink link = link(electionLinks, toSid);
        return link != null && counted(link.offerNotification(state, leader, zxid, electionEpoch, peerEpoch));
    }

    /** ZooKeeper's {@code haveDelivered}: some notified peer's election link holds nothing back. */
    @Override
    public boolean haveDelivered() {
        for (final ElectionLink link : electionLinks) {
            if (link != null && link.isDelivered()) {
                return true;
            }
        }
        return false;
    }

    /**
     * One dial for the agent ({@link PeerPublisher#connect}) on each link this side dials: the election
     * link (from the smaller sid a prompt, which makes the peer dial both back) and, from the larger
     * sid, the quorum link, which then stands for the peer in the report. Either port of a live node
     * listens, so a dial that fails means the peer cannot be reached.
     */
    @Override
    public void connect(final long toSid) {
        final ElectionLink election = link(electionLinks, toSid);
        final QuorumLink quorum = link(quorumLinks, toSid);
        if (election != null && quorum != null) {
            election.requestDial();
            if (quorum.isDialer()) {
                quorum.requestDial();
            }
        }
    }

    @Override
    public boolean sendLearnerInfo(final long toSid, final long acceptedEpoch, final long lastZxid, final int flags) {
        final QuorumLink link = link(quorumLinks, toSid);
        final ByteBuf frame = claim(link, QuorumMessageCodec.frameLength(QuorumMessageCodec.LEARNER_INFO_LENGTH, 0), false);
        if (frame == null) {
            return false;
        }
        QuorumMessageCodec.encodeLearnerInfo(frame, acceptedEpoch, lastZxid, flags);
        return publish(link, frame);
    }

    @Override
    public boolean sendLearnerReject(final long toSid) {
        final QuorumLink link = link(quorumLinks, toSid);
        final ByteBuf frame = claim(link, QuorumMessageCodec.frameLength(QuorumMessageCodec.HEADER_LENGTH, 0), false);
        if (frame == null) {
            return false;
        }
        QuorumMessageCodec.encodeLearnerReject(frame);
        return publish(link, frame);
    }

    /**
     * Closes the quorum connection to {@code toSid} on its event loop: what is queued for it is
     * released, the peer sees the drop, and the link reconnects as after any drop.
     */
    @Override
    public void resetQuorumLink(final long toSid) {
        final QuorumLink link = link(quorumLinks, toSid);
        if (link != null) {
            link.requestReset();
        }
    }

    @Override
    public boolean sendPing(final long toSid, final long zxid) {
        return sendZxid(toSid, QuorumMessageCodec.PING, zxid, false);
    }

    @Override
    public boolean sendPingAck(final long toSid, final long zxid) {
        return sendZxid(toSid, QuorumMessageCodec.PING_ACK, zxid, false);
    }

    @Override
    public boolean sendLeaderInfo(final long toSid, final long newEpoch) {
        return sendZxid(toSid, QuorumMessageCodec.LEADER_INFO, newEpoch, true);
    }

    @Override
    public boolean sendAckEpoch(final long toSid, final long currentEpoch, final long lastZxid, final long snapshotZxid) {
        final QuorumLink link = link(quorumLinks, toSid);
        final ByteBuf frame = claim(link, QuorumMessageCodec.frameLength(QuorumMessageCodec.ACK_EPOCH_WITH_SNAPSHOT_LENGTH, 0), true);
        if (frame == null) {
            return false;
        }
        QuorumMessageCodec.encodeAckEpoch(frame, currentEpoch, lastZxid, snapshotZxid);
        return publish(link, frame);
    }

    @Override
    public boolean sendSyncStart(final long toSid, final int mode, final long zxid) {
        final QuorumLink link = link(quorumLinks, toSid);
        final ByteBuf frame = claim(link, QuorumMessageCodec.frameLength(QuorumMessageCodec.SYNC_START_LENGTH, 0), true);
        if (frame == null) {
            return false;
        }
        QuorumMessageCodec.encodeSyncStart(frame, mode, zxid);
        return publish(link, frame);
    }

    @Override
    public boolean sendSnapshotChunk(final long toSid, final long zxid, final long digest, final long totalLength,
        final long position, final DirectBuffer buffer, final int offset, final int length) {
        final QuorumLink link = link(quorumLinks, toSid);
        final ByteBuf frame = claim(link, QuorumMessageCodec.frameLength(QuorumMessageCodec.SC_BYTES_OFFSET, length), true);
        if (frame == null) {
            return false;
        }
        QuorumMessageCodec.encodeSnapshotChunk(frame, zxid, digest, totalLength, position, buffer, offset, length);
        return publish(link, frame);
    }

    /**
     * Sends the chunk as its encoded header followed by a file region over the snapshot file, or, with
     * TLS, an empty chunk, or a file that cannot be opened, copied from {@code buffer} as the other
     * overload does.
     */
    @Override
    public boolean sendSnapshotChunk(final long toSid, final long zxid, final long digest, final long totalLength,
        final long position, final Path file, final long fileOffset, final DirectBuffer buffer, final int offset,
        final int length) {
        final SharedFile source = isFileRegionAllowed && length > 0 ? snapshotSource(file, zxid, fileOffset + totalLength) : null;
        if (source == null) {
            return sendSnapshotChunk(toSid, zxid, digest, totalLength, position, buffer, offset, length);
        }
        final QuorumLink link = link(quorumLinks, toSid);
        final ByteBuf header = claim(link, SNAPSHOT_CHUNK_HEADER_BYTES, length, true);
        if (header == null) {
            return false;
        }
        QuorumMessageCodec.encodeSnapshotChunkHeader(header, zxid, digest, totalLength, position, length);
        if (!counted(link.offerRegion(new FileFrameRegion(source, header, fileOffset + position, length)))) {
            return false;
        }
        counters.increment(TransportCounters.SNAPSHOT_FILE_CHUNKS);
        return true;
    }

    /**
     * The open snapshot file for {@code file} and {@code zxid}: the one held if it is that snapshot,
     * else the held one is released and this one opened. Null if it cannot be opened (logged once
     * per snapshot; the caller copies instead) or the transport is closed.
     */
    private SharedFile snapshotSource(final Path file, final long zxid, final long minBytes) {
        final SharedFile held = snapshot;
        if (held != null && held.isFile(file) && snapshotZxid == zxid) {
            return held;
        }
        if (held != null) {
            snapshot = null;
            held.release();
        }
        if (isClosed || file == failedFile && zxid == failedZxid) {
            return null;
        }
        try {
            snapshot = SharedFile.open(file, minBytes);
            snapshotZxid = zxid;
            return snapshot;
        } catch (final IOException ex) {
            failedFile = file;
            failedZxid = zxid;
            LOG.warn("cannot send snapshot 0x{} from its file, copying it instead: {}", Long.toHexString(zxid), ex.toString());
            return null;
        }
    }

    /** Record batches are sent from segment files, as file regions or (TLS) read into the frame. */
    @Override
    public boolean canSendRecords() {
        return true;
    }

    /**
     * Queues the RECORDS frame header and a file region over the records in the segment; with TLS,
     * reads the records from the segment into the frame instead (one copy per batch, as a file region
     * cannot pass the {@code SslHandler}). A segment that cannot be opened or read fails the send
     * (logged; the agent drops the learner, which rejoins and is synced again).
     */
    @Override
    public boolean sendRecords(final long toSid, final Path file, final long position, final int length, final int count,
        final long firstZxid, final long lastZxid) {
        final QuorumLink link = link(quorumLinks, toSid);
        final ByteBuf header = isFileRegionAllowed
            ? claim(link, RECORDS_HEADER_BYTES, length, true)
            : claim(link, RECORDS_HEADER_BYTES + length, true);
        if (header == null) {
            return false;
        }
        final SharedFile segment = segmentFile(file, position + length);
        if (segment == null) {
            header.release();
            return false;
        }
        QuorumMessageCodec.encodeRecordsHeader(header, firstZxid, lastZxid, count, length);
        if (isFileRegionAllowed) {
            if (!counted(link.offerRegion(new FileFrameRegion(segment, header, position, length)))) {
                return false;
            }
            counters.increment(TransportCounters.RECORD_FILE_BATCHES);
            return true;
        }
        if (!readInto(header, segment, position, length)) {
            header.release();
            return false;
        }
        counters.increment(TransportCounters.RECORD_BATCHES_COPIED);
        return publish(link, header);
    }

    /** Appends {@code length} bytes of the file from {@code position} to the frame; false (logged) on a read error or short file. */
    private static boolean readInto(final ByteBuf frame, final SharedFile file, final long position, final int length) {
        final int at = frame.writerIndex();
        final ByteBuffer target = frame.internalNioBuffer(at, length);
        long filePosition = position;
        try {
            while (target.hasRemaining()) {
                final int read = file.channel().read(target, filePosition);
                if (read < 0) {
                    LOG.warn("cannot send records from {}: it ends before byte {}", file.file(), position + length);
                    return false;
                }
                filePosition += read;
            }
        } catch (final IOException ex) {
            LOG.warn("cannot send records from {}: {}", file.file(), ex.toString());
            return false;
        }
        frame.writerIndex(at + length);
        return true;
    }

    /**
     * The open segment {@code file}, from the few held (most recently used first) or newly opened,
     * evicting the least recently used. Null, logged, if it cannot be opened or the transport is closed.
     * A held segment the log has since deleted keeps its disk space until evicted or closed; at most
     * {@link #HELD_SEGMENTS} are held.
     */
    private SharedFile segmentFile(final Path file, final long minBytes) {
        int found = -1;
        for (int i = 0; i < segments.length && segments[i] != null; i++) {
            if (segments[i].isFile(file)) {
                found = i;
                break;
            }
        }
        SharedFile held;
        if (found >= 0) {
            held = segments[found];
        } else {
            if (isClosed) {
                return null;
            }
            try {
                held = SharedFile.open(file, minBytes);
            } catch (final IOException ex) {
                LOG.warn("cannot send records from {}: {}", file, ex.toString());
                return null;
            }
            found = segments.length - 1;
            if (segments[found] != null) {
                segments[found].release();
            }
        }
        System.arraycopy(segments, 0, segments, 1, found);
        segments[0] = held;
        return held;
    }

    /** For tests: the segment files held open, most recently used first. */
    SharedFile[] heldSegments() {
        return segments.clone();
    }

    /** For tests: the snapshot file held open, or null. */
    SharedFile heldSnapshot() {
        return snapshot;
    }

    /** Releases the held snapshot file; after the agent stopped using this publisher. Idempotent. */
    void close() {
        isClosed = true;
        final SharedFile held = snapshot;
        snapshot = null;
        if (held != null) {
            held.release();
        }
        for (int i = 0; i < segments.length; i++) {
            final SharedFile segment = segments[i];
            segments[i] = null;
            if (segment != null) {
                segment.release();
            }
        }
    }

    @Override
    public boolean sendProposal(final long toSid, final long zxid, final DirectBuffer payload, final int offset,
        final int length) {
        final QuorumLink link = link(quorumLinks, toSid);
        final ByteBuf frame = claim(link, QuorumMessageCodec.frameLength(QuorumMessageCodec.P_PAYLOAD_OFFSET, length), true);
        if (frame == null) {
            return false;
        }
        QuorumMessageCodec.encodeProposal(frame, zxid, payload, offset, length);
        return publish(link, frame);
    }

    /**
     * Encodes the proposal once and queues it on every learner's link: a retained duplicate for each
     * but the last, which takes the encoded frame itself (so one learner costs what
     * {@link #sendProposal} does).
     */
    @Override
    public long broadcastProposal(final long[] toSids, final int count, final long zxid, final DirectBuffer payload,
        final int offset, final int length) {
        if (count > Long.SIZE) {
            throw new IllegalArgumentException("a broadcast to " + count + " learners exceeds 64");
        }
        final int frameBytes = QuorumMessageCodec.frameLength(QuorumMessageCodec.P_PAYLOAD_OFFSET, length);
        checkFrame(frameBytes);
        long failed = 0;
        long ready = 0;
        for (int i = 0; i < count; i++) {
            final QuorumLink link = link(quorumLinks, toSids[i]);
            if (isClaimable(link, frameBytes, true)) {
                ready |= 1L << i;
            } else {
                failed |= 1L << i;
            }
        }
        if (ready == 0) {
            return failed;
        }
        final ByteBuf frame = alloc.directBuffer(frameBytes, frameBytes);
        QuorumMessageCodec.encodeProposal(frame, zxid, payload, offset, length);
        while (ready != 0) {
            final int i = Long.numberOfTrailingZeros(ready);
            ready &= ready - 1;
            final ByteBuf share = ready == 0 ? frame : frame.retainedDuplicate();
            if (!publish(link(quorumLinks, toSids[i]), share)) {
                failed |= 1L << i;
            }
        }
        return failed;
    }

    @Override
    public boolean sendNewLeader(final long toSid, final long zxid) {
        return sendZxid(toSid, QuorumMessageCodec.NEW_LEADER, zxid, true);
    }

    @Override
    public boolean sendAck(final long toSid, final long zxid) {
        return sendZxid(toSid, QuorumMessageCodec.ACK, zxid, true);
    }

    @Override
    public boolean sendCommit(final long toSid, final long zxid) {
        return sendZxid(toSid, QuorumMessageCodec.COMMIT, zxid, true);
    }

    @Override
    public boolean sendUpToDate(final long toSid, final long zxid) {
        return sendZxid(toSid, QuorumMessageCodec.UP_TO_DATE, zxid, true);
    }

    @Override
    public boolean isWritable(final long toSid) {
        final QuorumLink link = link(quorumLinks, toSid);
        return link != null && link.isWritable();
    }

    private boolean sendZxid(final long toSid, final int type, final long zxid, final boolean needsLink) {
        final QuorumLink link = link(quorumLinks, toSid);
        final ByteBuf frame = claim(link, QuorumMessageCodec.frameLength(QuorumMessageCodec.ZXID_LENGTH, 0), needsLink);
        if (frame == null) {
            return false;
        }
        QuorumMessageCodec.encodeZxid(frame, type, zxid);
        return publish(link, frame);
    }

    /**
     * A pooled buffer for one frame of {@code frameBytes}, or null when there is no such peer, the link
     * is down and {@code needsLink}, or the link is hopelessly backed up.
     *
     * @throws IllegalArgumentException if the frame would exceed the 512 KiB frame limit (a caller bug)
     */
    private ByteBuf claim(final QuorumLink link, final int frameBytes, final boolean needsLink) {
        return claim(link, frameBytes, 0, needsLink);
    }

    /**
     * As {@link #claim(QuorumLink, int, boolean)} for a buffer of {@code bufferBytes} that starts a frame
     * of {@code bufferBytes + trailingBytes} (the rest sent from a file).
     */
    private ByteBuf claim(final QuorumLink link, final int bufferBytes, final int trailingBytes, final boolean needsLink) {
        final int frameBytes = bufferBytes + trailingBytes;
        checkFrame(frameBytes);
        return isClaimable(link, frameBytes, needsLink) ? alloc.directBuffer(bufferBytes, bufferBytes) : null;
    }

    private static void checkFrame(final int frameBytes) {
        if (frameBytes > FrameCodec.LENGTH_FIELD + FrameCodec.MAX_FRAME_LENGTH || frameBytes < 0) {
            throw new IllegalArgumentException("a quorum frame of " + frameBytes + " bytes exceeds the frame limit");
        }
    }

    /** False when there is no such peer, the link is down and {@code needsLink}, or it is hopelessly backed up. */
    private boolean isClaimable(final QuorumLink link, final int frameBytes, final boolean needsLink) {
        if (link == null || (needsLink && !link.isConnected())) {
            return false;
        }
        if (!link.hasRoomFor(frameBytes)) {
            counters.increment(TransportCounters.OUTBOUND_DROPPED);
            return false;
        }
        return true;
    }

    private boolean publish(final QuorumLink link, final ByteBuf frame) {
        return counted(link.offerFrame(frame));
    }

    private <L extends PeerLink> L link(final L[] links, final long sid) {
        final int index = ensemble.indexOf(sid);
        return index < 0 ? null : links[index];
    }

    private boolean counted(final boolean isSent) {
        if (!isSent) {
            counters.increment(TransportCounters.OUTBOUND_DROPPED);
        }
        return isSent;
    }
}
