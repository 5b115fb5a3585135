package io.electionbench.transport.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;

class QuorumMessageCodecTest {
    private final QuorumMessageCodec codec = new QuorumMessageCodec();

    @Test
    void roundTripsEveryType() {
        final ByteBuf out = Unpooled.buffer();
        QuorumMessageCodec.encodeLearnerInfo(out, 4, 0x4_0000_0009L, QuorumMessageCodec.FLAG_OBSERVER);
        assertEquals(24, out.getInt(0));
        assertEquals(0xEB, out.getUnsignedByte(4));
        assertEquals(1, out.getUnsignedByte(5));
        assertEquals(QuorumMessageCodec.LEARNER_INFO, out.getUnsignedShort(6));
        assertEquals(WireError.NONE, codec.decode(out, 4, 24));
        assertEquals(4L, codec.acceptedEpoch());
        assertEquals(0x4_0000_0009L, codec.zxid());
        assertTrue(codec.isObserver());

        out.clear();
        QuorumMessageCodec.encodeLearnerReject(out);
        assertEquals(WireError.NONE, codec.decode(out, 4, out.getInt(0)));
        assertEquals(QuorumMessageCodec.LEARNER_REJECT, codec.type());

        out.clear();
        QuorumMessageCodec.encodePing(out, QuorumMessageCodec.PING_ACK, 77);
        assertEquals(WireError.NONE, codec.decode(out, 4, out.getInt(0)));
        assertEquals(QuorumMessageCodec.PING_ACK, codec.type());
        assertEquals(77L, codec.zxid());
    }

    @Test
    void rejectsBadMessages() {
        final ByteBuf in = Unpooled.buffer().writeByte(0xEB).writeByte(1).writeShort(QuorumMessageCodec.PING)
            .writeInt(0);
        assertEquals(WireError.BAD_MESSAGE_LENGTH, codec.decode(in, 0, 8));
        assertEquals(WireError.BAD_MESSAGE_LENGTH, codec.decode(in, 0, 3));
        in.setShort(2, 99);
        assertEquals(WireError.UNKNOWN_TYPE, codec.decode(in, 0, 8));
        in.setByte(1, 2);
        assertEquals(WireError.UNSUPPORTED_VERSION, codec.decode(in, 0, 8));
        in.setByte(0, 0);
        assertEquals(WireError.BAD_MAGIC, codec.decode(in, 0, 8));
        final QuorumHeaderCodec header = new QuorumHeaderCodec();
        final ByteBuf h = Unpooled.buffer();
        QuorumHeaderCodec.encode(h, 9);
        assertEquals(WireError.INCOMPLETE, header.decode(h, 0, 15));
        assertEquals(WireError.NONE, header.decode(h, 0, 16));
        assertEquals(9L, header.sid());
        h.setLong(8, 0);
        assertEquals(WireError.BAD_SID, header.decode(h, 0, 16));
        h.setInt(0, 1);
        assertEquals(WireError.BAD_MAGIC, header.decode(h, 0, 4));
    }

    private static byte[] payloadOf(final long zxid) {
        final byte[] bytes = new byte[(int)(zxid % 50)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte)(zxid * 7 + i);
        }
        return bytes;
    }

    @Test
    void aRecordBatchDecodesWhenEveryRecordChecks() {
        final long[] zxids = {0x2_0000_0001L, 0x2_0000_0002L, 0x2_0000_0030L, 0x3_0000_0001L};
        for (final ByteBuf out : new ByteBuf[] {Unpooled.buffer(), PooledByteBufAllocator.DEFAULT.directBuffer()}) {
            out.writeZero(5);
            out.readerIndex(5);
            RecordBytes.frame(out, zxids, QuorumMessageCodecTest::payloadOf);
            final int index = out.readerIndex() + 4;
            assertEquals(WireError.NONE, codec.decode(out, index, out.getInt(out.readerIndex())));
            assertEquals(QuorumMessageCodec.RECORDS, codec.type());
            assertEquals(zxids[0], codec.zxid());
            assertEquals(zxids[3], codec.lastZxid());
            assertEquals(4, codec.recordCount());
            assertEquals(java.util.Arrays.stream(zxids).mapToInt(z -> payloadOf(z).length).max().getAsInt(),
                codec.maxRecordLength());
            assertEquals(index + QuorumMessageCodec.RB_RECORDS_OFFSET, codec.payloadOffset());
            assertEquals(out.writerIndex() - codec.payloadOffset(), codec.payloadLength());
            out.release();
        }
    }

    /** A frame held back while its buffer moves its bytes (a cumulation discarding read bytes) keeps its fields. */
    @Test
    void aDecodedFrameMovedInItsBufferKeepsItsFieldsAndItsPayloadFollows() {
        final long[] zxids = {0x2_0000_0001L, 0x2_0000_0002L, 0x2_0000_0003L};
        final ByteBuf out = Unpooled.buffer();
        out.writeZero(100);
        out.readerIndex(100);
        RecordBytes.frame(out, zxids, QuorumMessageCodecTest::payloadOf);
        assertEquals(WireError.NONE, codec.decode(out, 104, out.getInt(100)));
        final int length = codec.payloadLength();
        out.discardReadBytes();
        codec.moveTo(4);
        assertEquals(4 + QuorumMessageCodec.RB_RECORDS_OFFSET, codec.payloadOffset());
        assertEquals(length, codec.payloadLength());
        assertEquals(QuorumMessageCodec.RECORDS, codec.type());
        assertEquals(zxids[2], codec.lastZxid());
        assertEquals(zxids[0], out.getLongLE(codec.payloadOffset() + 4), "the first record's zxid, where it now is");
        out.release();
    }

    @Test
    void aRecordBatchIsRefusedWholeForAnyBadRecord() {
        final long[] zxids = {11, 12, 13};
        final ByteBuf good = RecordBytes.frame(Unpooled.buffer(), zxids, QuorumMessageCodecTest::payloadOf);
        final int length = good.getInt(0);
        assertEquals(WireError.NONE, codec.decode(good, 4, length));
        final int firstRecord = 4 + QuorumMessageCodec.RB_RECORDS_OFFSET;
        final int secondRecord = firstRecord + 16 + 11;

        final ByteBuf flipped = good.copy();
        flipped.setByte(secondRecord + 16 + 3, flipped.getByte(secondRecord + 16 + 3) ^ 1);
        assertEquals(WireError.RECORD_CRC_MISMATCH, codec.decode(flipped, 4, length), "a payload bit flipped");
        assertEquals(0, codec.type());
        final ByteBuf zxidChanged = good.copy();
        zxidChanged.setLongLE(secondRecord + 4, 12 + (1L << 40));
        assertEquals(WireError.RECORD_CRC_MISMATCH, codec.decode(zxidChanged, 4, length), "the CRC covers the zxid");

        final ByteBuf unordered =
            RecordBytes.frame(Unpooled.buffer(), new long[] {11, 13, 12}, QuorumMessageCodecTest::payloadOf);
        unordered.setLong(4 + QuorumMessageCodec.RB_LAST_ZXID_OFFSET, 12);
        assertEquals(WireError.BAD_RECORD_BATCH, codec.decode(unordered, 4, unordered.getInt(0)),
            "zxids must increase");
        final ByteBuf miscounted = good.copy().setInt(4 + QuorumMessageCodec.RB_COUNT_OFFSET, 4);
        assertEquals(WireError.BAD_RECORD_BATCH, codec.decode(miscounted, 4, length), "count as declared");
        final ByteBuf noRecords = good.copy().setInt(4 + QuorumMessageCodec.RB_COUNT_OFFSET, 0);
        assertEquals(WireError.BAD_RECORD_BATCH, codec.decode(noRecords, 4, length), "at least one record");
        final ByteBuf wrongFirst = good.copy().setLong(4 + QuorumMessageCodec.RB_FIRST_ZXID_OFFSET, 10);
        assertEquals(WireError.BAD_RECORD_BATCH, codec.decode(wrongFirst, 4, length), "first zxid as declared");
        final ByteBuf wrongLast = good.copy().setLong(4 + QuorumMessageCodec.RB_LAST_ZXID_OFFSET, 14);
        assertEquals(WireError.BAD_RECORD_BATCH, codec.decode(wrongLast, 4, length), "last zxid as declared");
        final ByteBuf overlong = good.copy().setIntLE(secondRecord, 1 << 20);
        assertEquals(WireError.BAD_RECORD_BATCH, codec.decode(overlong, 4, length), "a record past the frame");
        final ByteBuf negative = good.copy().setIntLE(secondRecord, -1);
        assertEquals(WireError.BAD_RECORD_BATCH, codec.decode(negative, 4, length), "a negative record length");
        assertEquals(WireError.BAD_RECORD_BATCH, codec.decode(good, 4, length - 1), "a record cut short");
        final ByteBuf trailing = good.copy().writeByte(0);
        assertEquals(WireError.BAD_RECORD_BATCH, codec.decode(trailing, 4, length + 1), "bytes after the last record");
        assertEquals(WireError.BAD_MESSAGE_LENGTH, codec.decode(good, 4, QuorumMessageCodec.RB_RECORDS_OFFSET - 1));
        assertTrue(WireError.BAD_RECORD_BATCH.isFatal() && WireError.RECORD_CRC_MISMATCH.isFatal());
    }

    @Test
    void oneLongTypesRoundTripAtOffsetFour() {
        final int[] types = {QuorumMessageCodec.PING, QuorumMessageCodec.PING_ACK, QuorumMessageCodec.LEADER_INFO,
            QuorumMessageCodec.ACK, QuorumMessageCodec.COMMIT, QuorumMessageCodec.NEW_LEADER,
            QuorumMessageCodec.UP_TO_DATE};
        final ByteBuf out = Unpooled.buffer();
        for (final int type : types) {
            final long value = type == QuorumMessageCodec.LEADER_INFO ? 7 : 0x7_0000_0003L;
            out.clear();
            QuorumMessageCodec.encodeZxid(out, type, value);
            assertEquals(16, out.readableBytes());
            assertEquals(12, out.getInt(0));
            assertEquals(type, out.getUnsignedShort(6));
            assertEquals(value, out.getLong(8));
            assertEquals(WireError.NONE, codec.decode(out, 4, 12), "type " + type);
            assertEquals(type, codec.type());
            assertEquals(value, type == QuorumMessageCodec.LEADER_INFO ? codec.epoch() : codec.zxid());
            assertEquals(WireError.BAD_MESSAGE_LENGTH, codec.decode(out, 4, 11), "type " + type);
            assertEquals(0, codec.type());
        }
        assertThrows(IllegalArgumentException.class, () ->
            QuorumMessageCodec.encodeZxid(out, QuorumMessageCodec.PROPOSAL, 1));
        assertEquals(17, QuorumMessageCodec.LEADER_INFO, "ZooKeeper's LEADERINFO");
        assertEquals(18, QuorumMessageCodec.ACK_EPOCH, "ZooKeeper's ACKEPOCH");
    }

    /** Epochs above 2^31-1 and negative zxids (other than -1, none) are refused as BAD_EPOCH, which closes the link. */
    @Test
    void epochsAndZxidsOutsideTheEpochSpaceAreRefused() {
        final ByteBuf out = Unpooled.buffer();
        final long beyond = io.electionbench.core.Zxid.MAX_EPOCH + 1;
        for (final long accepted : new long[] {beyond, (1L << 32) - 1, -1, Long.MAX_VALUE}) {
            out.clear();
            QuorumMessageCodec.encodeLearnerInfo(out, accepted, 0, 0);
            assertEquals(WireError.BAD_EPOCH, codec.decode(out, 4, out.readableBytes() - 4), "accepted " + accepted);
            assertEquals(0, codec.type(), "nothing decoded");
        }
        out.clear();
        QuorumMessageCodec.encodeLearnerInfo(out, io.electionbench.core.Zxid.MAX_EPOCH, -1, 0);
        assertEquals(WireError.NONE, codec.decode(out, 4, out.readableBytes() - 4),
            "the last epoch and no history are fine");
        out.clear();
        QuorumMessageCodec.encodeLearnerInfo(out, 1, -2, 0);
        assertEquals(WireError.BAD_EPOCH, codec.decode(out, 4, out.readableBytes() - 4), "a negative last zxid");
        for (final long epoch : new long[] {beyond, -1}) {
            out.clear();
            QuorumMessageCodec.encodeZxid(out, QuorumMessageCodec.LEADER_INFO, epoch);
            assertEquals(WireError.BAD_EPOCH, codec.decode(out, 4, 12), "LEADERINFO " + epoch);
        }
        for (final int type : new int[] {QuorumMessageCodec.PING, QuorumMessageCodec.ACK, QuorumMessageCodec.COMMIT,
            QuorumMessageCodec.NEW_LEADER, QuorumMessageCodec.UP_TO_DATE}) {
            out.clear();
            QuorumMessageCodec.encodeZxid(out, type, Long.MIN_VALUE);
            assertEquals(WireError.BAD_EPOCH, codec.decode(out, 4, 12), "type " + type);
        }
        out.clear();
        QuorumMessageCodec.encodeAckEpoch(out, beyond, 0, -1);
        assertEquals(WireError.BAD_EPOCH, codec.decode(out, 4, out.readableBytes() - 4), "ACKEPOCH current epoch");
        out.clear();
        QuorumMessageCodec.encodeAckEpoch(out, -1, 5, -1);
        assertEquals(WireError.NONE, codec.decode(out, 4, out.readableBytes() - 4),
            "-1: the epoch was already accepted");
        assertTrue(WireError.BAD_EPOCH.isFatal());
    }

    @Test
    void ackEpochAndSyncStartRoundTrip() {
        final ByteBuf out = Unpooled.buffer();
        QuorumMessageCodec.encodeAckEpoch(out, -1, 0x3_0000_0010L, 0x3_0000_0008L);
        assertEquals(28, out.getInt(0));
        assertEquals(QuorumMessageCodec.ACK_EPOCH, out.getUnsignedShort(6));
        assertEquals(-1L, out.getLong(8));
        assertEquals(0x3_0000_0010L, out.getLong(16));
        assertEquals(0x3_0000_0008L, out.getLong(24));
        assertEquals(WireError.NONE, codec.decode(out, 4, 28));
        assertEquals(-1L, codec.epoch());
        assertEquals(0x3_0000_0010L, codec.zxid());
        assertEquals(0x3_0000_0008L, codec.snapshotZxid());
        assertEquals(WireError.NONE, codec.decode(out, 4, 20), "a frame without the snapshot zxid");
        assertEquals(0x3_0000_0010L, codec.zxid());
        assertEquals(-1L, codec.snapshotZxid(), "read as none");
        assertEquals(WireError.BAD_MESSAGE_LENGTH, codec.decode(out, 4, 19));

        for (final int mode : new int[] {QuorumMessageCodec.MODE_DIFF, QuorumMessageCodec.MODE_TRUNC,
            QuorumMessageCodec.MODE_SNAP}) {
            out.clear();
            QuorumMessageCodec.encodeSyncStart(out, mode, 0x2_0000_0005L);
            assertEquals(16, out.getInt(0));
            assertEquals(0x2_0000_0005L, out.getLong(8));
            assertEquals(mode, out.getInt(16));
            assertEquals(WireError.NONE, codec.decode(out, 4, 16));
            assertEquals(QuorumMessageCodec.SYNC_START, codec.type());
            assertEquals(mode, codec.mode());
            assertEquals(0x2_0000_0005L, codec.zxid());
        }
        out.setInt(16, 12);
        assertEquals(WireError.BAD_SYNC_MODE, codec.decode(out, 4, 16));
        out.setInt(16, 16);
        assertEquals(WireError.BAD_SYNC_MODE, codec.decode(out, 4, 16));
        assertEquals(WireError.BAD_MESSAGE_LENGTH, codec.decode(out, 4, 15));
    }

    @Test
    void payloadTypesRoundTripFromDirectAndHeapSources() {
        final byte[] bytes = new byte[300];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte)(i * 7 + 1);
        }
        final UnsafeBuffer heap = new UnsafeBuffer(bytes);
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(bytes.length));
        direct.putBytes(0, bytes);
        final ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(1024);
        try {
            for (final UnsafeBuffer source : new UnsafeBuffer[] {heap, direct}) {
                for (final ByteBuf out : new ByteBuf[] {Unpooled.buffer(16), pooled}) {
                    out.clear();
                    QuorumMessageCodec.encodeProposal(out, 0x1_0000_0002L, source, 10, 200);
                    assertEquals(4 + 16 + 200, out.readableBytes());
                    assertEquals(216, out.getInt(0));
                    assertEquals(QuorumMessageCodec.PROPOSAL, out.getUnsignedShort(6));
                    assertEquals(200, out.getInt(16));
                    assertEquals(WireError.NONE, codec.decode(out, 4, 216));
                    assertEquals(0x1_0000_0002L, codec.zxid());
                    assertEquals(20, codec.payloadOffset());
                    assertEquals(200, codec.payloadLength());
                    assertPayload(out, bytes, 10, 200);
                }
            }
        } finally {
            pooled.release();
        }

        final ByteBuf chunk = Unpooled.buffer();
        QuorumMessageCodec.encodeSnapshotChunk(chunk, 9, 0xABCDL, 1000, 700, heap, 0, 300);
        assertEquals(40 + 300, chunk.getInt(0));
        assertEquals(WireError.NONE, codec.decode(chunk, 4, 340));
        assertEquals(QuorumMessageCodec.SNAPSHOT_CHUNK, codec.type());
        assertEquals(9L, codec.zxid());
        assertEquals(0xABCDL, codec.digest());
        assertEquals(1000L, codec.totalLength());
        assertEquals(700L, codec.position());
        assertEquals(44, codec.payloadOffset());
        assertEquals(300, codec.payloadLength());
        assertPayload(chunk, bytes, 0, 300);

        final ByteBuf write = Unpooled.buffer();
        QuorumMessageCodec.encodeWrite(write, QuorumMessageCodec.MAX_SEQUENCE, direct, 299, 1);
        assertEquals(WireError.NONE, codec.decode(write, 4, write.getInt(0)));
        assertEquals(QuorumMessageCodec.WRITE, codec.type());
        assertEquals(QuorumMessageCodec.MAX_SEQUENCE, codec.sequence());
        assertEquals(1, codec.payloadLength());
        assertEquals(bytes[299], write.getByte(codec.payloadOffset()));

        final ByteBuf empty = Unpooled.buffer();
        QuorumMessageCodec.encodeProposal(empty, 1, heap, 0, 0);
        assertEquals(WireError.NONE, codec.decode(empty, 4, empty.getInt(0)));
        assertEquals(0, codec.payloadLength());
    }

    private static void assertPayload(final ByteBuf buf, final byte[] expected, final int from, final int length) {
        for (int i = 0; i < length; i++) {
            assertEquals(expected[from + i], buf.getByte(buf.getInt(0) - length + 4 + i), "byte " + i);
        }
    }

    @Test
    void resultRoundTrips() {
        final ByteBuf out = Unpooled.buffer();
        QuorumMessageCodec.encodeResult(out, 123_456, 1, -1, 3);
        assertEquals(36, out.readableBytes());
        assertEquals(32, out.getInt(0));
        assertEquals(QuorumMessageCodec.RESULT, out.getUnsignedShort(6));
        assertEquals(WireError.NONE, codec.decode(out, 4, 32));
        assertEquals(123_456L, codec.sequence());
        assertEquals(1, codec.status());
        assertEquals(-1L, codec.zxid());
        assertEquals(3L, codec.leaderSid());
        assertEquals(WireError.BAD_MESSAGE_LENGTH, codec.decode(out, 4, 31));
    }

    @Test
    void payloadLengthsAreCheckedAgainstTheFrame() {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final ByteBuf p = Unpooled.buffer();
        QuorumMessageCodec.encodeProposal(p, 1, payload, 0, 64);
        assertEquals(WireError.BAD_MESSAGE_LENGTH, codec.decode(p, 4, 79), "payload runs past the frame");
        assertEquals(WireError.BAD_MESSAGE_LENGTH, codec.decode(p, 4, 15), "no room for the length field");
        p.setInt(16, -1);
        assertEquals(WireError.BAD_MESSAGE_LENGTH, codec.decode(p, 4, 80));
        p.setInt(16, 10);
        assertEquals(WireError.NONE, codec.decode(p, 4, 80), "trailing bytes are ignored");
        assertEquals(10, codec.payloadLength());

        final ByteBuf w = Unpooled.buffer();
        QuorumMessageCodec.encodeWrite(w, 5, payload, 0, 8);
        w.setLong(8, -1);
        assertEquals(WireError.BAD_SEQUENCE, codec.decode(w, 4, 24));
        w.setLong(8, QuorumMessageCodec.MAX_SEQUENCE + 1);
        assertEquals(WireError.BAD_SEQUENCE, codec.decode(w, 4, 24));
        w.setLong(8, 5).setInt(16, 9);
        assertEquals(WireError.BAD_MESSAGE_LENGTH, codec.decode(w, 4, 24));

        final ByteBuf c = Unpooled.buffer();
        QuorumMessageCodec.encodeSnapshotChunk(c, 1, 2, 100, 90, payload, 0, 10);
        assertEquals(WireError.NONE, codec.decode(c, 4, 50));
        c.setLong(32, 91);
        assertEquals(WireError.BAD_CHUNK_RANGE, codec.decode(c, 4, 50), "ends past totalLength");
        c.setLong(32, -1);
        assertEquals(WireError.BAD_CHUNK_RANGE, codec.decode(c, 4, 50));
        c.setLong(32, 0).setLong(24, -5);
        assertEquals(WireError.BAD_CHUNK_RANGE, codec.decode(c, 4, 50));
        c.setLong(24, 100).setInt(40, 11);
        assertEquals(WireError.BAD_MESSAGE_LENGTH, codec.decode(c, 4, 50));
        assertEquals(WireError.BAD_MESSAGE_LENGTH, codec.decode(c, 4, 39));

        assertThrows(IllegalArgumentException.class,
            () -> QuorumMessageCodec.encodeProposal(Unpooled.buffer(), 1, payload, 0, FrameCodec.MAX_FRAME_LENGTH));
    }

    @Test
    void clientHeaderIsToldApartFromAPeer() {
        final QuorumHeaderCodec header = new QuorumHeaderCodec();
        final ByteBuf h = Unpooled.buffer();
        QuorumHeaderCodec.encodeClient(h);
        assertEquals(QuorumHeaderCodec.FLAG_CLIENT, h.getUnsignedShort(6));
        assertEquals(0L, h.getLong(8));
        assertEquals(WireError.NONE, header.decode(h, 0, 16));
        assertTrue(header.isClient());
        h.setLong(8, 4);
        assertEquals(WireError.BAD_SID, header.decode(h, 0, 16), "a client names no sid");
        h.setShort(6, 2);
        assertEquals(WireError.BAD_HEADER_FLAGS, header.decode(h, 0, 16));
        final ByteBuf peer = Unpooled.buffer();
        QuorumHeaderCodec.encode(peer, 4);
        assertEquals(WireError.NONE, header.decode(peer, 0, 16));
        assertFalse(header.isClient());
    }
}
