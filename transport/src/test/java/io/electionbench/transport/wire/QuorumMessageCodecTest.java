package io.electionbench.transport.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

class QuorumMessageCodecTest {
    private final QuorumMessageCodec codec = new QuorumMessageCodec();

    @Test
    void roundTripsEveryType() {
        final ByteBuf out = Unpooled.buffer();
        QuorumMessageCodec.encodeLearnerInfo(out, 4, 0x4_0000_0009L, true);
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
        final ByteBuf in = Unpooled.buffer().writeByte(0xEB).writeByte(1).writeShort(QuorumMessageCodec.PING).writeInt(0);
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
}
