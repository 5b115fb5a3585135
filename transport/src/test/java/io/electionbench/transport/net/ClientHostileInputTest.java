package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.WriteListener;
import io.electionbench.transport.client.WriteClient;
import io.electionbench.transport.wire.QuorumHeaderCodec;
import io.electionbench.transport.wire.QuorumMessageCodec;
import io.electionbench.transport.wire.RecordBytes;
import io.electionbench.transport.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * Hostile bytes on the quorum port over real sockets: each bad client or peer frame closes that
 * connection and is counted, and the node keeps serving write clients and its peer afterwards.
 */
@ExtendWith(LeakWatch.class)
class ClientHostileInputTest {
    private static final long TIMEOUT_MS = 10_000;

    @Test
    void badClientFramesCloseThatConnectionOnly() throws Exception {
        try (Loopback node = new Loopback(1, null)) {
            final WriteRouter router = new WriteRouter();
            node.node(1).enableClientWrites(router);
            node.startAll();
            final int port = node.quorumPort(1);
            final TransportCounters counters = node.counters(1);

            assertClosed(port, clientHeader(), ByteBuffer.allocate(4).putInt(0).array());
            assertClosed(port, clientHeader(), ByteBuffer.allocate(4).putInt(512 * 1024 + 1).array());
            awaitBadFrames(counters, WireError.BAD_FRAME_LENGTH, 2);
            assertClosed(port, clientHeader(), frame(0xEB, 1, 99, 0));
            assertClosed(port, clientHeader(), frame(0xEB, 1, QuorumMessageCodec.PING, 8));
            assertClosed(port, clientHeader(), frame(0xEB, 1, QuorumMessageCodec.RESULT, 28));
            awaitBadFrames(counters, WireError.UNKNOWN_TYPE, 3);
            assertClosed(port, clientHeader(), frame(0xEA, 1, QuorumMessageCodec.WRITE, 12));
            awaitBadFrames(counters, WireError.BAD_MAGIC, 1);
            assertClosed(port, clientHeader(), write(-1, 0, 0));
            assertClosed(port, clientHeader(), write(1L << 48, 0, 0));
            awaitBadFrames(counters, WireError.BAD_SEQUENCE, 2);
            assertClosed(port, clientHeader(), write(5, 100, 10));
            assertClosed(port, clientHeader(), write(5, -1, 10));
            awaitBadFrames(counters, WireError.BAD_MESSAGE_LENGTH, 2);
            assertClosed(port, header(2, 0), new byte[0]);
            awaitBadFrames(counters, WireError.BAD_HEADER_FLAGS, 1);
            assertClosed(port, header(QuorumHeaderCodec.FLAG_CLIENT, 3), new byte[0]);
            awaitBadFrames(counters, WireError.BAD_SID, 1);
            Loopback.await(TIMEOUT_MS, "bad headers refused", () ->
                counters.refusedCount(RefuseReason.BAD_HEADER) == 2);

            assertServesAWriteClient(node, router);
            assertEquals(1, counters.get(TransportCounters.CLIENT_WRITES),
                "only the real client's frame became a write");
        }
    }

    @Test
    void aPeerSendingClientOrMalformedFramesIsClosed() throws Exception {
        try (Loopback nodes = new Loopback(2, null)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            final int port = nodes.quorumPort(1);
            final TransportCounters counters = nodes.counters(1);
            assertClosed(port, header(0, 2), write(1, 0, 0));
            Loopback.await(TIMEOUT_MS, "WRITE from a peer refused", () ->
                counters.badFrames(WireError.UNKNOWN_TYPE) == 1);
            assertClosed(port, header(0, 2), syncStart(12));
            Loopback.await(TIMEOUT_MS, "bad sync mode", () -> counters.badFrames(WireError.BAD_SYNC_MODE) == 1);
            assertClosed(port, header(0, 2), chunk(-1));
            Loopback.await(TIMEOUT_MS, "bad chunk range", () -> counters.badFrames(WireError.BAD_CHUNK_RANGE) == 1);
            assertClosed(port, header(0, 2), records(false));
            Loopback.await(TIMEOUT_MS, "a record with a bad CRC", () ->
                counters.badFrames(WireError.RECORD_CRC_MISMATCH) == 1);
            assertClosed(port, header(0, 2), records(true));
            Loopback.await(TIMEOUT_MS, "a record batch miscounted", () ->
                counters.badFrames(WireError.BAD_RECORD_BATCH) == 1);
            // The real peer dials again and the link carries messages once more. A commit queued while
            // the link is still being replaced (the impostors' connections closing) goes down with that
            // connection, so it is sent again until one arrives.
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            final AtomicInteger commits = new AtomicInteger();
            final long[] lastSentNs = {0};
            Loopback.await(TIMEOUT_MS, "the commit", () -> {
                nodes.ring(1).read((type, buffer, index, length) -> {
                    if (type == InboundMessages.COMMIT && buffer.getLong(index + 8) == 42) {
                        commits.incrementAndGet();
                    }
                });
                if (commits.get() == 0 && System.nanoTime() - lastSentNs[0] > 200_000_000L
                    && nodes.node(2).publisher().sendCommit(1, 42)) {
                    lastSentNs[0] = System.nanoTime();
                }
                return commits.get() >= 1;
            });
        }
    }

    private static void assertServesAWriteClient(final Loopback node, final WriteRouter router) throws IOException {
        final AtomicInteger committed = new AtomicInteger();
        try (WriteClient client = new WriteClient(new WriteClient.Listener() {
            @Override
            public void onResult(final long sequence, final int status, final long zxid, final long leaderSid) {
                if (sequence == 7 && status == WriteListener.COMMITTED) {
                    committed.incrementAndGet();
                }
            }

            @Override
            public void onDisconnected(final Throwable cause) {
            }
        })) {
            client.connect("127.0.0.1", node.quorumPort(1), TIMEOUT_MS);
            assertTrue(client.write(7, new UnsafeBuffer(new byte[4]), 0, 4));
            Loopback.await(TIMEOUT_MS, "the write offered", () -> {
                node.ring(1).read((type, buffer, index, length) -> {
                    if (type == InboundMessages.WRITE) {
                        router.onWriteResult(buffer.getLong(index), WriteListener.COMMITTED, 1, 1);
                    }
                });
                return committed.get() == 1;
            });
        }
    }

    private static void awaitBadFrames(final TransportCounters counters, final WireError error, final long count) {
        Loopback.await(TIMEOUT_MS, error + " == " + count, () -> counters.badFrames(error) == count);
    }

    /** Sends {@code header} then {@code bytes}; the node must close the connection. */
    private static void assertClosed(final int port, final byte[] header, final byte[] bytes) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int)TIMEOUT_MS);
            socket.getOutputStream().write(header);
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            final InputStream in = socket.getInputStream();
            try {
                int b;
                do {
                    b = in.read();
                } while (b >= 0);
            } catch (final SocketException reset) {
                // Closed with unread input: an RST. Closed all the same.
            }
        }
    }

    private static byte[] clientHeader() {
        return header(QuorumHeaderCodec.FLAG_CLIENT, QuorumHeaderCodec.CLIENT_SID);
    }

    private static byte[] header(final int flags, final long sid) {
        return ByteBuffer.allocate(16).putInt(QuorumHeaderCodec.MAGIC).putShort((short)1).putShort((short)flags)
            .putLong(sid).array();
    }

    /** A frame with a message header and {@code fieldBytes} zero bytes of fields. */
    private static byte[] frame(final int magic, final int version, final int type, final int fieldBytes) {
        return ByteBuffer.allocate(8 + fieldBytes).putInt(4 + fieldBytes).put((byte)magic).put((byte)version)
            .putShort((short)type).array();
    }

    /** A WRITE frame whose length field says {@code declared} and that carries {@code carried} payload bytes. */
    private static byte[] write(final long sequence, final int declared, final int carried) {
        return ByteBuffer.allocate(4 + 16 + carried).putInt(16 + carried).put((byte)0xEB).put((byte)1)
            .putShort((short)QuorumMessageCodec.WRITE).putLong(sequence).putInt(declared).array();
    }

    private static byte[] syncStart(final int mode) {
        return ByteBuffer.allocate(20).putInt(16).put((byte)0xEB).put((byte)1)
            .putShort((short)QuorumMessageCodec.SYNC_START).putLong(5).putInt(mode).array();
    }

    /** A RECORDS frame of two records: the second's CRC wrong, or (miscounted) all CRCs right but a count of 3. */
    private static byte[] records(final boolean isMiscounted) {
        final ByteBuf frame = RecordBytes.frame(Unpooled.buffer(),
            new long[] {5, 6}, zxid -> new byte[] {(byte)zxid, 1, 2});
        if (isMiscounted) {
            frame.setInt(4 + QuorumMessageCodec.RB_COUNT_OFFSET, 3);
        } else {
            frame.setByte(frame.writerIndex() - 1, 9);
        }
        return ByteBufUtil.getBytes(frame);
    }

    private static byte[] chunk(final long position) {
        return ByteBuffer.allocate(44).putInt(40).put((byte)0xEB).put((byte)1)
            .putShort((short)QuorumMessageCodec.SNAPSHOT_CHUNK)
            .putLong(5).putLong(0).putLong(10).putLong(position).putInt(0).array();
    }
}
