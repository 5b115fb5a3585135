package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.log.FileTxnLog;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.core.log.LogRecords;
import io.electionbench.core.log.RecordSpan;
import io.electionbench.transport.wire.WireError;

/**
 * Sync-stream record batches between real transports over loopback: records a leader sends straight
 * from its log's segment files (sendfile) reach the learner's agent as RECORDS runs of those records,
 * intact and in order, even through an inbound ring smaller than one batch (delivery resumes part-way
 * through a frame), through slow links, and after the log's files are deleted; a batch with one
 * corrupt record closes the link before any of its records is offered. Buffer leaks reported by
 * Netty's detector fail a test.
 */
@ExtendWith(LeakWatch.class)
class RecordBatchLinkTest {
    private static final long TIMEOUT_MS = 20_000;
    private static final int TXNS = 3_000;
    private static final int BATCH_BYTES = 128 << 10;
    /** The learner's inbound ring: 64 KiB, half a batch. */
    private static final int SMALL_RING = 64 << 10;

    @TempDir
    Path dir;

    private FileTxnLog logWith(final String name, final int txns) throws Exception {
        final FileTxnLog log = FileTxnLog.open(dir.resolve(name),
            new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.NEVER).segmentBytes(1 << 20));
        for (long zxid = 1; zxid <= txns; zxid++) {
            final byte[] payload = TestProposals.payload(zxid);
            log.append(zxid, new UnsafeBuffer(payload), 0, payload.length);
        }
        return log;
    }

    @Test
    void recordsSentFromSegmentFilesArriveAsProposalsInOrder() throws Exception {
        final FileTxnLog log = logWith("leader", TXNS);
        try (Loopback nodes = new Loopback(2, null, SMALL_RING)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            final NettyPeerPublisher publisher = (NettyPeerPublisher)nodes.node(2).publisher();
            assertTrue(publisher.canSendRecords());
            final TestProposals.Verifier learner = new TestProposals.Verifier(nodes.ring(1), TXNS);
            final int batches = sendAll(log, publisher, learner);
            assertTrue(log.segmentFiles().length > 1, "the history spans several segments");
            log.close();
            for (final Path file : Files.list(dir.resolve("leader")).toArray(Path[]::new)) {
                Files.delete(file);
            }
            Loopback.await(TIMEOUT_MS, "every txn at the learner (" + learner.last() + ")", learner::poll);
            assertEquals("", learner.errors.toString());
            assertEquals(batches, nodes.counters(2).get(TransportCounters.RECORD_FILE_BATCHES));
            assertEquals(0, nodes.counters(2).get(TransportCounters.RECORD_BATCHES_COPIED));
            Loopback.await(TIMEOUT_MS, "every batch counted at the learner",
                () -> nodes.counters(1).get(TransportCounters.RECORD_BATCHES_RECEIVED) == batches);
            assertTrue(nodes.counters(1).get(TransportCounters.INBOUND_PAUSED) > 0,
                "a batch larger than the ring was delivered in parts");

            final SharedFile[] held = publisher.heldSegments();
            Loopback.await(TIMEOUT_MS, "every region released but the publisher's hold", () -> held[0].refCnt() == 1);
            nodes.node(2).close();
            for (final SharedFile file : held) {
                assertTrue(file == null || file.refCnt() == 0 && !file.isOpen(), "segments close with the transport");
            }
        }
    }

    /**
     * A slow link on both ends (the leader delays its writes, the learner its deliveries) with the
     * learner's ring half a batch: batches are held back whole and resumed part-way, and every txn
     * still arrives once, in order.
     */
    @Test
    void aSlowLinkDelaysRecordBatchesWholeAndTheyStillArriveInOrder() throws Exception {
        final FileTxnLog log = logWith("slow", TXNS);
        try (Loopback nodes = new Loopback(2, null, SMALL_RING)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            nodes.node(2).enableFaults().slow(1, 5);
            nodes.node(1).enableFaults().slow(2, 5);
            final NettyPeerPublisher publisher = (NettyPeerPublisher)nodes.node(2).publisher();
            final TestProposals.Verifier learner = new TestProposals.Verifier(nodes.ring(1), TXNS);
            sendAll(log, publisher, learner);
            Loopback.await(TIMEOUT_MS, "every txn at the learner (" + learner.last() + ")", learner::poll);
            assertEquals("", learner.errors.toString());
            assertTrue(nodes.counters(1).get(TransportCounters.INBOUND_PAUSED) > 0, "delayed batches met a full ring");
            nodes.node(1).faults().heal();
            nodes.node(2).faults().heal();
        } finally {
            log.close();
        }
    }

    @Test
    void aBatchWithACorruptRecordClosesTheLinkAndNoneOfItIsOffered() throws Exception {
        final FileTxnLog log = logWith("corrupt", 50);
        final RecordSpan span = new RecordSpan();
        assertTrue(log.recordSpan(1, 1 << 20, span));
        assertEquals(50, span.count(), "one batch holds every record");
        long record30 = span.position();
        for (long zxid = 1; zxid < 30; zxid++) {
            record30 += LogRecords.HEADER_BYTES + TestProposals.length(zxid);
        }
        try (FileChannel file = FileChannel.open(span.file(), StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap(new byte[] {(byte)0xA5}), record30 + LogRecords.HEADER_BYTES + 20);
        }
        try (Loopback nodes = new Loopback(2, null)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            final NettyPeerPublisher publisher = (NettyPeerPublisher)nodes.node(2).publisher();
            assertTrue(publisher.sendRecords(1, span.file(), span.position(), span.length(), span.count(),
                span.firstZxid(), span.lastZxid()));
            Loopback.await(TIMEOUT_MS, "the learner refused the batch",
                () -> nodes.counters(1).badFrames(WireError.RECORD_CRC_MISMATCH) == 1);
            final int[] proposals = {0};
            nodes.ring(1).read((type, buffer, index, length) -> {
                if (type == InboundMessages.PROPOSAL || type == InboundMessages.RECORDS) {
                    proposals[0]++;
                }
            });
            assertEquals(0, proposals[0], "not even the 29 good records before the bad one");
            assertEquals(0, nodes.counters(1).get(TransportCounters.RECORD_BATCHES_RECEIVED));
            Loopback.await(TIMEOUT_MS, "the link closed", () -> !nodes.node(2).isQuorumLinkUp(1) || nodes.counters(2)
                .get(TransportCounters.LINKS_DOWN) > 0);
        } finally {
            log.close();
        }
    }

    /**
     * Streams the whole log to member 1 as the leader's agent does: 128 KiB spans, each sent from its
     * segment when the link is writable, draining the learner's ring meanwhile.
     *
     * @return the batches sent
     */
    private static int sendAll(final FileTxnLog log, final NettyPeerPublisher publisher,
        final TestProposals.Verifier learner) {
        final RecordSpan span = new RecordSpan();
        long cursor = 0;
        int batches = 0;
        while (cursor < TXNS) {
            awaitWritable(publisher, learner);
            assertTrue(log.recordSpan(cursor + 1, BATCH_BYTES, span));
            assertTrue(publisher.sendRecords(1, span.file(), span.position(), span.length(), span.count(),
                span.firstZxid(), span.lastZxid()), span.toString());
            cursor = span.lastZxid();
            batches++;
            learner.poll();
        }
        return batches;
    }

    private static void awaitWritable(final NettyPeerPublisher publisher, final TestProposals.Verifier learner) {
        final long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
        while (!publisher.isWritable(1)) {
            assertTrue(System.nanoTime() - deadline < 0, "the link to 1 never became writable");
            learner.poll();
            LockSupport.parkNanos(50_000);
        }
    }
}
