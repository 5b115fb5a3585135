package io.electionbench.transport.wire;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;

import io.electionbench.core.Zxid;
import io.electionbench.core.log.LogRecords;
import io.netty.buffer.ByteBuf;

/**
 * electionbench's quorum-port messages: one message per length-framed frame (see {@link FrameCodec};
 * same 512 KiB limit). Between peers the sender is the connection's authenticated peer, so no message
 * repeats its sid. Big-endian payload:
 *
 * <pre>
 * offset size field
 *  0     1    magic    0xEB
 *  1     1    version  1
 *  2     2    type     see below
 *  4     ..   fields of the type
 *
 * peers, election and liveness                                                             bytes
 * type  1 LEARNER_INFO    acceptedEpoch:long@4 lastZxid:long@12 flags:int@20 (bit 0 = observer)   24
 * type  2 LEARNER_REJECT  (no fields)                                                          4
 * type  3 PING            zxid:long@4 (the leader's last zxid)                                 12
 * type  4 PING_ACK        zxid:long@4 (the learner's last zxid)                                12
 * peers, epoch and sync (16..31; ZooKeeper's own numbers where they fit)
 * type 17 LEADER_INFO     newEpoch:long@4 (ZooKeeper's LEADERINFO)                             12
 * type 18 ACK_EPOCH       currentEpoch:long@4 lastZxid:long@12 (ZooKeeper's ACKEPOCH)          28
 *                         snapshotZxid:long@20 (-1: none; read as -1 when a 20-byte frame ends before it)
 * type 19 SYNC_START      zxid:long@4 mode:int@12 (ZooKeeper's DIFF 13, TRUNC 14, SNAP 15)     16
 * type 20 SNAPSHOT_CHUNK  zxid:long@4 digest:long@12 totalLength:long@20 position:long@28
 *                         length:int@36 bytes:byte[length]@40                                 40 + length
 * type 21 RECORDS         firstZxid:long@4 lastZxid:long@12 count:int@20 records:byte[]@24      24 + records
 *                         records: the rest of the frame, {@code count} txn log records exactly as
 *                         the leader's segment file holds them, sent from it with sendfile:
 *                         little-endian length:int zxid:long crc:int payload:byte[length], the CRC32C
 *                         over the zxid bytes then the payload ({@code LogRecords}, docs/storage.md)
 * peers, broadcast (32..47: 32 + ZooKeeper's packet type)
 * type 34 PROPOSAL        zxid:long@4 length:int@12 payload:byte[length]@16 (32 + PROPOSAL 2)  16 + length
 * type 35 ACK             zxid:long@4 (32 + ACK 3)                                             12
 * type 36 COMMIT          zxid:long@4 (32 + COMMIT 4)                                          12
 * type 42 NEW_LEADER      zxid:long@4 (32 + NEWLEADER 10)                                      12
 * type 44 UP_TO_DATE      zxid:long@4 (32 + UPTODATE 12)                                       12
 * write clients (48..63), only on a client connection (see {@link QuorumHeaderCodec#FLAG_CLIENT})
 * type 48 WRITE           sequence:long@4 length:int@12 payload:byte[length]@16 (client to node)   16 + length
 * type 49 RESULT          sequence:long@4 status:int@12 zxid:long@16 leaderSid:long@24 (node to client)   32
 * </pre>
 *
 * A frame shorter than its type's fields, or whose {@code length} field is negative or runs past the
 * frame, is {@link WireError#BAD_MESSAGE_LENGTH}; trailing bytes past the fields are ignored, so
 * version 1 may grow fields at the end. A SYNC_START mode other than 13..15 is
 * {@link WireError#BAD_SYNC_MODE}; a SNAPSHOT_CHUNK with a negative position or total, or one that
 * ends past {@code totalLength}, is {@link WireError#BAD_CHUNK_RANGE}; a RECORDS frame is checked whole
 * before any of it is used: records that do not tile the rest of the frame exactly, a count below 1 or
 * other than declared, zxids not strictly increasing or first and last not as declared are
 * {@link WireError#BAD_RECORD_BATCH}, a record whose CRC does not match is
 * {@link WireError#RECORD_CRC_MISMATCH}; a WRITE sequence outside
 * {@code 0..2^48-1} is {@link WireError#BAD_SEQUENCE}. A wrong magic, another version or an unknown
 * type also closes the connection: both ends are electionbench programs, so these mean a broken or
 * hostile sender. Which types a connection may carry is the adapter's business (a peer never sends
 * WRITE, a client only WRITE); it rejects the others as {@link WireError#UNKNOWN_TYPE}.
 *
 * <p>A codec instance is a reusable flyweight: {@link #decode} fills its fields, and a payload stays
 * in the buffer ({@link #payloadOffset()}, {@link #payloadLength()}). Encoders write a whole frame
 * (length prefix included) at the writer index; a payload is copied once, from the agent's
 * {@link DirectBuffer} straight into the {@link ByteBuf}.
 */
public final class QuorumMessageCodec {
    public static final int MAGIC = 0xEB;
    public static final int VERSION = 1;
    public static final int LEARNER_INFO = 1;
    public static final int LEARNER_REJECT = 2;
    public static final int PING = 3;
    public static final int PING_ACK = 4;
    public static final int LEADER_INFO = 17;
    public static final int ACK_EPOCH = 18;
    public static final int SYNC_START = 19;
    public static final int SNAPSHOT_CHUNK = 20;
    public static final int PROPOSAL = 34;
    public static final int ACK = 35;
    public static final int COMMIT = 36;
    public static final int NEW_LEADER = 42;
    public static final int UP_TO_DATE = 44;
    public static final int WRITE = 48;
    public static final int RESULT = 49;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 1;
    public static final int TYPE_OFFSET = 2;
    public static final int HEADER_LENGTH = 4;
    public static final int LI_ACCEPTED_EPOCH_OFFSET = 4;
    public static final int LI_LAST_ZXID_OFFSET = 12;
    public static final int LI_FLAGS_OFFSET = 20;
    public static final int LEARNER_INFO_LENGTH = 24;
    /** The one long of PING, PING_ACK, LEADER_INFO, ACK, COMMIT, NEW_LEADER, UP_TO_DATE. */
    public static final int ZXID_OFFSET = 4;
    public static final int PING_LENGTH = 12;
    public static final int ZXID_LENGTH = 12;
    public static final int AE_CURRENT_EPOCH_OFFSET = 4;
    public static final int AE_LAST_ZXID_OFFSET = 12;
    public static final int AE_SNAPSHOT_ZXID_OFFSET = 20;
    /** The shortest ACK_EPOCH accepted (without snapshotZxid, read as -1); {@link #encodeAckEpoch} writes 28. */
    public static final int ACK_EPOCH_LENGTH = 20;
    public static final int ACK_EPOCH_WITH_SNAPSHOT_LENGTH = 28;
    public static final int SS_ZXID_OFFSET = 4;
    public static final int SS_MODE_OFFSET = 12;
    public static final int SYNC_START_LENGTH = 16;
    public static final int SC_ZXID_OFFSET = 4;
    public static final int SC_DIGEST_OFFSET = 12;
    public static final int SC_TOTAL_OFFSET = 20;
    public static final int SC_POSITION_OFFSET = 28;
    public static final int SC_LENGTH_OFFSET = 36;
    public static final int SC_BYTES_OFFSET = 40;
    public static final int RECORDS = 21;
    public static final int RB_FIRST_ZXID_OFFSET = 4;
    public static final int RB_LAST_ZXID_OFFSET = 12;
    public static final int RB_COUNT_OFFSET = 20;
    public static final int RB_RECORDS_OFFSET = 24;
    public static final int P_ZXID_OFFSET = 4;
    public static final int P_LENGTH_OFFSET = 12;
    public static final int P_PAYLOAD_OFFSET = 16;
    public static final int W_SEQUENCE_OFFSET = 4;
    public static final int W_LENGTH_OFFSET = 12;
    public static final int W_PAYLOAD_OFFSET = 16;
    public static final int R_SEQUENCE_OFFSET = 4;
    public static final int R_STATUS_OFFSET = 12;
    public static final int R_ZXID_OFFSET = 16;
    public static final int R_LEADER_OFFSET = 24;
    public static final int RESULT_LENGTH = 32;
    public static final int FLAG_OBSERVER = 1;
    /** LEARNER_INFO: a synced learner whose election link came back; see InboundMessages.LEARNER_RESUME. */
    public static final int FLAG_RESUME = 2;
    /** SYNC_START modes: ZooKeeper's DIFF, TRUNC and SNAP packet types. */
    public static final int MODE_DIFF = 13;
    public static final int MODE_TRUNC = 14;
    public static final int MODE_SNAP = 15;
    /** The largest WRITE sequence (48 bits, so a node can pack a connection slot above it). */
    public static final long MAX_SEQUENCE = (1L << 48) - 1;
    /** The largest payload of one frame (PROPOSAL, WRITE; SNAPSHOT_CHUNK's is 24 bytes less). */
    public static final int MAX_PAYLOAD_LENGTH = FrameCodec.MAX_FRAME_LENGTH - P_PAYLOAD_OFFSET;

    private int type;
    private long acceptedEpoch;
    private long epoch;
    private long zxid;
    private int flags;
    private int mode;
    private long digest;
    private long totalLength;
    private long position;
    private int payloadOffset;
    /** Where the frame last decoded starts in its buffer, so {@link #moveTo} can shift the payload's index. */
    private int frameIndex;
    private int payloadLength;
    private long sequence;
    private int status;
    private long leaderSid;
    private long lastZxid;
    private long snapshotZxid;
    private int recordCount;
    private int maxRecordLength;
    private final CRC32C crc = new CRC32C();

    /** Writes a LEARNER_INFO frame (length prefix included). */
    public static void encodeLearnerInfo(final ByteBuf out, final long acceptedEpoch, final long lastZxid,
        final int flags) {
        out.writeInt(LEARNER_INFO_LENGTH);
        writeHeader(out, LEARNER_INFO);
        out.writeLong(acceptedEpoch);
        out.writeLong(lastZxid);
        out.writeInt(flags);
    }

    /** Writes a LEARNER_REJECT frame. */
    public static void encodeLearnerReject(final ByteBuf out) {
        out.writeInt(HEADER_LENGTH);
        writeHeader(out, LEARNER_REJECT);
    }

    /** Writes a PING or PING_ACK frame. */
    public static void encodePing(final ByteBuf out, final int type, final long zxid) {
        encodeZxid(out, type, zxid);
    }

    /**
     * Writes a frame whose only field is one long at {@link #ZXID_OFFSET}: PING, PING_ACK, LEADER_INFO
     * (the new epoch), ACK, COMMIT, NEW_LEADER or UP_TO_DATE.
     *
     * @throws IllegalArgumentException for any other type
     */
    public static void encodeZxid(final ByteBuf out, final int type, final long zxid) {
        if (!isZxidType(type)) {
            throw new IllegalArgumentException("not a one-long type: " + type);
        }
        out.writeInt(ZXID_LENGTH);
        writeHeader(out, type);
        out.writeLong(zxid);
    }

    public static void encodeAckEpoch(final ByteBuf out, final long currentEpoch, final long lastZxid,
        final long snapshotZxid) {
        out.writeInt(ACK_EPOCH_WITH_SNAPSHOT_LENGTH);
        writeHeader(out, ACK_EPOCH);
        out.writeLong(currentEpoch);
        out.writeLong(lastZxid);
        out.writeLong(snapshotZxid);
    }

    public static void encodeSyncStart(final ByteBuf out, final int mode, final long zxid) {
        out.writeInt(SYNC_START_LENGTH);
        writeHeader(out, SYNC_START);
        out.writeLong(zxid);
        out.writeInt(mode);
    }

    /** Writes a SNAPSHOT_CHUNK frame carrying {@code bytes[offset, offset + length)}. */
    public static void encodeSnapshotChunk(final ByteBuf out, final long zxid, final long digest,
        final long totalLength, final long position, final DirectBuffer bytes, final int offset, final int length) {
        encodeSnapshotChunkHeader(out, zxid, digest, totalLength, position, length);
        writeBytes(out, bytes, offset, length);
    }

    /**
     * Writes the first {@link #frameLength frameLength(SC_BYTES_OFFSET, 0)} bytes of a SNAPSHOT_CHUNK
     * frame of {@code length} chunk bytes: the length prefix and every field, byte for byte what
     * {@link #encodeSnapshotChunk} writes before the bytes. The caller sends the {@code length} bytes
     * right after it (from a file, say).
     */
    public static void encodeSnapshotChunkHeader(final ByteBuf out, final long zxid, final long digest,
        final long totalLength, final long position, final int length) {
        checkPayload(SC_BYTES_OFFSET, length);
        out.writeInt(SC_BYTES_OFFSET + length);
        writeHeader(out, SNAPSHOT_CHUNK);
        out.writeLong(zxid);
        out.writeLong(digest);
        out.writeLong(totalLength);
        out.writeLong(position);
        out.writeInt(length);
    }

    /**
     * Writes the first {@link #frameLength frameLength(RB_RECORDS_OFFSET, 0)} bytes of a RECORDS frame
     * of {@code recordsLength} bytes of records; the caller sends the records right after it (from the
     * log's segment file, say).
     */
    public static void encodeRecordsHeader(final ByteBuf out, final long firstZxid, final long lastZxid,
        final int count, final int recordsLength) {
        checkPayload(RB_RECORDS_OFFSET, recordsLength);
        out.writeInt(RB_RECORDS_OFFSET + recordsLength);
        writeHeader(out, RECORDS);
        out.writeLong(firstZxid);
        out.writeLong(lastZxid);
        out.writeInt(count);
    }

    public static void encodeProposal(final ByteBuf out, final long zxid, final DirectBuffer payload, final int offset,
        final int length) {
        checkPayload(P_PAYLOAD_OFFSET, length);
        out.writeInt(P_PAYLOAD_OFFSET + length);
        writeHeader(out, PROPOSAL);
        out.writeLong(zxid);
        out.writeInt(length);
        writeBytes(out, payload, offset, length);
    }

    public static void encodeWrite(final ByteBuf out, final long sequence, final DirectBuffer payload, final int offset,
        final int length) {
        checkPayload(W_PAYLOAD_OFFSET, length);
        out.writeInt(W_PAYLOAD_OFFSET + length);
        writeHeader(out, WRITE);
        out.writeLong(sequence);
        out.writeInt(length);
        writeBytes(out, payload, offset, length);
    }

    public static void encodeResult(final ByteBuf out, final long sequence, final int status, final long zxid,
        final long leaderSid) {
        out.writeInt(RESULT_LENGTH);
        writeHeader(out, RESULT);
        out.writeLong(sequence);
        out.writeInt(status);
        out.writeLong(zxid);
        out.writeLong(leaderSid);
    }

    /** Bytes of a whole frame (length prefix included) of a type with fields of {@code fieldsLength} and a payload. */
    public static int frameLength(final int fieldsLength, final int payloadLength) {
        return FrameCodec.LENGTH_FIELD + fieldsLength + payloadLength;
    }

    private static void checkPayload(final int fieldsLength, final int length) {
        if (length < 0 || length > FrameCodec.MAX_FRAME_LENGTH - fieldsLength) {
            throw new IllegalArgumentException("payload of " + length + " bytes does not fit a frame");
        }
    }

    private static void writeHeader(final ByteBuf out, final int type) {
        out.writeByte(MAGIC);
        out.writeByte(VERSION);
        out.writeShort(type);
    }

    /**
     * Copies {@code src[offset, offset + length)} to the writer index with one memory copy: through the
     * buffer's internal NIO view (no allocation for pooled and unpooled single-region buffers).
     */
    static void writeBytes(final ByteBuf out, final DirectBuffer src, final int offset, final int length) {
        if (length == 0) {
            return;
        }
        out.ensureWritable(length);
        final int at = out.writerIndex();
        if (out.nioBufferCount() == 1) {
            final ByteBuffer view = out.internalNioBuffer(at, length);
            src.getBytes(offset, view, view.position(), length);
        } else if (src.byteArray() != null) {
            out.setBytes(at, src.byteArray(), src.wrapAdjustment() + offset, length);
        } else {
            for (int i = 0; i < length; i++) {
                out.setByte(at + i, src.getByte(offset + i));
            }
        }
        out.writerIndex(at + length);
    }

    /** Epochs and zxids from a peer are bounded as {@link Zxid} documents: out of range, the frame is refused. */
    private static WireError validZxid(final long zxid) {
        return Zxid.isValid(zxid) ? WireError.NONE : WireError.BAD_EPOCH;
    }

    private static boolean isZxidType(final int type) {
        return type == PING || type == PING_ACK || type == LEADER_INFO || type == ACK || type == COMMIT
            || type == NEW_LEADER || type == UP_TO_DATE;
    }

    /** Decodes the payload of {@code length} bytes at {@code index} (the frame without its length prefix). */
    public WireError decode(final ByteBuf buf, final int index, final int length) {
        type = 0;
        frameIndex = index;
        payloadOffset = 0;
        payloadLength = 0;
        if (length < HEADER_LENGTH) {
            return WireError.BAD_MESSAGE_LENGTH;
        }
        if (buf.getUnsignedByte(index + MAGIC_OFFSET) != MAGIC) {
            return WireError.BAD_MAGIC;
        }
        if (buf.getUnsignedByte(index + VERSION_OFFSET) != VERSION) {
            return WireError.UNSUPPORTED_VERSION;
        }
        final int t = buf.getUnsignedShort(index + TYPE_OFFSET);
        final WireError error = decodeFields(t, buf, index, length);
        if (error == WireError.NONE) {
            type = t;
        }
        return error;
    }

    private WireError decodeFields(final int t, final ByteBuf buf, final int index, final int length) {
        switch (t) {
            case LEARNER_INFO:
                if (length < LEARNER_INFO_LENGTH) {
                    return WireError.BAD_MESSAGE_LENGTH;
                }
                acceptedEpoch = buf.getLong(index + LI_ACCEPTED_EPOCH_OFFSET);
                zxid = buf.getLong(index + LI_LAST_ZXID_OFFSET);
                flags = buf.getInt(index + LI_FLAGS_OFFSET);
                return Zxid.isValidEpoch(acceptedEpoch) && Zxid.isValid(zxid) ? WireError.NONE : WireError.BAD_EPOCH;
            case LEARNER_REJECT:
                return WireError.NONE;
            case PING:
            case PING_ACK:
            case ACK:
            case COMMIT:
            case NEW_LEADER:
            case UP_TO_DATE:
                if (length < ZXID_LENGTH) {
                    return WireError.BAD_MESSAGE_LENGTH;
                }
                zxid = buf.getLong(index + ZXID_OFFSET);
                return validZxid(zxid);
            case LEADER_INFO:
                if (length < ZXID_LENGTH) {
                    return WireError.BAD_MESSAGE_LENGTH;
                }
                epoch = buf.getLong(index + ZXID_OFFSET);
                return Zxid.isValidEpoch(epoch) ? WireError.NONE : WireError.BAD_EPOCH;
            case ACK_EPOCH:
                if (length < ACK_EPOCH_LENGTH) {
                    return WireError.BAD_MESSAGE_LENGTH;
                }
                epoch = buf.getLong(index + AE_CURRENT_EPOCH_OFFSET);
                zxid = buf.getLong(index + AE_LAST_ZXID_OFFSET);
                snapshotZxid = length >= ACK_EPOCH_WITH_SNAPSHOT_LENGTH
                    ? buf.getLong(index + AE_SNAPSHOT_ZXID_OFFSET) : -1;
                return (epoch == -1 || Zxid.isValidEpoch(epoch)) && Zxid.isValid(zxid) && Zxid.isValid(snapshotZxid)
                    ? WireError.NONE : WireError.BAD_EPOCH;
            case SYNC_START:
                return decodeSyncStart(buf, index, length);
            case SNAPSHOT_CHUNK:
                return decodeSnapshotChunk(buf, index, length);
            case RECORDS:
                return decodeRecords(buf, index, length);
            case PROPOSAL:
                if (length < P_PAYLOAD_OFFSET) {
                    return WireError.BAD_MESSAGE_LENGTH;
                }
                zxid = buf.getLong(index + P_ZXID_OFFSET);
                return zxid < 0 ? WireError.BAD_EPOCH : payload(buf, index, length, P_LENGTH_OFFSET, P_PAYLOAD_OFFSET);
            case WRITE:
                if (length < W_PAYLOAD_OFFSET) {
                    return WireError.BAD_MESSAGE_LENGTH;
                }
                sequence = buf.getLong(index + W_SEQUENCE_OFFSET);
                if (sequence < 0 || sequence > MAX_SEQUENCE) {
                    return WireError.BAD_SEQUENCE;
                }
                return payload(buf, index, length, W_LENGTH_OFFSET, W_PAYLOAD_OFFSET);
            case RESULT:
                if (length < RESULT_LENGTH) {
                    return WireError.BAD_MESSAGE_LENGTH;
                }
                sequence = buf.getLong(index + R_SEQUENCE_OFFSET);
                status = buf.getInt(index + R_STATUS_OFFSET);
                zxid = buf.getLong(index + R_ZXID_OFFSET);
                leaderSid = buf.getLong(index + R_LEADER_OFFSET);
                return validZxid(zxid);
            default:
                return WireError.UNKNOWN_TYPE;
        }
    }

    private WireError decodeSyncStart(final ByteBuf buf, final int index, final int length) {
        if (length < SYNC_START_LENGTH) {
            return WireError.BAD_MESSAGE_LENGTH;
        }
        zxid = buf.getLong(index + SS_ZXID_OFFSET);
        mode = buf.getInt(index + SS_MODE_OFFSET);
        if (!Zxid.isValid(zxid)) {
            return WireError.BAD_EPOCH;
        }
        return mode >= MODE_DIFF && mode <= MODE_SNAP ? WireError.NONE : WireError.BAD_SYNC_MODE;
    }

    private WireError decodeSnapshotChunk(final ByteBuf buf, final int index, final int length) {
        if (length < SC_BYTES_OFFSET) {
            return WireError.BAD_MESSAGE_LENGTH;
        }
        zxid = buf.getLong(index + SC_ZXID_OFFSET);
        if (zxid < 0) {
            return WireError.BAD_EPOCH;
        }
        digest = buf.getLong(index + SC_DIGEST_OFFSET);
        totalLength = buf.getLong(index + SC_TOTAL_OFFSET);
        position = buf.getLong(index + SC_POSITION_OFFSET);
        final WireError error = payload(buf, index, length, SC_LENGTH_OFFSET, SC_BYTES_OFFSET);
        if (error != WireError.NONE) {
            return error;
        }
        if (position < 0 || totalLength < 0 || position > totalLength - payloadLength) {
            payloadOffset = 0;
            payloadLength = 0;
            return WireError.BAD_CHUNK_RANGE;
        }
        return WireError.NONE;
    }

    /**
     * Checks the whole batch: every record inside the frame, the records tiling it exactly, zxids
     * strictly increasing from firstZxid to lastZxid, count as declared, every CRC. The payload is the
     * records region.
     */
    private WireError decodeRecords(final ByteBuf buf, final int index, final int length) {
        if (length < RB_RECORDS_OFFSET) {
            return WireError.BAD_MESSAGE_LENGTH;
        }
        zxid = buf.getLong(index + RB_FIRST_ZXID_OFFSET);
        lastZxid = buf.getLong(index + RB_LAST_ZXID_OFFSET);
        recordCount = buf.getInt(index + RB_COUNT_OFFSET);
        maxRecordLength = 0;
        final int start = index + RB_RECORDS_OFFSET;
        final int end = index + length;
        if (recordCount < 1) {
            return WireError.BAD_RECORD_BATCH;
        }
        if (zxid < 0) {
            return WireError.BAD_EPOCH;
        }
        final ByteBuffer view = buf.nioBufferCount() == 1
            ? buf.internalNioBuffer(index, length) : buf.nioBuffer(index, length);
        final int viewBase = view.position() - index;
        int records = 0;
        long previous = Long.MIN_VALUE;
        int at = start;
        while (at < end) {
            if (end - at < LogRecords.HEADER_BYTES) {
                return WireError.BAD_RECORD_BATCH;
            }
            final int n = buf.getIntLE(at + LogRecords.LENGTH_OFFSET);
            final long recordZxid = buf.getLongLE(at + LogRecords.ZXID_OFFSET);
            if (n < 0 || n > end - at - LogRecords.HEADER_BYTES || recordZxid <= previous
                || (records == 0 && recordZxid != zxid)) {
                return WireError.BAD_RECORD_BATCH;
            }
            if (buf.getIntLE(at + LogRecords.CRC_OFFSET) != LogRecords.crc(crc, view, viewBase + at, n)) {
                return WireError.RECORD_CRC_MISMATCH;
            }
            maxRecordLength = Math.max(maxRecordLength, n);
            previous = recordZxid;
            records++;
            at += LogRecords.HEADER_BYTES + n;
        }
        if (records != recordCount || previous != lastZxid) {
            return WireError.BAD_RECORD_BATCH;
        }
        payloadOffset = start;
        payloadLength = length - RB_RECORDS_OFFSET;
        return WireError.NONE;
    }

    /** Reads the length at {@code lengthOffset}; the payload at {@code payloadStart} must end inside the frame. */
    private WireError payload(final ByteBuf buf, final int index, final int length, final int lengthOffset,
        final int payloadStart) {
        final int n = buf.getInt(index + lengthOffset);
        if (n < 0 || n > length - payloadStart) {
            return WireError.BAD_MESSAGE_LENGTH;
        }
        payloadOffset = index + payloadStart;
        payloadLength = n;
        return WireError.NONE;
    }

    /** The decoded type, 0 after a failed decode. */
    public int type() {
        return type;
    }

    /** ACK_EPOCH's snapshotZxid: -1 for none, or when the frame ends before it. */
    public long snapshotZxid() {
        return snapshotZxid;
    }

    /** RECORDS' lastZxid (its firstZxid is {@link #zxid()}). */
    public long lastZxid() {
        return lastZxid;
    }

    /** RECORDS' count of records. */
    public int recordCount() {
        return recordCount;
    }

    /** RECORDS' largest record payload. */
    public int maxRecordLength() {
        return maxRecordLength;
    }

    /** LEARNER_INFO's acceptedEpoch. */
    public long acceptedEpoch() {
        return acceptedEpoch;
    }

    /** LEADER_INFO's newEpoch or ACK_EPOCH's currentEpoch. */
    public long epoch() {
        return epoch;
    }

    /**
     * The zxid: LEARNER_INFO's and ACK_EPOCH's lastZxid, the one long of PING, PING_ACK, ACK, COMMIT,
     * NEW_LEADER and UP_TO_DATE, SYNC_START's, SNAPSHOT_CHUNK's, PROPOSAL's and RESULT's zxid, and
     * RECORDS' firstZxid.
     */
    public long zxid() {
        return zxid;
    }

    public boolean isObserver() {
        return (flags & FLAG_OBSERVER) != 0;
    }

    /** LEARNER_INFO's flags: {@link #FLAG_OBSERVER}, {@link #FLAG_RESUME}. */
    public int flags() {
        return flags;
    }

    /** SYNC_START's mode: {@link #MODE_DIFF}, {@link #MODE_TRUNC} or {@link #MODE_SNAP}. */
    public int mode() {
        return mode;
    }

    public long digest() {
        return digest;
    }

    public long totalLength() {
        return totalLength;
    }

    public long position() {
        return position;
    }

    /**
     * The frame decoded last, unchanged, now starts at {@code index} (its buffer moved its bytes, as a
     * decoder's cumulation does): the fields stay as decoded and the payload's index moves with it, so a
     * frame held back is not checked again (a RECORDS frame's CRCs) each time its delivery is retried.
     */
    public void moveTo(final int index) {
        payloadOffset += index - frameIndex;
        frameIndex = index;
    }

    /** Absolute index of the payload (SNAPSHOT_CHUNK, PROPOSAL, WRITE; RECORDS' records) in the decoded buffer. */
    public int payloadOffset() {
        return payloadOffset;
    }

    public int payloadLength() {
        return payloadLength;
    }

    /** WRITE's or RESULT's sequence. */
    public long sequence() {
        return sequence;
    }

    /** RESULT's status, a {@code WriteListener} constant. */
    public int status() {
        return status;
    }

    /** RESULT's leaderSid. */
    public long leaderSid() {
        return leaderSid;
    }
}
