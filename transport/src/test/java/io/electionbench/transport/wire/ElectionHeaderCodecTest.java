package io.electionbench.transport.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

class ElectionHeaderCodecTest {
    private final ElectionHeaderCodec codec = new ElectionHeaderCodec();

    @Test
    void roundTripsV1() {
        final ByteBuf out = Unpooled.buffer();
        ElectionHeaderCodec.encode(out, ElectionHeaderCodec.PROTOCOL_V1, 3, "127.0.0.1:3888");
        assertEquals(-65536L, out.getLong(0));
        assertEquals(3L, out.getLong(8));
        assertEquals(14, out.getInt(16));
        assertEquals("127.0.0.1:3888", out.toString(20, 14, StandardCharsets.US_ASCII));
        for (int cut = 0; cut < out.readableBytes(); cut++) {
            assertEquals(WireError.INCOMPLETE, codec.decode(out, 0, cut), "cut at " + cut);
        }
        assertEquals(WireError.NONE, codec.decode(out, 0, out.readableBytes()));
        assertEquals(3L, codec.sid());
        assertEquals(34, codec.length());
        assertEquals("127.0.0.1:3888", codec.address(out));
    }

    @Test
    void acceptsOldProtocolSidAndV2MultiAddress() {
        final ByteBuf old = Unpooled.buffer().writeLong(5);
        assertEquals(WireError.NONE, codec.decode(old, 0, 8));
        assertEquals(5L, codec.sid());
        assertFalse(codec.hasAddress());
        final ByteBuf v2 = Unpooled.buffer();
        ElectionHeaderCodec.encode(v2, ElectionHeaderCodec.PROTOCOL_V2, 2, "a:1|b.example:65535");
        assertEquals(WireError.NONE, codec.decode(v2, 0, v2.readableBytes()));
        assertTrue(codec.hasAddress());
    }

    @Test
    void rejectsBadHeaders() {
        final ByteBuf bad = Unpooled.buffer().writeLong(-7).writeLong(1).writeInt(3);
        assertEquals(WireError.UNKNOWN_PROTOCOL_VERSION, codec.decode(bad, 0, 20));
        for (final int len : new int[] {0, -1, 2049, Integer.MAX_VALUE}) {
            final ByteBuf b = Unpooled.buffer().writeLong(ElectionHeaderCodec.PROTOCOL_V1).writeLong(1).writeInt(len);
            assertEquals(WireError.BAD_ADDRESS_LENGTH, codec.decode(b, 0, 20), "len " + len);
        }
        for (final String address : new String[] {"nohost", ":80", "h:", "h:99999", "h:8a", "a:1||b:2", "h:123456"}) {
            final ByteBuf b = Unpooled.buffer();
            ElectionHeaderCodec.encode(b, ElectionHeaderCodec.PROTOCOL_V2, 1, address);
            assertEquals(WireError.BAD_ADDRESS, codec.decode(b, 0, b.readableBytes()), address);
        }
    }
}
