package io.electionbench.transport.wire;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Pushes random and mutated frames through every decoder: each must return a result, never throw,
 * and never read outside the bytes it was given (the buffer is exactly as large as the input).
 */
class WireFuzzTest {
    private static final int ITERATIONS = 1_000_000;

    @Test
    void everyDecoderIsTotal() {
        final SplittableRandom random = new SplittableRandom(42);
        final ElectionHeaderCodec header = new ElectionHeaderCodec();
        final QuorumHeaderCodec quorumHeader = new QuorumHeaderCodec();
        final NotificationCodec notification = new NotificationCodec();
        final QuorumMessageCodec quorum = new QuorumMessageCodec();
        final ByteBuf[] seeds = seeds();
        final ByteBuf scratch = Unpooled.buffer(4096);
        long decoded = 0;
        final int[] decodedByType = new int[64];
        for (int i = 0; i < ITERATIONS; i++) {
            final ByteBuf input = nextInput(random, seeds, scratch);
            final int length = input.readableBytes();
            final ByteBuf exact = input.slice(0, length);
            assertNotNull(FrameCodec.peek(exact, 0, length));
            assertNotNull(header.decode(exact, 0, length));
            assertNotNull(quorumHeader.decode(exact, 0, length));
            if (notification.decode(exact, 0, length) == WireError.NONE) {
                decoded++;
                assertTrue(notification.configOffset() + notification.configLength() <= length);
            }
            if (quorum.decode(exact, 0, length) == WireError.NONE) {
                decoded++;
                decodedByType[quorum.type() & 63]++;
                assertTrue(quorum.payloadOffset() >= 0 && quorum.payloadLength() >= 0
                    && quorum.payloadOffset() + quorum.payloadLength() <= length, "payload inside the frame");
            }
        }
        assertTrue(decoded > 0, "the mutations should also produce valid messages");
        for (final int type : new int[] {QuorumMessageCodec.LEADER_INFO, QuorumMessageCodec.ACK_EPOCH,
            QuorumMessageCodec.SYNC_START, QuorumMessageCodec.SNAPSHOT_CHUNK, QuorumMessageCodec.PROPOSAL,
            QuorumMessageCodec.NEW_LEADER, QuorumMessageCodec.ACK, QuorumMessageCodec.COMMIT,
            QuorumMessageCodec.UP_TO_DATE, QuorumMessageCodec.WRITE, QuorumMessageCodec.RESULT,
            QuorumMessageCodec.RECORDS}) {
            assertTrue(decodedByType[type] > 0, "type " + type + " is among the decoded mutations");
        }
    }

    private static ByteBuf nextInput(final SplittableRandom random, final ByteBuf[] seeds, final ByteBuf scratch) {
        scratch.clear();
        if (random.nextInt(4) == 0) {
            final int length = random.nextInt(128);
            for (int i = 0; i < length; i++) {
                scratch.writeByte(random.nextInt(256));
            }
            return scratch;
        }
        final ByteBuf seed = seeds[random.nextInt(seeds.length)];
        scratch.writeBytes(seed, 0, seed.readableBytes());
        final int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations && scratch.readableBytes() > 0; m++) {
            final int at = random.nextInt(scratch.readableBytes());
            switch (random.nextInt(4)) {
                case 0:
                    scratch.setByte(at, random.nextInt(256));
                    break;
                case 1:
                    scratch.writerIndex(at);
                    break;
                case 2:
                    if (at + 4 <= scratch.readableBytes()) {
                        scratch.setInt(at, random.nextInt(3) == 0 ? -1 : random.nextInt(100));
                    }
                    break;
                default:
                    scratch.writeByte(random.nextInt(256));
            }
        }
        return scratch;
    }

    private static ByteBuf[] seeds() {
        final ByteBuf config = Unpooled.copiedBuffer("server.1=h:1:2:participant\nversion=0", StandardCharsets.UTF_8);
        final ByteBuf n = Unpooled.buffer();
        NotificationCodec.encodeFrame(n, 0, 1, 2, 3, 4, config, 0, config.readableBytes());
        final ByteBuf payload = n.slice(4, n.readableBytes() - 4);
        final ByteBuf h1 = Unpooled.buffer();
        ElectionHeaderCodec.encode(h1, ElectionHeaderCodec.PROTOCOL_V1, 2, "127.0.0.1:3888");
        final ByteBuf h2 = Unpooled.buffer();
        ElectionHeaderCodec.encode(h2, ElectionHeaderCodec.PROTOCOL_V2, 2, "a:1|b:2");
        final ByteBuf qh = Unpooled.buffer();
        QuorumHeaderCodec.encode(qh, 3);
        final ByteBuf li = Unpooled.buffer();
        QuorumMessageCodec.encodeLearnerInfo(li, 1, 2, 0);
        final ByteBuf ping = Unpooled.buffer();
        QuorumMessageCodec.encodePing(ping, QuorumMessageCodec.PING, 5);
        final ByteBuf legacy = Unpooled.buffer().writeInt(0).writeLong(1).writeLong(2).writeLong(3);
        final ByteBuf client = Unpooled.buffer();
        QuorumHeaderCodec.encodeClient(client);
        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[40]);
        final ByteBuf[] frames = new ByteBuf[11];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = Unpooled.buffer();
        }
        QuorumMessageCodec.encodeZxid(frames[0], QuorumMessageCodec.LEADER_INFO, 3);
        QuorumMessageCodec.encodeAckEpoch(frames[1], 2, 7, 5);
        QuorumMessageCodec.encodeSyncStart(frames[2], QuorumMessageCodec.MODE_SNAP, 9);
        QuorumMessageCodec.encodeSnapshotChunk(frames[3], 9, 1, 100, 60, bytes, 0, 40);
        QuorumMessageCodec.encodeProposal(frames[4], 10, bytes, 0, 24);
        QuorumMessageCodec.encodeZxid(frames[5], QuorumMessageCodec.NEW_LEADER, 1L << 32);
        QuorumMessageCodec.encodeZxid(frames[6], QuorumMessageCodec.ACK, 11);
        QuorumMessageCodec.encodeZxid(frames[7], QuorumMessageCodec.COMMIT, 11);
        QuorumMessageCodec.encodeZxid(frames[8], QuorumMessageCodec.UP_TO_DATE, 11);
        QuorumMessageCodec.encodeWrite(frames[9], 77, bytes, 0, 16);
        QuorumMessageCodec.encodeResult(frames[10], 77, 0, 12, 3);
        final ByteBuf records =
            RecordBytes.frame(Unpooled.buffer(), new long[] {21, 22}, zxid -> new byte[(int)zxid - 16]);
        final ByteBuf[] seeds = new ByteBuf[10 + frames.length];
        seeds[seeds.length - 1] = records.slice(4, records.readableBytes() - 4);
        final ByteBuf[] fixed = {payload, n, h1, h2, qh, li.slice(4, 24), ping.slice(4, 12), legacy, client};
        System.arraycopy(fixed, 0, seeds, 0, fixed.length);
        for (int i = 0; i < frames.length; i++) {
            seeds[fixed.length + i] = frames[i].slice(4, frames[i].readableBytes() - 4);
        }
        return seeds;
    }
}
