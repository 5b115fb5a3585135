package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.PeerPublisher;

/**
 * The zero-copy quorum paths between real transports over loopback: snapshot chunks sent as file
 * regions arrive as the copied ones did, survive their file being deleted mid-transfer, count towards
 * the link's water marks and cap, and are released (file closed, headers freed) when the link resets
 * mid-transfer; a broadcast proposal encoded once reaches every learner intact and in order.
 * Buffer leaks reported by Netty's (paranoid) detector during a test fail it.
 */
@ExtendWith(LeakWatch.class)
class ZeroCopyLinkTest {
    private static final long TIMEOUT_MS = 20_000;
    private static final long SNAPSHOT_ZXID = 0x3_0000_0007L;
    private static final long DIGEST = 0x5EED_D16EL;
    /** Bytes in front of the state in the test's snapshot file, like FileTxnLog's header. */
    private static final int FILE_OFFSET = 32;

    @TempDir
    Path dir;

    @Test
    void snapshotChunksSentFromTheFileArriveAsTheCopiedOnes() throws Exception {
        final byte[] state = randomBytes(1 << 20, 7);
        final Path file = snapshotFile("snapshot.a", state);
        final UnsafeBuffer stateBuffer = new UnsafeBuffer(state);
        final int chunkBytes = 100_000;
        try (Loopback nodes = new Loopback(2, null)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            final NettyPeerPublisher publisher = (NettyPeerPublisher)nodes.node(2).publisher();
            final byte[] received = new byte[state.length];
            int position = 0;
            int chunks = 0;
            while (position < state.length) {
                final int length = Math.min(chunkBytes, state.length - position);
                awaitWritable(publisher, 1);
                assertTrue(publisher.sendSnapshotChunk(1, SNAPSHOT_ZXID, DIGEST, state.length, position,
                    file, FILE_OFFSET, stateBuffer, position, length));
                if (position == 0) {
                    // The transport holds the file open: deleting it (as a newer snapshot does) breaks nothing.
                    Files.delete(file);
                }
                position += length;
                chunks++;
            }
            // The copy path, for one chunk, to compare the records field by field.
            assertTrue(publisher.sendSnapshotChunk(1, SNAPSHOT_ZXID, DIGEST, state.length, 0, stateBuffer, 0,
                chunkBytes));

            final List<InboundRecord> got = QuorumLinkTest.drain(nodes.ring(1), chunks + 1);
            int at = 0;
            for (int i = 0; i < chunks; i++) {
                final InboundRecord chunk = got.get(i);
                assertEquals(InboundMessages.SNAPSHOT_CHUNK, chunk.type);
                assertArrayEquals(new long[] {SNAPSHOT_ZXID, DIGEST, state.length, at}, chunk.longs, "chunk " + i);
                System.arraycopy(chunk.payload, 0, received, at, chunk.payload.length);
                at += chunk.payload.length;
            }
            assertEquals(state.length, at);
            assertArrayEquals(state, received, "the file's bytes, unchanged");
            final InboundRecord copied = got.get(chunks);
            assertArrayEquals(got.get(0).longs, copied.longs);
            assertArrayEquals(got.get(0).payload, copied.payload, "a file chunk and a copied chunk arrive alike");
            assertEquals(chunks, nodes.counters(2).get(TransportCounters.SNAPSHOT_FILE_CHUNKS));

            final SharedFile source = publisher.heldSnapshot();
            assertNotNull(source);
            Loopback.await(TIMEOUT_MS, "every region released but the publisher's hold", () -> source.refCnt() == 1);
            nodes.node(2).close();
            assertEquals(0, source.refCnt());
            assertFalse(source.isOpen(), "the file is closed with the transport");
        }
    }

    /**
     * The learner stops reading: chunks queue up until the link is not writable and then until the
     * 64 MiB cap refuses them, which only happens if file bytes count. Then the learner goes away:
     * every queued and in-flight region is released (the file stays open only for the publisher's
     * hold) and the next snapshot replaces the hold.
     */
    @Test
    void aLinkResetMidTransferReleasesTheFileAndTheBuffers() throws Exception {
        final byte[] state = randomBytes(4 << 20, 11);
        final Path file = snapshotFile("snapshot.b", state);
        final UnsafeBuffer stateBuffer = new UnsafeBuffer(state);
        final int chunkBytes = 64 * 1024;
        try (Loopback nodes = new Loopback(2, null)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            final NettyPeerPublisher publisher = (NettyPeerPublisher)nodes.node(2).publisher();
            long queued = 0;
            int position = 0;
            boolean isRefused = false;
            for (int i = 0; i < 4_000 && !isRefused; i++) {
                isRefused = !publisher.sendSnapshotChunk(1, SNAPSHOT_ZXID, DIGEST, state.length, position,
                    file, FILE_OFFSET, stateBuffer, position, chunkBytes);
                if (!isRefused) {
                    queued += chunkBytes;
                    position = (position + chunkBytes) % state.length;
                }
            }
            assertTrue(isRefused, "the pending-bytes cap refused a chunk");
            assertTrue(queued >= QuorumLink.MAX_PENDING_BYTES / 2,
                "refused only near the cap, after " + queued + " bytes");
            assertFalse(publisher.isWritable(1), "file bytes count towards the water marks");
            final SharedFile source = publisher.heldSnapshot();
            assertTrue(source.refCnt() > 1, "regions hold the file");

            nodes.node(1).close();
            Loopback.await(TIMEOUT_MS, "the reset to reach the leader's link", () -> !nodes.node(2).isQuorumLinkUp(1));
            // The next drain of the down link releases whatever was still queued; Netty failed what it held.
            assertFalse(publisher.sendSnapshotChunk(1, SNAPSHOT_ZXID, DIGEST, state.length, 0, file, FILE_OFFSET,
                stateBuffer, 0, chunkBytes), "a down link refuses chunks");
            Loopback.await(TIMEOUT_MS, "every region released (refCnt " + source.refCnt() + ")", () ->
                source.refCnt() == 1);
            assertTrue(source.isOpen(), "the publisher still holds the snapshot");

            final Path newer = snapshotFile("snapshot.c", randomBytes(1024, 3));
            publisher.sendSnapshotChunk(1, SNAPSHOT_ZXID + 1, DIGEST, 1024, 0, newer, FILE_OFFSET,
                stateBuffer, 0, 1024);
            assertEquals(0, source.refCnt(), "a new snapshot releases the old file");
            assertFalse(source.isOpen());
            final SharedFile next = publisher.heldSnapshot();
            assertEquals(newer, next.file());
            nodes.node(2).close();
            assertEquals(0, next.refCnt());
            assertNull(publisher.heldSnapshot());
        }
    }

    /**
     * Faults treat a file chunk as one message: an isolated link drops header and region together
     * (both released), a slow link delays them together, and the stream arrives whole.
     */
    @Test
    void faultsDropOrDelayAFileChunkWhole() throws Exception {
        final byte[] state = randomBytes(200_000, 5);
        final Path file = snapshotFile("snapshot.d", state);
        final UnsafeBuffer stateBuffer = new UnsafeBuffer(state);
        try (Loopback nodes = new Loopback(2, null)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            final NettyPeerPublisher publisher = (NettyPeerPublisher)nodes.node(2).publisher();
            nodes.node(2).enableFaults().isolate(1);
            for (int i = 0; i < 5; i++) {
                assertTrue(publisher.sendSnapshotChunk(1, SNAPSHOT_ZXID, DIGEST, state.length, 0, file, FILE_OFFSET,
                    stateBuffer, 0, 40_000));
            }
            final SharedFile source = publisher.heldSnapshot();
            Loopback.await(TIMEOUT_MS, "five chunks dropped", () ->
                nodes.counters(2).get(TransportCounters.FAULT_DROPPED) == 5);
            Loopback.await(TIMEOUT_MS, "the dropped chunks released", () -> source.refCnt() == 1);
            nodes.node(2).faults().heal();
            nodes.node(2).faults().slow(1, 20);
            for (int position = 0; position < state.length; position += 40_000) {
                assertTrue(publisher.sendSnapshotChunk(1, SNAPSHOT_ZXID, DIGEST, state.length, position,
                    file, FILE_OFFSET, stateBuffer, position, 40_000));
            }
            final List<InboundRecord> got = QuorumLinkTest.drain(nodes.ring(1), 5);
            for (int i = 0; i < 5; i++) {
                assertEquals(i * 40_000L, got.get(i).longs[3]);
                assertArrayEquals(Arrays.copyOfRange(state, i * 40_000, (i + 1) * 40_000), got.get(i).payload,
                    "chunk " + i);
            }
            nodes.node(2).faults().heal();
        }
    }

    /**
     * Node 4 broadcasts 3,000 proposals of varying size, each encoded once, to members 1 and 2, to a
     * member whose link is down (3) and to a sid that is not a member (9): the last two fail in the
     * returned mask, the first two receive every proposal intact and in order.
     */
    @Test
    void aBroadcastProposalReachesEveryLearnerIntact() throws Exception {
        final int proposals = 3_000;
        try (Loopback nodes = new Loopback(4, null)) {
            nodes.node(1).start();
            nodes.node(2).start();
            nodes.node(4).start();
            Loopback.await(TIMEOUT_MS, "links from 4 to 1 and 2",
                () -> nodes.node(4).isQuorumLinkUp(1) && nodes.node(4).isQuorumLinkUp(2));
            final PeerPublisher publisher = nodes.node(4).publisher();
            final long[] learners = {1, 3, 2, 9};
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[4096]);
            final TestProposals.Verifier one = new TestProposals.Verifier(nodes.ring(1), proposals);
            final TestProposals.Verifier two = new TestProposals.Verifier(nodes.ring(2), proposals);
            for (int zxid = 1; zxid <= proposals; zxid++) {
                awaitWritable(publisher, 1);
                awaitWritable(publisher, 2);
                final int length = TestProposals.length(zxid);
                payload.putBytes(0, TestProposals.payload(zxid));
                assertEquals(0b1010, publisher.broadcastProposal(learners, learners.length, zxid, payload, 0, length),
                    "proposal " + zxid + ": only 3 (down) and 9 (no member) fail");
                one.poll();
                two.poll();
            }
            Loopback.await(TIMEOUT_MS, "every proposal at 1 and 2", () -> one.poll() && two.poll());
            assertEquals("", one.errors.toString());
            assertEquals("", two.errors.toString());
            assertEquals(0, publisher.broadcastProposal(learners, 1, proposals + 1, payload, 0, 8),
                "a broadcast to 1 alone");
        }
    }

    private static void awaitWritable(final PeerPublisher publisher, final long sid) {
        final long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
        while (!publisher.isWritable(sid)) {
            assertTrue(System.nanoTime() - deadline < 0, "the link to " + sid + " never became writable");
            LockSupport.parkNanos(50_000);
        }
    }

    private Path snapshotFile(final String name, final byte[] state) throws IOException {
        final byte[] all = new byte[FILE_OFFSET + state.length];
        Arrays.fill(all, 0, FILE_OFFSET, (byte)0x5A);
        System.arraycopy(state, 0, all, FILE_OFFSET, state.length);
        return Files.write(dir.resolve(name), all);
    }

    private static byte[] randomBytes(final int length, final long seed) {
        final byte[] bytes = new byte[length];
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte)random.nextInt();
        }
        return bytes;
    }
}
