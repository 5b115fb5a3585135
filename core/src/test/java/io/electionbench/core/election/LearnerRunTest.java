package io.electionbench.core.election;

import static io.electionbench.core.election.AgentHarness.LOOKING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.log.CommittedWindow;
import io.electionbench.core.log.LogRecords;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sync.SyncMode;
import io.electionbench.core.zab.Follower;

/**
 * A learner's sync stream arriving in RECORDS runs (a transport's checked log records, one ring record per
 * run): every txn is checked as a PROPOSAL is, a run with one bad txn is refused whole, and the history
 * and committed window end as the same txns sent one by one leave them.
 */
class LearnerRunTest {
    private static AgentHarness syncingFollower(final long epoch) {
        final AgentHarness h = new AgentHarness(1, Ensemble.majority(3), ElectionPolicy.FAST).start();
        h.notification(2, LOOKING, 3, 0, 1, 0);
        h.notification(3, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.FOLLOWING, h.agent.state());
        h.zxidMessage(InboundMessages.LEADER_INFO, 3, epoch);
        h.syncStart(3, SyncMode.DIFF, 0);
        assertEquals(Follower.Step.SYNCING, h.agent.learnerStep());
        h.take();
        return h;
    }

    /** The given zxids as log records, each payload 8 bytes of its zxid and then {@code zxid % 40} more. */
    private static UnsafeBuffer run(final long... zxids) {
        final List<byte[]> records = new ArrayList<>();
        int bytes = 0;
        for (final long zxid : zxids) {
            final ByteBuffer r = ByteBuffer.allocate(LogRecords.HEADER_BYTES + 8 + (int)(zxid % 40))
                .order(ByteOrder.LITTLE_ENDIAN);
            r.putInt(LogRecords.LENGTH_OFFSET, r.capacity() - LogRecords.HEADER_BYTES)
                .putLong(LogRecords.ZXID_OFFSET, zxid).putLong(LogRecords.HEADER_BYTES, zxid);
            r.putInt(LogRecords.CRC_OFFSET, LogRecords.crc(new CRC32C(), r, 0, r.capacity() - LogRecords.HEADER_BYTES));
            records.add(r.array());
            bytes += r.capacity();
        }
        final UnsafeBuffer out = new UnsafeBuffer(new byte[bytes]);
        int at = 0;
        for (final byte[] r : records) {
            out.putBytes(at, r);
            at += r.length;
        }
        return out;
    }

    private static void offer(final AgentHarness h, final long... zxids) {
        final UnsafeBuffer run = run(zxids);
        assertTrue(InboundMessages.offerRecords(h.agent.inbound(), 3, run, 0, run.capacity(), zxids.length));
        h.agent.doWork(h.nowNs);
    }

    private static long[] range(final long epoch, final int from, final int to) {
        final long[] zxids = new long[to - from + 1];
        for (int i = 0; i < zxids.length; i++) {
            zxids[i] = Zxid.make(epoch, from + i);
        }
        return zxids;
    }

    private static void assertLastTransition(final AgentHarness h, final String expected) {
        assertEquals(expected, h.transitions.get(h.transitions.size() - 1), h.transitions.toString());
    }

    @Test
    void aRunIsLoggedWholeAndNewLeadersAckCoversIt() {
        final AgentHarness h = syncingFollower(1);
        offer(h, range(1, 1, 5));
        offer(h, range(1, 6, 9));
        assertEquals(Zxid.make(1, 9), h.storage.lastLoggedZxid());
        assertEquals(9, h.storage.log().entryCount());
        assertTrue(h.take("ack").isEmpty(), "NEWLEADER's ACK covers the stream");
        h.zxidMessage(InboundMessages.NEW_LEADER, 3, Zxid.make(1, 0));
        assertEquals(1, h.take("ack").size());
        assertEquals(1, h.storage.currentEpoch());
    }

    @Test
    void aRunMayCrossIntoALaterEpochAtItsFirstTxn() {
        final AgentHarness h = syncingFollower(3);
        offer(h, Zxid.make(1, 1), Zxid.make(1, 2), Zxid.make(3, 1), Zxid.make(3, 2));
        assertEquals(Zxid.make(3, 2), h.storage.lastLoggedZxid());
    }

    @Test
    void aRunWithAGapIsRefusedWholeAndTheLearnerLooksAgain() {
        final AgentHarness h = syncingFollower(1);
        offer(h, range(1, 1, 3));
        offer(h, Zxid.make(1, 4), Zxid.make(1, 5), Zxid.make(1, 7));
        assertLastTransition(h, "LOOKING: txn from the leader does not follow the log");
        assertEquals(Zxid.make(1, 3), h.storage.lastLoggedZxid(), "nothing of the refused run is logged");
    }

    @Test
    void aRunThatDoesNotContinueTheLogIsRefused() {
        final AgentHarness h = syncingFollower(1);
        offer(h, range(1, 2, 4));
        assertLastTransition(h, "LOOKING: txn from the leader does not follow the log");
        assertEquals(-1, h.storage.log().lastZxid());
    }

    @Test
    void aRunWithATxnBeyondTheAcceptedEpochIsRefusedWhole() {
        final AgentHarness h = syncingFollower(1);
        offer(h, Zxid.make(1, 1), Zxid.make(2, 1));
        assertLastTransition(h, "LOOKING: txn from the leader beyond the accepted epoch");
        assertEquals(-1, h.storage.log().lastZxid());
    }

    @Test
    void aRunWhoseCountDisagreesWithItsRecordsIsRefused() {
        final AgentHarness h = syncingFollower(1);
        final UnsafeBuffer run = run(range(1, 1, 3));
        assertTrue(InboundMessages.offerRecords(h.agent.inbound(), 3, run, 0, run.capacity(), 4));
        h.agent.doWork(h.nowNs);
        assertLastTransition(h, "LOOKING: malformed run of txns from the leader");
        assertEquals(-1, h.storage.log().lastZxid());
    }

    /**
     * Runs are added to the committed window once, from the log, at NEWLEADER: the window must end as
     * it would after the same txns one by one, for streams shorter and longer than its capacity.
     */
    @Test
    void theCommittedWindowEndsAsTheSameTxnsOneByOneLeaveIt() {
        for (final int txns : new int[] {7, CommittedWindow.DEFAULT_CAPACITY - 1, 1234}) {
            final AgentHarness runs = syncingFollower(1);
            final AgentHarness singles = syncingFollower(1);
            for (int from = 1; from <= txns; from += 97) {
                offer(runs, range(1, from, Math.min(txns, from + 96)));
            }
            final UnsafeBuffer one = new UnsafeBuffer(new byte[0]);
            for (final long zxid : range(1, 1, txns)) {
                final UnsafeBuffer r = run(zxid);
                one.wrap(r, LogRecords.HEADER_BYTES, r.capacity() - LogRecords.HEADER_BYTES);
                InboundMessages.offerProposal(singles.agent.inbound(), 3, zxid, one, 0, one.capacity());
                singles.agent.doWork(singles.nowNs);
            }
            runs.zxidMessage(InboundMessages.NEW_LEADER, 3, Zxid.make(1, 0));
            singles.zxidMessage(InboundMessages.NEW_LEADER, 3, Zxid.make(1, 0));
            assertEquals(singles.storage.log().digest(), runs.storage.log().digest());
            assertEquals(window(singles.agent.committedWindow()), window(runs.agent.committedWindow()), txns + " txns");
            assertEquals(Math.min(txns, CommittedWindow.DEFAULT_CAPACITY), runs.agent.committedWindow().size());
        }
    }

    /** A learner that leaves its role mid-stream (it may lead next) has its window settled too. */
    @Test
    void theWindowIsSettledWhenTheLearnerLooksAgainMidStream() {
        final AgentHarness h = syncingFollower(1);
        offer(h, range(1, 1, 20));
        assertTrue(h.agent.committedWindow().isEmpty(), "deferred while the stream runs");
        offer(h, Zxid.make(1, 22));
        assertLastTransition(h, "LOOKING: txn from the leader does not follow the log");
        assertEquals(List.of(Zxid.make(1, 1), Zxid.make(1, 20)), window(h.agent.committedWindow()).subList(0, 2));
    }

    /** (oldest zxid, newest zxid, then every zxid and payload checksum held). */
    private static List<Long> window(final CommittedWindow window) {
        final List<Long> out = new ArrayList<>(List.of(window.minZxid(), window.maxZxid()));
        window.read(0, Long.MAX_VALUE, (zxid, buffer, offset, length) -> {
            out.add(zxid);
            out.add(buffer.getLong(offset) * 31 + length);
            return true;
        });
        return out;
    }
}
