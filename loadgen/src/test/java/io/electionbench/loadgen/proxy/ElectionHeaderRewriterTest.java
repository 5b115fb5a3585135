package io.electionbench.loadgen.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

class ElectionHeaderRewriterTest {
    private static final String PROXY = "127.0.0.1:45678";

    /** QuorumCnxManager's initial message: version, sid, address length, address. */
    private static byte[] header(final long version, final long sid, final String address) {
        final byte[] a = address.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(20 + a.length).putLong(version).putLong(sid).putInt(a.length).put(a).array();
    }

    /** A notification frame after the header: int length, payload. */
    private static final byte[] FRAME = ByteBuffer.allocate(4 + 6).putInt(6).put(new byte[] {1, 2, 3, 4, 5, 6}).array();

    private static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Feeds {@code input} cut at the given offsets and returns every byte the handler passed on. */
    private static byte[] feed(final byte[] input, final int... cuts) {
        final EmbeddedChannel ch = new EmbeddedChannel(new ElectionHeaderRewriter(PROXY));
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            final int to = i < cuts.length ? cuts[i] : input.length;
            ch.writeInbound(Unpooled.copiedBuffer(input, from, to - from));
            from = to;
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuf b;
        while ((b = ch.readInbound()) != null) {
            final byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            out.writeBytes(bytes);
        }
        assertFalse(ch.finish(), "nothing left over");
        return out.toByteArray();
    }

    @Test
    void rewritesTheAddressAndItsLengthAndPassesTheRestUnchanged() {
        final byte[] in = concat(header(ElectionHeaderRewriter.PROTOCOL_VERSION_V1, 2, "127.0.0.1:3888"), FRAME);
        final byte[] expected = concat(header(ElectionHeaderRewriter.PROTOCOL_VERSION_V1, 2, PROXY), FRAME);
        assertArrayEquals(expected, feed(in));
    }

    @Test
    void aHeaderSplitAtAnyByteComesOutTheSame() {
        // A longer real address than the proxy's, so the length field must change.
        final byte[] in = concat(header(ElectionHeaderRewriter.PROTOCOL_VERSION_V1, 7, "localhost.localdomain:38888"),
            FRAME);
        final byte[] expected = concat(header(ElectionHeaderRewriter.PROTOCOL_VERSION_V1, 7, PROXY), FRAME);
        for (int cut = 1; cut < in.length; cut++) {
            assertArrayEquals(expected, feed(in, cut), "split at " + cut);
        }
        final int[] everyByte = new int[in.length - 1];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = i + 1;
        }
        assertArrayEquals(expected, feed(in, everyByte), "one byte per read");
    }

    @Test
    void multiAddressHeadersGetTheProxyAsTheirOneAddress() {
        final byte[] in = header(ElectionHeaderRewriter.PROTOCOL_VERSION_V2, 3, "10.0.0.1:3888|10.0.0.2:3888");
        assertArrayEquals(header(ElectionHeaderRewriter.PROTOCOL_VERSION_V2, 3, PROXY), feed(in, 9, 21));
    }

    @Test
    void unknownVersionsAndRefusedLengthsPassThroughForTheReceiverToJudge() {
        // Pre-3.5: the first long is the sid itself, no address follows.
        final byte[] old = concat(ByteBuffer.allocate(8).putLong(3).array(), FRAME);
        assertArrayEquals(old, feed(old, 5));
        final byte[] tooLong = ByteBuffer.allocate(24).putLong(ElectionHeaderRewriter.PROTOCOL_VERSION_V1).putLong(1)
            .putInt(ElectionHeaderRewriter.MAX_ADDRESS_BYTES + 1).putInt(0).array();
        assertArrayEquals(tooLong, feed(tooLong, 3, 17));
        final byte[] empty = ByteBuffer.allocate(20).putLong(ElectionHeaderRewriter.PROTOCOL_VERSION_V1).putLong(1)
            .putInt(0).array();
        assertArrayEquals(empty, feed(empty));
    }

    @Test
    void removesItselfOnceTheHeaderIsThrough() {
        final EmbeddedChannel ch = new EmbeddedChannel(new ElectionHeaderRewriter(PROXY));
        final byte[] h = header(ElectionHeaderRewriter.PROTOCOL_VERSION_V1, 1, "127.0.0.1:1");
        ch.writeInbound(Unpooled.copiedBuffer(h, 0, 10));
        assertNull(ch.readInbound(), "half a header is held back");
        assertTrue(ch.pipeline().get(ElectionHeaderRewriter.class) != null);
        ch.writeInbound(Unpooled.copiedBuffer(h, 10, h.length - 10));
        assertNull(ch.pipeline().get(ElectionHeaderRewriter.class),
            "the data path after the header is the relay's alone");
        ch.finishAndReleaseAll();
    }
}
