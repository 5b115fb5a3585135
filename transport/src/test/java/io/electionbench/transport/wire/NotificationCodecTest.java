package io.electionbench.transport.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

class NotificationCodecTest {
    private final NotificationCodec codec = new NotificationCodec();

    @Test
    void encodesVersion2AtZooKeeperOffsets() {
        final ByteBuf config = Unpooled.copiedBuffer("server.1=a:1:2:participant\nversion=0", StandardCharsets.UTF_8);
        final ByteBuf out = Unpooled.buffer();
        final int written =
            NotificationCodec.encodeFrame(out, 2, 7L, 0x1_0000_0005L, 9L, 1L, config, 0, config.readableBytes());
        final int n = config.readableBytes();
        assertEquals(4 + 44 + n, written);
        assertEquals(44 + n, out.getInt(0));
        assertEquals(2, out.getInt(4));
        assertEquals(7L, out.getLong(8));
        assertEquals(0x1_0000_0005L, out.getLong(16));
        assertEquals(9L, out.getLong(24));
        assertEquals(1L, out.getLong(32));
        assertEquals(2, out.getInt(40));
        assertEquals(n, out.getInt(44));
        assertEquals("server.1=a:1:2:participant\nversion=0", out.toString(48, n, StandardCharsets.UTF_8));

        assertEquals(WireError.NONE, codec.decode(out, 4, 44 + n));
        assertEquals(2, codec.state());
        assertEquals(7L, codec.leader());
        assertEquals(0x1_0000_0005L, codec.zxid());
        assertEquals(9L, codec.electionEpoch());
        assertEquals(1L, codec.peerEpoch());
        assertEquals(2, codec.version());
        assertEquals(48, codec.configOffset());
        assertEquals(n, codec.configLength());
        config.release();
        out.release();
    }

    @Test
    void legacy28DerivesPeerEpochFromZxid() {
        final ByteBuf in = Unpooled.buffer().writeInt(1).writeLong(3).writeLong(0x5_0000_0002L).writeLong(4);
        assertEquals(WireError.NONE, codec.decode(in, 0, 28));
        assertEquals(5L, codec.peerEpoch());
        assertEquals(0, codec.version());
        assertEquals(1, codec.state());
    }

    @Test
    void legacy40ReadsPeerEpochButNotVersion() {
        final ByteBuf in = Unpooled.buffer().writeInt(0).writeLong(3).writeLong(2).writeLong(4).writeLong(6)
            .writeInt(1);
        assertEquals(WireError.NONE, codec.decode(in, 0, 40));
        assertEquals(6L, codec.peerEpoch());
        assertEquals(0, codec.version());
    }

    @Test
    void dropsShortAndMalformedPayloads() {
        final ByteBuf in = Unpooled.buffer(128).writeZero(128);
        assertEquals(WireError.NOTIFICATION_TOO_SHORT, codec.decode(in, 0, 27));
        assertEquals(WireError.NOTIFICATION_TOO_SHORT, codec.decode(in, 0, 30));
        assertEquals(WireError.NOTIFICATION_TOO_SHORT, codec.decode(in, 0, 38));
        in.setInt(36, 2);
        assertEquals(WireError.NOTIFICATION_TOO_SHORT, codec.decode(in, 0, 42));
        in.setInt(40, -1);
        assertEquals(WireError.BAD_CONFIG_LENGTH, codec.decode(in, 0, 44));
        in.setInt(40, 5);
        assertEquals(WireError.BAD_CONFIG_LENGTH, codec.decode(in, 0, 48));
        assertEquals(WireError.NONE, codec.decode(in, 0, 49));
        in.setInt(0, 4);
        assertEquals(WireError.UNKNOWN_STATE, codec.decode(in, 0, 49));
        in.setInt(0, -1);
        assertEquals(WireError.UNKNOWN_STATE, codec.decode(in, 0, 28));
    }

    /**
     * A vote's peer epoch and zxid must lie in the epoch space; ZooKeeper's non-voters send Long.MIN_VALUE,
     * which passes.
     */
    @Test
    void dropsVotesOutsideTheEpochSpaceButNotANonVotersMinValue() {
        final ByteBuf in = Unpooled.buffer().writeInt(0).writeLong(3).writeLong(2).writeLong(4)
            .writeLong((1L << 32) - 1).writeInt(1);
        assertEquals(WireError.NOTIFICATION_BAD_EPOCH, codec.decode(in, 0, 40));
        assertFalse(WireError.NOTIFICATION_BAD_EPOCH.isFatal(), "only the frame is dropped, as for other bad payloads");
        final ByteBuf negative = Unpooled.buffer().writeInt(0).writeLong(3).writeLong(-7).writeLong(4).writeLong(1)
            .writeInt(1);
        assertEquals(WireError.NOTIFICATION_BAD_EPOCH, codec.decode(negative, 0, 40));
        final ByteBuf observer = Unpooled.buffer().writeInt(0).writeLong(Long.MIN_VALUE).writeLong(Long.MIN_VALUE)
            .writeLong(4).writeLong(Long.MIN_VALUE).writeInt(1);
        assertEquals(WireError.NONE, codec.decode(observer, 0, 40), "an observer's 'no vote'");
    }

    @Test
    void version1IgnoresConfigLength() {
        final ByteBuf in = Unpooled.buffer(64).writeZero(64);
        in.setInt(36, 1);
        in.setInt(40, -99);
        assertEquals(WireError.NONE, codec.decode(in, 0, 44));
        assertEquals(1, codec.version());
        assertEquals(0, codec.configLength());
    }

    @Test
    void framePeekChecksLengthBounds() {
        final ByteBuf in = Unpooled.buffer();
        assertEquals(WireError.INCOMPLETE, FrameCodec.peek(in, 0, 0));
        in.writeInt(0);
        assertEquals(WireError.BAD_FRAME_LENGTH, FrameCodec.peek(in, 0, 4));
        in.setInt(0, -20);
        assertEquals(WireError.BAD_FRAME_LENGTH, FrameCodec.peek(in, 0, 4));
        in.setInt(0, FrameCodec.MAX_FRAME_LENGTH + 1);
        assertEquals(WireError.BAD_FRAME_LENGTH, FrameCodec.peek(in, 0, 4));
        in.setInt(0, FrameCodec.MAX_FRAME_LENGTH);
        assertEquals(WireError.INCOMPLETE, FrameCodec.peek(in, 0, 4));
        in.setInt(0, 2).writeShort(1);
        assertEquals(WireError.NONE, FrameCodec.peek(in, 0, 6));
    }
}
