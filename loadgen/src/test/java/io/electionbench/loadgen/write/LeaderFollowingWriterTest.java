package io.electionbench.loadgen.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.electionbench.core.Zxid;
import io.electionbench.core.election.WriteListener;

/** The writer's decisions stepped by hand with a fake clock and fake connections. */
class LeaderFollowingWriterTest {
    private static final long MS = 1_000_000;
    private static final long BACKOFF = 2 * MS;
    private static final long CONNECT_BACKOFF = 5 * MS;
    private static final long ANSWER_TIMEOUT = 1_000 * MS;

    /** Records sends; refuses connections to the nodes in {@link #refusing}. */
    private static final class FakeLinks implements LeaderFollowingWriter.Links {
        final List<long[]> sent = new ArrayList<>();
        final Set<Long> refusing = new HashSet<>();
        final Set<Long> connected = new HashSet<>();
        final List<Long> dropped = new ArrayList<>();
        long nowNs;

        @Override
        public boolean connect(final long sid) {
            if (refusing.contains(sid)) {
                return false;
            }
            connected.add(sid);
            return true;
        }

        @Override
        public boolean send(final long sid, final long seq) {
            sent.add(new long[] {sid, seq, nowNs});
            return true;
        }

        @Override
        public void drop(final long sid) {
            connected.remove(sid);
            dropped.add(sid);
        }

        long[] last() {
            return sent.get(sent.size() - 1);
        }
    }

    private FakeLinks links;
    private LeaderFollowingWriter writer;
    private OpenLoopSchedule schedule;

    @BeforeEach
    void setUp() {
        links = new FakeLinks();
        writer = new LeaderFollowingWriter(new long[] {1, 2, 3}, links, BACKOFF, CONNECT_BACKOFF, ANSWER_TIMEOUT);
        schedule = new OpenLoopSchedule(0, 200); // one write every 5 ms
        writer.begin(schedule, 0);
    }

    private void at(final long nowNs) {
        links.nowNs = nowNs;
        writer.doWork(nowNs);
    }

    @Test
    void eachWriteLeavesWhenDueAndFollowsTheLeaderANodeNames() {
        at(0);
        assertEquals(1, links.sent.size());
        assertEquals(1, links.last()[0], "no leader known: the first candidate");
        final long seq = links.last()[1];
        writer.onResult(1, seq, WriteListener.NOT_LEADER, -1, 3, MS);
        at(MS);
        assertEquals(2, links.sent.size(), "resent at once to the leader node 1 named");
        assertEquals(3, links.last()[0]);
        assertEquals(seq, links.last()[1], "the same write, so the same intended time");
        writer.onResult(3, seq, WriteListener.COMMITTED, Zxid.make(1, 1), 3, 2 * MS);
        assertEquals(3, writer.believedLeader());
        at(4 * MS);
        assertEquals(2, links.sent.size(), "the next write is due at 5 ms, not before");
        at(5 * MS);
        assertEquals(3, links.last()[0], "new writes go to the leader");
        at(20 * MS);
        assertEquals(6, links.sent.size(),
            "writes due at 10, 15 and 20 ms leave together: open loop, no waiting for answers");
        writer.stop();
        for (final long[] s : links.sent.subList(2, 6)) {
            writer.onResult(3, s[1], WriteListener.COMMITTED, Zxid.make(1, s[1] + 1), 3, 21 * MS);
        }
        assertTrue(writer.isDrained());
        final TrialWrites w = writer.finish();
        assertEquals(5, w.issued());
        assertEquals(5, w.committed());
        assertEquals(0, w.unknown());
        final long[] latencies = w.latenciesNs();
        assertEquals(2 * MS, latencies[0], "answer at 2 ms for a write due at 0: redirects included");
        assertEquals(21 * MS - 5 * MS, latencies[1], "from the intended time, not the send");
        assertEquals(MS, latencies[4]);
    }

    @Test
    void aLostConnectionResendsItsWritesElsewhereAfterABackoffKeepingTheirIntendedTimes() {
        at(0);
        writer.onResult(1, links.last()[1], WriteListener.COMMITTED, Zxid.make(1, 1), 1, MS);
        at(5 * MS);
        at(10 * MS);
        final long lost1 = links.sent.get(1)[1];
        final long lost2 = links.sent.get(2)[1];
        writer.onDisconnected(1, 11 * MS);
        at(12 * MS);
        assertEquals(3, links.sent.size(), "nothing before the backoff ends");
        at(13 * MS);
        assertEquals(5, links.sent.size());
        assertEquals(2, links.sent.get(3)[0], "the next candidate after the lost node");
        assertEquals(lost1, links.sent.get(3)[1], "in their order");
        assertEquals(lost2, links.sent.get(4)[1]);
        writer.onResult(2, lost1, WriteListener.NOT_LEADER, -1, -1, 14 * MS);
        writer.onResult(2, lost2, WriteListener.NOT_LEADER, -1, -1, 14 * MS);
        at(15 * MS);
        assertEquals(5, links.sent.size(), "node 2 knows no leader: back off, even though a new write is due");
        at(16 * MS);
        assertEquals(3, links.last()[0], "then the next candidate");
        assertEquals(8, links.sent.size(), "both lost writes and the one due at 15 ms");
        writer.onResult(3, lost1, WriteListener.NOT_READY, -1, 3, 17 * MS);
        writer.onResult(3, lost2, WriteListener.COMMITTED, Zxid.make(2, 1), 3, 17 * MS);
        writer.onResult(3, links.sent.get(7)[1], WriteListener.COMMITTED, Zxid.make(2, 2), 3, 17 * MS);
        at(19 * MS);
        assertEquals(9, links.sent.size(), "NOT_READY: the same node again after the backoff");
        assertEquals(3, links.last()[0]);
        assertEquals(lost1, links.last()[1]);
        writer.stop();
        writer.onResult(3, lost1, WriteListener.COMMITTED, Zxid.make(2, 3), 3, 20 * MS);
        final TrialWrites w = writer.finish();
        assertEquals(4, w.committed());
        assertEquals(2, w.unknown(), "the two writes lost with the connection, once each");
        final long[] latencies = w.latenciesNs();
        assertEquals(20 * MS - 5 * MS, latencies[3],
            "write 2 was due at 5 ms and committed at 20 ms after two retries");
    }

    @Test
    void aRefusingNodeIsSkippedForAWhile() {
        links.refusing.add(1L);
        at(0);
        assertEquals(2, links.last()[0], "1 refused the connection: 2 tried at once");
        writer.onResult(2, links.last()[1], WriteListener.NOT_LEADER, -1, 1, MS);
        at(MS);
        assertEquals(1, links.sent.size(), "the named leader refused lately: back off rather than ask 2 again at once");
        at(3 * MS);
        assertEquals(3, links.last()[0], "then the next candidate");
        links.refusing.clear();
        writer.onResult(3, links.last()[1], WriteListener.NOT_LEADER, -1, 1, 4 * MS);
        at(6 * MS);
        assertEquals(1, links.last()[0], "5 ms after it refused, node 1 is tried again");
    }

    @Test
    void aNodeThatAnswersNothingIsDroppedAndItsWritesCountUnknown() {
        at(0);
        final long seq = links.last()[1];
        writer.onResult(1, seq, WriteListener.NOT_LEADER, -1, 2, MS);
        at(MS);
        at(5 * MS);
        assertEquals(2, links.last()[0]);
        at(1_002 * MS);
        assertEquals(List.of(2L), links.dropped, "silent for more than a second while writes were due: dropped");
        at(1_005 * MS);
        assertTrue(links.sent.stream().skip(3).allMatch(s -> s[0] != 2), "no longer the believed leader");
        writer.stop();
        final TrialWrites w = writer.finish();
        assertTrue(w.unknown() >= 2, "the silent node's writes: " + w.unknown());
        assertEquals(0, w.committed());
        assertEquals(w.issued(), w.unanswered(), "nothing committed: every write is unanswered at the end");
    }

    @Test
    void aLateCommittedAnswerStillCountsAndUnknownIsRetried() {
        at(0);
        final long seq = links.last()[1];
        writer.onResult(1, seq, WriteListener.UNKNOWN, Zxid.make(1, 1), 1, MS);
        at(2 * MS);
        assertEquals(1, links.sent.size(), "backing off");
        at(3 * MS);
        assertEquals(2, links.last()[0], "UNKNOWN: the node stopped leading, resend to the next candidate");
        assertEquals(seq, links.last()[1]);
        writer.onResult(1, seq, WriteListener.COMMITTED, Zxid.make(1, 1), 1, 4 * MS);
        writer.onResult(2, seq, WriteListener.NOT_LEADER, -1, 3, 4 * MS);
        at(4 * MS);
        assertFalse(links.sent.stream().anyMatch(s -> s[0] == 3 && s[1] == seq), "already committed: not resent");
        writer.stop();
        final TrialWrites w = writer.finish();
        assertEquals(1, w.committed());
        assertEquals(1, w.unknown());
        assertEquals(4 * MS, w.latenciesNs()[0]);
        assertEquals(Zxid.make(1, 1), w.ackZxids()[0]);
    }

    @Test
    void sequencesContinueAcrossTrialsAndUnansweredConnectionsAreDroppedAtTheEnd() {
        at(0);
        at(5 * MS);
        writer.stop();
        final TrialWrites first = writer.finish();
        assertEquals(2, first.issued());
        assertEquals(2, first.unanswered());
        assertEquals(List.of(1L), links.dropped, "answers still due on 1 must not arrive unchecked");
        final long lastSeq = links.last()[1];
        writer.begin(new OpenLoopSchedule(100 * MS, 200), 0);
        at(100 * MS);
        assertEquals(lastSeq + 1, links.last()[1]);
    }
}
