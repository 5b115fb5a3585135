package io.electionbench.transport.wire;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Encoding and decoding allocate nothing per message (the JMH -prof gc check, in miniature): a
 * million round trips through pooled direct buffers must allocate less than a few kilobytes.
 */
class CodecAllocationTest {
    @Test
    void roundTripsAllocateNothing() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        // Wrapped NIO buffers bypass the paranoid leak detector, whose access records would allocate.
        final byte[] text = "server.1=h:1:2:participant\nversion=0".getBytes(StandardCharsets.UTF_8);
        final ByteBuf config = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(text.length).put(text).flip());
        final ByteBuf buf = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(256)).clear();
        final NotificationCodec notification = new NotificationCodec();
        final QuorumMessageCodec quorum = new QuorumMessageCodec();
        final DirectBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        try {
            long sink = roundTrips(buf, config, payload, notification, quorum, 200_000);
            final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            sink += roundTrips(buf, config, payload, notification, quorum, 1_000_000);
            final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertTrue(allocated < 16 * 1024, "allocated " + allocated + " bytes (sink " + sink + ")");
        } finally {
            buf.release();
            config.release();
        }
    }

    /** Checking a record batch (every record's CRC) and walking its records allocates nothing either. */
    @Test
    void recordBatchesDecodeWithoutAllocating() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final ByteBuf encoded = RecordBytes.frame(Unpooled.buffer(), new long[] {11, 12, 13, 14, 15, 16, 17, 18},
            zxid -> new byte[(int)zxid * 9]);
        final ByteBuf buf = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(encoded.readableBytes()));
        buf.clear().writeBytes(encoded);
        final QuorumMessageCodec quorum = new QuorumMessageCodec();
        final int length = buf.getInt(0);
        try {
            long sink = decodeRecords(buf, quorum, length, 200_000);
            final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            sink += decodeRecords(buf, quorum, length, 1_000_000);
            final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertTrue(sink == 1_200_000L * 8, "every batch decoded whole: " + sink);
            assertTrue(allocated < 16 * 1024, "allocated " + allocated + " bytes");
        } finally {
            buf.release();
        }
    }

    private static long decodeRecords(final ByteBuf buf, final QuorumMessageCodec quorum, final int length,
        final int count) {
        long sink = 0;
        for (int i = 0; i < count; i++) {
            if (quorum.decode(buf, 4, length) == WireError.NONE) {
                sink += quorum.recordCount();
            }
        }
        return sink;
    }

    private static long roundTrips(final ByteBuf buf, final ByteBuf config, final DirectBuffer payload,
        final NotificationCodec notification, final QuorumMessageCodec quorum, final int count) {
        long sink = 0;
        for (int i = 0; i < count; i++) {
            buf.clear();
            NotificationCodec.encodeFrame(buf, i & 3, i, i * 3L, i + 1, 7, config, 0, config.readableBytes());
            QuorumMessageCodec.encodePing(buf, QuorumMessageCodec.PING, i);
            final int length = buf.getInt(0);
            if (notification.decode(buf, 4, length) == WireError.NONE) {
                sink += notification.zxid() + notification.configLength();
            }
            if (quorum.decode(buf, 8 + length, buf.getInt(4 + length)) == WireError.NONE) {
                sink += quorum.zxid();
            }
            final int proposalAt = buf.writerIndex();
            QuorumMessageCodec.encodeProposal(buf, i, payload, i & 7, 48);
            if (quorum.decode(buf, proposalAt + 4, buf.getInt(proposalAt)) == WireError.NONE) {
                sink += quorum.zxid() + buf.getByte(quorum.payloadOffset());
            }
        }
        return sink;
    }
}
